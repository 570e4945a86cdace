#include "nas/table/table_checksum.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/util/sha256.h"
#include "nas/util/status.h"

namespace nas {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "digests hash the in-memory (little-endian) bytes");

std::string DigestDoubles(const std::vector<double>& values) {
  return Sha256Hex(absl::string_view(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double)));
}

std::string DigestInt64s(const std::vector<int64_t>& values) {
  return Sha256Hex(absl::string_view(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(int64_t)));
}

std::string DigestStrings(const std::vector<std::string>& values) {
  std::string buffer;
  for (const std::string& s : values) {
    const uint64_t n = s.size();
    char len[8];
    std::memcpy(len, &n, 8);
    buffer.append(len, 8);
    buffer += s;
  }
  return Sha256Hex(buffer);
}

absl::Status TableChecksums::Store(h5::File& file, const std::string& array, const std::string& digest) {
  absl::StrAppend(&manifest_, array, " ", digest, "\n");
  ++verified_;
  return file.WriteStringAttr(array, "sha256", digest);
}

absl::Status TableChecksums::Verify(const h5::File& file, const std::string& array, const std::string& digest) {
  absl::StrAppend(&manifest_, array, " ", digest, "\n");
  if (!file.HasAttr(array, "sha256")) {
    ++missing_;
    return absl::OkStatus();
  }
  ++verified_;
  NAS_ASSIGN_OR_RETURN(const std::string stored, file.ReadStringAttr(array, "sha256"));
  if (stored != digest)
    return absl::DataLossError(absl::StrCat(file.path(), ": ", array,
                                            ": values do not match their stored SHA-256 (corrupt file)"));
  return absl::OkStatus();
}

void TableChecksums::AddGroup(const std::string& group, const std::vector<int32_t>& fidelities,
                              const std::vector<int64_t>& seeds) {
  absl::StrAppend(&manifest_, group, " fidelities=", absl::StrJoin(fidelities, ","), " seeds=",
                  absl::StrJoin(seeds, ","), "\n");
}

std::string TableChecksums::ValuesSha256() const { return Sha256Hex(manifest_); }

}  // namespace nas
