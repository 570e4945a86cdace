// Where deferred evaluations (children to train, see Evaluator::deferrable) run: worker threads of this
// process (MakeThreadExecutor) or the worker ranks of an MPI job. The runner submits each pending child as
// soon as a (simulated) worker takes it and waits for the results in simulated finish order, so a log never
// depends on how many threads or ranks did the work.
#ifndef NAS_EXPERIMENT_EXECUTOR_H_
#define NAS_EXPERIMENT_EXECUTOR_H_

#include <cstdint>
#include <future>
#include <memory>

#include "absl/status/statusor.h"
#include "nas/experiment/evaluator.h"
#include "nas/space/space.h"
#include "nas/util/cluster.h"

namespace nas {

struct EvalTask {
  Actions arch;
  uint64_t draw = 0;  // Evaluator::Draw of the run's stream
  int32_t fidelity = Evaluator::kSearchFidelity;
};

using EvalFuture = std::shared_future<absl::StatusOr<Evaluation>>;

class EvalExecutor {
 public:
  virtual ~EvalExecutor() = default;
  // Starts evaluator.EvaluateDrawn(task.arch, task.draw, task.fidelity) somewhere; thread-safe.
  virtual EvalFuture Submit(const EvalTask& task) = 0;
};

// `threads` worker threads, each fixing its numerical libraries to `compute_threads`, taking tasks in
// submission order. The destructor finishes the queued tasks and joins.
std::unique_ptr<EvalExecutor> MakeThreadExecutor(const Evaluator& evaluator, int threads, int compute_threads);

// Sends every task to a worker rank of `cluster` (rank 0 only).
std::unique_ptr<EvalExecutor> MakeClusterExecutor(Cluster* cluster);
// A worker rank's side: answers the cluster executor's requests with `evaluator`.
RemoteHandler EvaluationHandler(const Evaluator& evaluator);

// The wire format of tasks and evaluations (exact: doubles travel as their bits).
std::string EncodeTask(const EvalTask& task);
absl::StatusOr<EvalTask> DecodeTask(const std::string& bytes);
std::string EncodeEvaluation(const Evaluation& evaluation);
absl::StatusOr<Evaluation> DecodeEvaluation(const std::string& bytes);

}  // namespace nas

#endif  // NAS_EXPERIMENT_EXECUTOR_H_
