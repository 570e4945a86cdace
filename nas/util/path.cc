#include "nas/util/path.h"

namespace nas {
namespace {

std::string StripTrailingSlashes(std::string p) {
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

}  // namespace

std::string Dirname(const std::string& path) {
  const std::string p = StripTrailingSlashes(path);
  const size_t slash = p.find_last_of('/');
  if (slash == std::string::npos) return ".";
  const size_t end = p.find_last_not_of('/', slash);
  return end == std::string::npos ? "/" : p.substr(0, end + 1);
}

std::string Basename(const std::string& path) {
  const std::string p = StripTrailingSlashes(path);
  if (p == "/") return p;
  const size_t slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

}  // namespace nas
