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
  int64_t id = 0;       // 0, 1, 2, ... in the order the strategy proposed them (set by the strategy)
  // The fidelity to evaluate at: an index into StrategyContext::fidelity_epochs; kDefaultFidelity = the
  // benchmark's search fidelity (what every single-fidelity strategy asks for).
  int32_t fidelity = -1;
};
inline constexpr int32_t kDefaultFidelity = -1;

// Two ways to drive a strategy, never mixed on one instance:
//  - sequentially: Ask(), then Tell() of that proposal, strictly alternating;
//  - in batches (parallel workers): AskBatch(k) returns up to k new proposals that may be pending (asked, not
//    told) together with the earlier ones; TellResult() reports one pending proposal's reward by id, in any
//    order. AskBatch may return fewer than k, or none while it waits for results (REINFORCE completing its
//    batch), but never none while nothing is pending, except to end the run: a strategy with a schedule of
//    its own (enas, rsps) returns none with nothing pending when it has finished.
// Driving a strategy in batches with k = 1 and telling each result before the next ask is exactly the
// sequential protocol (the same proposals from the same seed).
class Strategy {
 public:
  virtual ~Strategy() = default;
  // The next architecture to evaluate.
  virtual Proposal Ask() = 0;
  // The reward of the proposal returned by the latest Ask() (validation accuracy in percent).
  virtual void Tell(const Proposal& proposal, double reward) = 0;

  // Default (for strategies written for the sequential protocol): at most one pending proposal.
  virtual std::vector<Proposal> AskBatch(int k);
  virtual void TellResult(int64_t id, double reward);

  // Resume from a checkpoint (StrategyContext::logged): how many of the run's first logged episodes the
  // strategy's restored state already accounts for. The runner takes those episodes from the log instead of
  // asking for them again, and continues with the strategy's next proposal. 0: the run starts from scratch.
  virtual int64_t restored_episodes() const { return 0; }

 private:
  bool default_pending_ = false;
  Proposal default_proposal_;
  int64_t default_next_id_ = 0;
};

// Base of strategies written for batches: the sequential protocol is AskBatch(1) / TellResult(id).
class BatchStrategy : public Strategy {
 public:
  Proposal Ask() final;
  void Tell(const Proposal& proposal, double reward) final { TellResult(proposal.id, reward); }
  std::vector<Proposal> AskBatch(int k) override = 0;
  void TellResult(int64_t id, double reward) override = 0;

 protected:
  int64_t NextId() { return next_id_++; }

 private:
  int64_t next_id_ = 0;
};

class Evaluator;  // nas/experiment/evaluator.h
struct Episode;   // nas/log/episode_record.h

struct StrategyContext {
  const SearchSpace* space = nullptr;
  const proto::Method* method = nullptr;  // resolved (defaults filled, validated)
  uint64_t seed = 0;
  // The fidelities the evaluator answers at, ascending, in epochs (Proposal::fidelity indexes it), and the
  // index of the benchmark's search fidelity. Empty: the evaluator has one fidelity (kDefaultFidelity).
  std::vector<int> fidelity_epochs;
  int search_fidelity = -1;
  // The run's own evaluator when StrategyInfo::evaluator names one (else null): the strategy may train its
  // state between evaluations (it knows the concrete type it registered).
  Evaluator* evaluator = nullptr;
  // Checkpoints (`nas run`): a path prefix under which a strategy with a schedule of its own (enas, rsps) may
  // keep its state durably after each completed epoch; empty: no checkpoints. On resume, `logged` holds the
  // episodes the interrupted run logged (else null): a strategy that finds a checkpoint consistent with them
  // restores it and reports how many it covers (Strategy::restored_episodes). Only strategies whose evaluator
  // does not draw from the run's evaluation stream may restore (the runner does not replay that stream).
  std::string checkpoint_prefix;
  const std::vector<Episode>* logged = nullptr;
};


struct StrategyInfo {
  std::string name;
  std::string description;
  // Fills in defaults and validates `method` (its params oneof) without I/O; errors name the field.
  std::function<absl::Status(proto::Method* method)> resolve;
  std::function<absl::StatusOr<std::unique_ptr<Strategy>>(const StrategyContext& context)> create;
  // A registered evaluator (nas/experiment/evaluator.h) each run of this method owns and evaluates with,
  // e.g. a weight-sharing supernet; empty: the experiment's evaluator.
  std::string evaluator;
  // What a resolved `method` needs that this binary lacks (e.g. "reinforce policy LSTM" in a binary built
  // without LibTorch; tools/cli/full_binary.h then hands the command to nas-torch). Null or empty: nothing.
  std::function<std::vector<std::string>(const proto::Method& method)> missing_components;
  // The baseline the other methods are tested against (`nas compare`'s Mann-Whitney U): random search.
  bool reference = false;
};

// Registration refuses duplicate names (programmer error).
bool RegisterStrategy(StrategyInfo info);
// NotFound listing the registered names.
absl::StatusOr<const StrategyInfo*> FindStrategy(const std::string& name);
std::vector<std::string> RegisteredStrategies();

}  // namespace nas

#endif  // NAS_SEARCH_STRATEGY_H_
