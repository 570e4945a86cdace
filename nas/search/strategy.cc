#include "nas/search/strategy.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/util/status.h"

namespace nas {
namespace {
std::map<std::string, StrategyInfo>& StrategyMap() {
  static auto* m = new std::map<std::string, StrategyInfo>();
  return *m;
}
}  // namespace

bool RegisterStrategy(StrategyInfo info) {
  const std::string name = info.name;
  NAS_CHECK(StrategyMap().emplace(name, std::move(info)).second);
  return true;
}

absl::StatusOr<const StrategyInfo*> FindStrategy(const std::string& name) {
  auto it = StrategyMap().find(name);
  if (it == StrategyMap().end())
    return absl::NotFoundError(absl::StrCat("unknown method '", name, "'; known methods: ",
                                            absl::StrJoin(RegisteredStrategies(), ", ")));
  return &it->second;
}

std::vector<std::string> RegisteredStrategies() {
  std::vector<std::string> names;
  for (const auto& [name, info] : StrategyMap()) names.push_back(name);
  return names;
}

}  // namespace nas
