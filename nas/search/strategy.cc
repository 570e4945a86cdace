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

std::vector<Proposal> Strategy::AskBatch(int k) {
  NAS_CHECK(k >= 1);
  if (default_pending_) return {};
  default_proposal_ = Ask();
  default_proposal_.id = default_next_id_++;
  default_pending_ = true;
  return {default_proposal_};
}

void Strategy::TellResult(int64_t id, double reward) {
  NAS_CHECK(default_pending_ && id == default_proposal_.id);
  default_pending_ = false;
  Tell(default_proposal_, reward);
}

Proposal BatchStrategy::Ask() {
  std::vector<Proposal> p = AskBatch(1);
  NAS_CHECK(p.size() == 1);  // sequentially nothing is pending, so a proposal is due
  return std::move(p[0]);
}

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
