// SHA-256 digests (OpenSSL libcrypto, EVP interface) as lowercase hex, for provenance attributes
// (source_sha256, table_sha256).
#ifndef NAS_UTIL_SHA256_H_
#define NAS_UTIL_SHA256_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nas {

// Hex digest of `data` (64 lowercase characters).
std::string Sha256Hex(absl::string_view data);

// Hex digest of a file's bytes; NotFound / PermissionDenied / DataLoss naming the file.
absl::StatusOr<std::string> Sha256File(const std::string& path);

}  // namespace nas

#endif  // NAS_UTIL_SHA256_H_
