#include "nas/search/policy.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "nas/util/status.h"

namespace nas {
namespace {
std::map<int, PolicyFactory>& PolicyMap() {
  static auto* m = new std::map<int, PolicyFactory>();
  return *m;
}
}  // namespace

bool RegisterPolicy(proto::ReinforceParams::Policy kind, PolicyFactory factory) {
  NAS_CHECK(PolicyMap().emplace(static_cast<int>(kind), std::move(factory)).second);
  return true;
}

bool HasPolicy(proto::ReinforceParams::Policy kind) { return PolicyMap().count(static_cast<int>(kind)) > 0; }

absl::StatusOr<std::unique_ptr<Policy>> CreatePolicy(const SearchSpace& space, const proto::ReinforceParams& params,
                                                     uint64_t init_seed) {
  auto it = PolicyMap().find(static_cast<int>(params.policy()));
  if (it == PolicyMap().end()) {
    std::string known;
    for (const auto& [k, f] : PolicyMap())
      absl::StrAppend(&known, known.empty() ? "" : ", ",
                      proto::ReinforceParams::Policy_Name(static_cast<proto::ReinforceParams::Policy>(k)));
    return absl::NotFoundError(absl::StrCat("reinforce policy ",
                                            proto::ReinforceParams::Policy_Name(params.policy()),
                                            " is not built into this binary; available: ", known));
  }
  return it->second(space, params, init_seed);
}

}  // namespace nas
