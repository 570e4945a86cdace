// Runs an experiment: every method x run, each run an independent ask/tell loop with its own random streams
// (DeriveSeed(experiment_seed, run, "strategy/<label>") and ".../evaluation/<label>"), so runs can execute on
// any number of threads and still give the same episodes.
#ifndef NAS_EXPERIMENT_RUNNER_H_
#define NAS_EXPERIMENT_RUNNER_H_

#include <functional>
#include <memory>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/experiment/evaluator.h"
#include "nas/experiment/executor.h"
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
  Runner(const proto::Experiment& experiment, const SearchSpace& space, const Evaluator& evaluator,
         int compute_threads = 1);

  // Deferred evaluations (training) go to `executor` (must outlive the runner's runs); without one they run
  // on the run's own thread. Results do not depend on it.
  void set_executor(EvalExecutor* executor) { executor_ = executor; }
  // After Run, hands over the run's own evaluator (StrategyInfo::evaluator; e.g. a trained supernet) to `*out`
  // instead of destroying it (left empty for methods without one). Not for RunAll.
  void set_keep_owned_evaluator(std::unique_ptr<Evaluator>* out) { keep_owned_ = out; }
  // Strategies may keep checkpoints under `dir` (StrategyContext::checkpoint_prefix = dir/<label>.<run>);
  // empty (the default): none.
  void set_checkpoint_dir(std::string dir) { checkpoint_dir_ = std::move(dir); }

  // Every (method, run) in the order logs store them: methods in config order, runs ascending.
  std::vector<RunJob> Jobs() const;

  // The attributes a run's log group holds (strategy_seed, eval_seed: the run's two DeriveSeed streams, in
  // decimal), known before the run starts.
  std::map<std::string, std::string> RunAttributes(const RunJob& job) const;

  // One run. `on_episode` (may be empty) sees each episode as soon as it is made; an error from it stops the
  // run and is returned. `logged` (resume; may be null): the episodes an interrupted run of this job logged.
  // When the strategy restores a checkpoint covering the first n of them (Strategy::restored_episodes), those n
  // are taken from `logged` (and passed to `on_episode`) instead of being run again.
  absl::StatusOr<RunLog> Run(const RunJob& job,
                             const std::function<absl::Status(const Episode&)>& on_episode = nullptr,
                             const std::vector<Episode>* logged = nullptr) const;

  struct Callbacks {
    // Worker thread, for every episode of job `j` (e.g. append to the log). May be empty.
    std::function<absl::Status(int j, const Episode&)> episode;
    // Worker thread, when job `j` has finished (e.g. mark it complete). May be empty.
    std::function<absl::Status(int j, const RunLog&)> finished;
    // Calling thread, after each finished run. May be empty.
    std::function<void(int done, int total)> progress;
    // Resume: the episodes job `j` logged before it was interrupted (null: none). May be empty.
    std::function<const std::vector<Episode>*(int j)> logged;
  };
  // Runs `jobs` on `threads` workers; the callbacks must be thread-safe. Stops at the first error.
  absl::Status RunAll(const std::vector<RunJob>& jobs, int threads, const Callbacks& callbacks) const;

 private:
  const proto::Experiment& experiment_;
  const SearchSpace& space_;
  const Evaluator& evaluator_;
  const int compute_threads_;
  EvalExecutor* executor_ = nullptr;
  std::unique_ptr<Evaluator>* keep_owned_ = nullptr;
  std::string checkpoint_dir_;
};

}  // namespace nas

#endif  // NAS_EXPERIMENT_RUNNER_H_
