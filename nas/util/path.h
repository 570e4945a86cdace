// Path strings split at the last '/', as POSIX dirname(1) and basename(1) do (no file system access).
#ifndef NAS_UTIL_PATH_H_
#define NAS_UTIL_PATH_H_

#include <string>

namespace nas {

// "a/b/c" -> "a/b", "c" -> ".", "/c" -> "/", "a/b/" -> "a"; trailing slashes are ignored.
std::string Dirname(const std::string& path);
// "a/b/c" -> "c", "a/b/" -> "b", "/" -> "/", "" -> "".
std::string Basename(const std::string& path);

}  // namespace nas

#endif  // NAS_UTIL_PATH_H_
