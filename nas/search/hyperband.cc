// Hyperband (Li et al. 2017) over the benchmark's fidelities: with R rungs (s_max = R - 1), brackets
// s = s_max, s_max - 1, ..., 0 in turn, bracket s starting ceil((s_max + 1) / (s + 1) * eta^s) architectures at
// rung s_max - s and halving them as successive halving does (nas/search/multi_fidelity.h); then again.
#include <cmath>

#include "nas/search/multi_fidelity.h"
#include "nas/util/status.h"

namespace nas {
namespace {

class Hyperband : public SynchronousHalving {
 public:
  using SynchronousHalving::SynchronousHalving;

 private:
  Bracket NextBracket() override {
    const int s_max = num_rungs() - 1;
    const int s = s_max - bracket_;
    bracket_ = (bracket_ + 1) % num_rungs();
    const double n = std::ceil((s_max + 1.0) / (s + 1.0) * std::pow(eta(), s));
    return Bracket{static_cast<int>(n), s_max - s};
  }
  int bracket_ = 0;  // 0 = the most exploratory bracket (s = s_max)
};

const bool kRegistered = RegisterStrategy(StrategyInfo{
    "hyperband", "Hyperband (Li et al. 2017): successive-halving brackets over the benchmark's fidelities, eta 3",
    [](proto::Method* m) { return ResolveMultiFidelity(m, "hyperband"); },
    [](const StrategyContext& c) -> absl::StatusOr<std::unique_ptr<Strategy>> {
      NAS_ASSIGN_OR_RETURN(std::vector<int> rungs, RungsOf(c, "hyperband"));
      return std::make_unique<Hyperband>(c, std::move(rungs), c.method->multi_fidelity().eta());
    }});

}  // namespace
}  // namespace nas
