#include "nas/util/field_check.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace nas {

absl::Status CheckIntRange(absl::string_view field, int64_t value, int64_t lo, int64_t hi) {
  if (value >= lo && value <= hi) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", value, " is not in [", lo, ", ", hi, "]"));
}

absl::Status CheckRealRange(absl::string_view field, double value, RealRange r) {
  const bool ok = std::isfinite(value) && (r.lo_open ? value > r.lo : value >= r.lo) &&
                  (r.hi_open ? value < r.hi : value <= r.hi);
  if (ok) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat("%s: %g is not a finite number in %s%g, %g%s", field, value,
                                                    r.lo_open ? "(" : "[", r.lo, r.hi, r.hi_open ? ")" : "]"));
}

bool IsValidUtf8(absl::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    const unsigned c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07;
    else return false;
    if (i + len > n) return false;
    for (int k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      return false;
    i += len;
  }
  return true;
}

absl::Status CheckText(absl::string_view field, absl::string_view value, size_t max_bytes) {
  if (value.size() > max_bytes)
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", value.size(), " bytes long; at most ", max_bytes, " are accepted"));
  if (!IsValidUtf8(value)) return absl::InvalidArgumentError(absl::StrCat(field, ": is not valid UTF-8"));
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7F)
      return absl::InvalidArgumentError(absl::StrCat(field, ": holds a control character (byte ", c, ")"));
  return absl::OkStatus();
}

}  // namespace nas
