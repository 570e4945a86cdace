// Support for multi-fidelity strategies (successive_halving, hyperband, asha): the rungs of a schedule, the
// shared `multi_fidelity { ... }` params, and synchronous successive halving over brackets, which
// successive_halving and hyperband specialise by their bracket plan.
#ifndef NAS_SEARCH_MULTI_FIDELITY_H_
#define NAS_SEARCH_MULTI_FIDELITY_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/search/strategy.h"
#include "nas/util/rng.h"

namespace nas {

// Rungs of a multi-fidelity schedule, as indices into `epochs` (ascending), lowest first: from `top` down,
// each the largest fidelity at most 1/eta of the one above (the next smaller one when none is), none below
// `min_epochs`. Always holds `top`.
std::vector<int> SelectRungs(const std::vector<int>& epochs, int top, int eta, int min_epochs);

// Fills in and checks `multi_fidelity { eta min_epochs initial }` of a method named `name`.
absl::Status ResolveMultiFidelity(proto::Method* method, const std::string& name);

// The rungs of `context` for its resolved multi_fidelity params: at least two, or FailedPrecondition naming
// the benchmark's fidelities.
absl::StatusOr<std::vector<int>> RungsOf(const StrategyContext& context, const std::string& name);

// Successive halving (Jamieson & Talwalkar 2016; Li et al. 2017) one bracket after another: a bracket samples
// `configs` architectures uniformly and evaluates them at rung `first_rung`; once all results of a rung are in,
// the best floor(n / eta) (at least 1; ties: the earlier sampled) are evaluated at the next rung, up to the top
// one; then the next bracket starts. Synchronous in batches: a rung's proposals may all be pending together,
// the next rung waits for every one of them.
class SynchronousHalving : public BatchStrategy {
 public:
  SynchronousHalving(const StrategyContext& context, std::vector<int> rungs, int eta);
  std::vector<Proposal> AskBatch(int k) override;
  void TellResult(int64_t id, double reward) override;

 protected:
  struct Bracket {
    int configs = 1;
    int first_rung = 0;  // position in the rungs, 0 = the lowest
  };
  virtual Bracket NextBracket() = 0;
  int num_rungs() const { return static_cast<int>(rungs_.size()); }
  int eta() const { return eta_; }

 private:
  void Advance();

  const SearchSpace* space_;
  const std::vector<int> rungs_;
  const int eta_;
  Rng rng_;
  int rung_ = -1;                 // position of the current rung in rungs_
  std::vector<Actions> configs_;  // the current rung's architectures, in sampling order
  std::vector<double> rewards_;
  size_t next_ = 0;               // configs_[next_..] not yet asked
  std::map<int64_t, size_t> pending_;  // proposal id -> position in configs_
};

}  // namespace nas

#endif  // NAS_SEARCH_MULTI_FIDELITY_H_
