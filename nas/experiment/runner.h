// Runs an experiment: every method x run, each run an independent ask/tell loop with its own random streams
// (DeriveSeed(experiment_seed, run, "strategy/<label>") and ".../evaluation/<label>"), so runs can execute on
// any number of threads and still give the same episodes.
#ifndef NAS_EXPERIMENT_RUNNER_H_
#define NAS_EXPERIMENT_RUNNER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/experiment/table_evaluator.h"
#include "nas/log/episode_log.h"
#include "nas/proto/experiment.pb.h"
#include "nas/space/space.h"

namespace nas {

struct RunJob {
  int method_index = 0;
  int32_t run = 0;
};

class Runner {
 public:
  // `experiment` must be resolved; the space and evaluator must outlive the runner.
  // Every worker thread fixes the numerical libraries' thread count to `compute_threads` (SetComputeThreads).
  Runner(const proto::Experiment& experiment, const SearchSpace& space, const TableEvaluator& evaluator,
         int compute_threads = 1);

  // Every (method, run) in the order logs store them: methods in config order, runs ascending.
  std::vector<RunJob> Jobs() const;

  absl::StatusOr<RunLog> Run(const RunJob& job) const;

  // Runs `jobs` on `threads` workers. `sink` receives each finished run in job order, on the calling thread;
  // `progress(done, total)` is called on the calling thread after each run finishes. Stops at the first error.
  absl::Status RunAll(const std::vector<RunJob>& jobs, int threads,
                      const std::function<absl::Status(const RunLog&)>& sink,
                      const std::function<void(int, int)>& progress) const;

 private:
  const proto::Experiment& experiment_;
  const SearchSpace& space_;
  const TableEvaluator& evaluator_;
  const int compute_threads_;
};

}  // namespace nas

#endif  // NAS_EXPERIMENT_RUNNER_H_
