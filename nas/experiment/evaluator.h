// How a run gets the reward of an architecture: by lookup in a tabular benchmark (table_evaluator.h) or by
// really training the child network (nas/train/train_evaluator.h). The runner sees only this interface.
#ifndef NAS_EXPERIMENT_EVALUATOR_H_
#define NAS_EXPERIMENT_EVALUATOR_H_

#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/log/episode_log.h"
#include "nas/proto/experiment.pb.h"
#include "nas/space/space.h"
#include "nas/util/rng.h"

namespace nas {

struct Evaluation {
  double valid_acc = 0;  // search signal (percent)
  double test_acc = 0;   // reported figure (percent)
  double cost_s = 0;     // simulated seconds this evaluation costs (deterministic)
  int64_t slot = 0;      // table seed slot (table evaluator) or training seed (train evaluator)
  int32_t fidelity = 0;  // the fidelity evaluated, as logged: table fidelity index, or training epochs
  std::vector<CurvePoint> curve;  // per-epoch training curve (train evaluator only)
  // Costs of the architecture where the source has them (table columns, or the trained child); NaN unknown.
  double params_m = NAN, flops_m = NAN, latency_ms = NAN;
};

// A fidelity is named by its index into fidelity_epochs() (ascending epochs); kSearchFidelity (-1) is the
// benchmark's search fidelity, what a single-fidelity run evaluates at.
class Evaluator {
 public:
  static constexpr int kSearchFidelity = -1;
  virtual ~Evaluator() = default;
  // Thread-safe. `rng` is the run's own evaluation stream. At the search fidelity, its cost charged.
  absl::StatusOr<Evaluation> Evaluate(const Actions& arch, Rng& rng) const {
    return EvaluateAt(arch, kSearchFidelity, rng);
  }
  // At fidelity `fidelity` (an index into fidelity_epochs(), or kSearchFidelity), charging that fidelity's
  // cost; a promoted child is evaluated afresh at the higher fidelity (retrained, not continued).
  virtual absl::StatusOr<Evaluation> EvaluateAt(const Actions& arch, int fidelity, Rng& rng) const = 0;
  // The fidelities this evaluator answers at, ascending, in epochs; the index of the search fidelity in it.
  virtual std::vector<int> fidelity_epochs() const = 0;
  virtual int search_fidelity() const = 0;
  // What an episode at fidelity index `fidelity` records (Evaluation::fidelity): the index itself for tables,
  // epochs for training. kSearchFidelity: the search fidelity's.
  virtual int32_t LoggedFidelity(int fidelity) const = 0;
  virtual int search_epochs() const = 0;
  virtual int report_epochs() const = 0;
  // Best reported accuracy over the whole space, for regret; NaN when unknown (training).
  virtual double best_test_acc() const { return NAN; }
  // What produced the rewards, for the log ("table <sha>" / the training spec).
  virtual std::string Describe() const = 0;
  // Root attributes a log records about the inputs of a per-run evaluator (e.g. a weight-sharing method's truth
  // table: truth_table_sha256, ...); `nas replay` and `nas run --resume` refuse a log whose *_sha256 differ.
  virtual absl::StatusOr<std::map<std::string, std::string>> Provenance() const {
    return std::map<std::string, std::string>();
  }

  // Deferred evaluation, for evaluators whose work is worth running elsewhere (training: on a worker thread
  // or an MPI rank, nas/experiment/executor.h). Draw takes from the run's stream, in proposal order, exactly
  // what Evaluate would; EvaluateDrawn(arch, Draw(rng), f) then equals EvaluateAt(arch, f, rng) and may run on any
  // thread. The cost of a deferred evaluation is known beforehand: deferred_cost_s(f).
  virtual bool deferrable() const { return false; }
  virtual uint64_t Draw(Rng&) const { return 0; }
  virtual absl::StatusOr<Evaluation> EvaluateDrawn(const Actions&, uint64_t, int /*fidelity*/) const {
    return absl::UnimplementedError("this evaluator does not defer evaluations");
  }
  virtual double deferred_cost_s(int /*fidelity*/) const { return 0; }
};

class Table;

// The registry of evaluators (as strategies have one). The experiment's own evaluator is "table" (lookup, when
// benchmark.table is set) or "train" (benchmark.train). A method may own an evaluator of its own per run
// (StrategyInfo::evaluator names it): the runner creates it from this registry with the run's seed and the
// experiment's evaluator to build on, evaluates that run's proposals with it, and hands it to the strategy,
// which may train its state (weight sharing). Owned evaluators run on the run's thread, never deferred.
struct EvaluatorContext {
  const proto::Benchmark* benchmark = nullptr;  // resolved
  const SearchSpace* space = nullptr;
  const Table* table = nullptr;                 // "table": the opened table
  bool budget_in_seconds = false;               // "table": the budget is simulated seconds
  const Evaluator* benchmark_evaluator = nullptr;  // per-run evaluators: the experiment's evaluator
  const proto::Method* method = nullptr;        // per-run evaluators: the (resolved) method that owns it
  uint64_t seed = 0;                            // per-run evaluators: DeriveSeed(..., "evaluator/<label>")
};

struct EvaluatorInfo {
  std::string name;
  std::string description;
  std::function<absl::StatusOr<std::unique_ptr<Evaluator>>(const EvaluatorContext& context)> create;
};

// Registration refuses duplicate names (programmer error).
bool RegisterEvaluator(EvaluatorInfo info);
// NotFound listing the registered names.
absl::StatusOr<const EvaluatorInfo*> FindEvaluator(const std::string& name);
std::vector<std::string> RegisteredEvaluators();

// The train evaluator lives with LibTorch (nas/train/train_evaluator.cc) and registers itself here, so the
// experiment core builds without LibTorch; binaries without it refuse `train` benchmarks clearly.
using TrainEvaluatorFactory = std::function<absl::StatusOr<std::unique_ptr<Evaluator>>(
    const proto::Benchmark& benchmark, const SearchSpace& space)>;
// Registers `factory` as the "train" evaluator too.
bool RegisterTrainEvaluator(TrainEvaluatorFactory factory);
const TrainEvaluatorFactory* FindTrainEvaluator();  // nullptr when not linked in

}  // namespace nas

#endif  // NAS_EXPERIMENT_EVALUATOR_H_
