#include "nas/testing/shared_data.h"

#include <cstdlib>
#include <fstream>

namespace nas::testing {
namespace {
bool Exists(const std::string& p) { return std::ifstream(p).good(); }
}  // namespace

std::string SharedDataFile(const std::string& relative) {
  std::string candidates[3] = {"../shared_data/data/" + relative, "external/shared_data/data/" + relative, ""};
  if (const char* env = std::getenv("NAS_SHARED_DATA")) candidates[2] = std::string(env) + "/" + relative;
  for (const auto& c : candidates)
    if (!c.empty() && Exists(c)) return c;
  return "";
}

}  // namespace nas::testing
