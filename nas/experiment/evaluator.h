// How a run gets the reward of an architecture: by lookup in a tabular benchmark (table_evaluator.h) or by
// really training the child network (nas/train/train_evaluator.h). The runner sees only this interface.
#ifndef NAS_EXPERIMENT_EVALUATOR_H_
#define NAS_EXPERIMENT_EVALUATOR_H_

#include <cmath>
#include <functional>
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
  std::vector<CurvePoint> curve;  // per-epoch training curve (train evaluator only)
  // Costs of the architecture where the source has them (table columns, or the trained child); NaN unknown.
  double params_m = NAN, flops_m = NAN, latency_ms = NAN;
};

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // Thread-safe. `rng` is the run's own evaluation stream.
  virtual absl::StatusOr<Evaluation> Evaluate(const Actions& arch, Rng& rng) const = 0;
  virtual int search_epochs() const = 0;
  virtual int report_epochs() const = 0;
  // Best reported accuracy over the whole space, for regret; NaN when unknown (training).
  virtual double best_test_acc() const { return NAN; }
  // What produced the rewards, for the log ("table <sha>" / the training spec).
  virtual std::string Describe() const = 0;

  // Deferred evaluation, for evaluators whose work is worth running elsewhere (training: on a worker thread
  // or an MPI rank, nas/experiment/executor.h). Draw takes from the run's stream, in proposal order, exactly
  // what Evaluate would; EvaluateDrawn(arch, Draw(rng)) then equals Evaluate(arch, rng) and may run on any
  // thread. The cost of a deferred evaluation is known beforehand: deferred_cost_s().
  virtual bool deferrable() const { return false; }
  virtual uint64_t Draw(Rng&) const { return 0; }
  virtual absl::StatusOr<Evaluation> EvaluateDrawn(const Actions&, uint64_t) const {
    return absl::UnimplementedError("this evaluator does not defer evaluations");
  }
  virtual double deferred_cost_s() const { return 0; }
};

// The train evaluator lives with LibTorch (nas/train/train_evaluator.cc) and registers itself here, so the
// experiment core builds without LibTorch; binaries without it refuse `train` benchmarks clearly.
using TrainEvaluatorFactory = std::function<absl::StatusOr<std::unique_ptr<Evaluator>>(
    const proto::Benchmark& benchmark, const SearchSpace& space)>;
bool RegisterTrainEvaluator(TrainEvaluatorFactory factory);
const TrainEvaluatorFactory* FindTrainEvaluator();  // nullptr when not linked in

}  // namespace nas

#endif  // NAS_EXPERIMENT_EVALUATOR_H_
