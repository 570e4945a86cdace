// bzip2 decompression (libbz2, Debian libbz2-dev) of an in-memory buffer, for the bz2-compressed pickles of
// NATS-Bench. Concatenated bzip2 streams (as `bzip2` and Python's bz2 module accept) decompress one after the
// other.
#ifndef NAS_UTIL_BZ2_H_
#define NAS_UTIL_BZ2_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace nas {

// The decompressed bytes, or one error line without a file name (callers add it): "not bzip2 data (bad magic
// bytes)", "corrupt bzip2 data (...)", "truncated bzip2 data", or "decompresses to more than N bytes" when the
// output would exceed `max_output` (a guard against decompression bombs).
absl::StatusOr<std::string> Bz2Decompress(absl::string_view compressed, size_t max_output);

}  // namespace nas

#endif  // NAS_UTIL_BZ2_H_
