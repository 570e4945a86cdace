#include "nas/testing/shared_data.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

namespace nas::testing {
namespace {
bool Exists(const std::string& p) { return std::ifstream(p).good(); }

std::vector<std::string> Candidates(const std::string& relative) {
  std::vector<std::string> c = {"../shared_data/data/" + relative, "external/shared_data/data/" + relative};
  if (const char* env = std::getenv("NAS_SHARED_DATA")) c.push_back(std::string(env) + "/" + relative);
  return c;
}

}  // namespace

std::string SharedDataFile(const std::string& relative) {
  for (const auto& c : Candidates(relative))
    if (Exists(c)) return c;
  return "";
}

std::string SharedDataPlaces(const std::string& relative) {
  std::string out;
  for (const auto& c : Candidates(relative)) out += (out.empty() ? "" : ", ") + c;
  return out + " (relative to " + std::filesystem::current_path().string() + ")";
}

}  // namespace nas::testing
