// Successive halving (Jamieson & Talwalkar 2016), bracket after bracket: `initial` architectures (default
// eta^(rungs - 1)) at the lowest rung, the best 1/eta of each rung promoted to the next, up to the search
// fidelity (nas/search/multi_fidelity.h).
#include <cmath>

#include "nas/search/multi_fidelity.h"
#include "nas/util/status.h"

namespace nas {
namespace {

class SuccessiveHalving : public SynchronousHalving {
 public:
  SuccessiveHalving(const StrategyContext& c, std::vector<int> rungs, int eta, int initial)
      : SynchronousHalving(c, std::move(rungs), eta), initial_(initial) {
    if (initial_ == 0) initial_ = static_cast<int>(std::lround(std::pow(eta, num_rungs() - 1)));
  }

 private:
  Bracket NextBracket() override { return Bracket{initial_, 0}; }
  int initial_;
};

const bool kRegistered = RegisterStrategy(StrategyInfo{
    "successive_halving", "successive halving over the benchmark's fidelities (eta 3), one bracket after another",
    [](proto::Method* m) { return ResolveMultiFidelity(m, "successive_halving"); },
    [](const StrategyContext& c) -> absl::StatusOr<std::unique_ptr<Strategy>> {
      NAS_ASSIGN_OR_RETURN(std::vector<int> rungs, RungsOf(c, "successive_halving"));
      const proto::MultiFidelityParams& p = c.method->multi_fidelity();
      return std::make_unique<SuccessiveHalving>(c, std::move(rungs), p.eta(), p.initial());
    }});

}  // namespace
}  // namespace nas
