// Search strategies behind one ask/tell interface (as nevergrad's), created by name from a registry.
// A strategy sees only the search space and the rewards it is told; evaluation, budgets and logging belong
// to the experiment runner. All randomness comes from the Rng built from StrategyContext::seed.
#ifndef NAS_SEARCH_STRATEGY_H_
#define NAS_SEARCH_STRATEGY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/proto/experiment.pb.h"
#include "nas/space/space.h"

namespace nas {

struct Proposal {
  Actions actions;
  double log_prob = 0;  // under the sampling policy; 0 for non-RL strategies
  double entropy = 0;
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  // The next architecture to evaluate.
  virtual Proposal Ask() = 0;
  // The reward of the proposal returned by the latest Ask() (validation accuracy in percent). Ask and Tell
  // alternate strictly.
  virtual void Tell(const Proposal& proposal, double reward) = 0;
};

struct StrategyContext {
  const SearchSpace* space = nullptr;
  const proto::Method* method = nullptr;  // resolved (defaults filled, validated)
  uint64_t seed = 0;
};

struct StrategyInfo {
  std::string name;
  std::string description;
  // Fills in defaults and validates `method` (its params oneof) without I/O; errors name the field.
  std::function<absl::Status(proto::Method* method)> resolve;
  std::function<absl::StatusOr<std::unique_ptr<Strategy>>(const StrategyContext& context)> create;
};

// Registration refuses duplicate names (programmer error).
bool RegisterStrategy(StrategyInfo info);
// NotFound listing the registered names.
absl::StatusOr<const StrategyInfo*> FindStrategy(const std::string& name);
std::vector<std::string> RegisteredStrategies();

}  // namespace nas

#endif  // NAS_SEARCH_STRATEGY_H_
