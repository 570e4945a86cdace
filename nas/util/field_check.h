// Range checks for config fields (experiment, train and build specs): every error is one line naming the field
// and the accepted range, so `nas` can print it as is. The ranges themselves are documented next to each field
// in nas/proto/*.proto and in tools/cli/README.md's "Bad input" table.
#ifndef NAS_UTIL_FIELD_CHECK_H_
#define NAS_UTIL_FIELD_CHECK_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace nas {

// Longest free-text value (names, labels, dataset names) and longest path a config may hold, in bytes.
inline constexpr size_t kMaxNameBytes = 256;
inline constexpr size_t kMaxPathBytes = 4096;

// `value` in [lo, hi]; else InvalidArgument "<field>: <value> is not in [lo, hi]".
absl::Status CheckIntRange(absl::string_view field, int64_t value, int64_t lo, int64_t hi);

// Bounds of a real range; open bounds exclude the limit itself.
struct RealRange {
  double lo, hi;
  bool lo_open = false, hi_open = false;
};
// `value` finite and inside `range`; else "<field>: <value> is not a finite number in (lo, hi]".
absl::Status CheckRealRange(absl::string_view field, double value, RealRange range);

// Valid UTF-8, no control characters (so that every message stays one line) and at most `max_bytes` bytes.
absl::Status CheckText(absl::string_view field, absl::string_view value, size_t max_bytes = kMaxNameBytes);

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
bool IsValidUtf8(absl::string_view s);

}  // namespace nas

#endif  // NAS_UTIL_FIELD_CHECK_H_
