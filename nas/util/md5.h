// MD5 digests (OpenSSL libcrypto, EVP interface) as lowercase hex. Used only where a format defines its keys
// with MD5 (NAS-Bench-101's module hash); never for integrity (see sha256.h).
#ifndef NAS_UTIL_MD5_H_
#define NAS_UTIL_MD5_H_

#include <string>

#include "absl/strings/string_view.h"

namespace nas {

// Hex digest of `data` (32 lowercase characters), as Python's hashlib.md5(data).hexdigest().
std::string Md5Hex(absl::string_view data);

}  // namespace nas

#endif  // NAS_UTIL_MD5_H_
