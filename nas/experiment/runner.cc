#include "nas/experiment/runner.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "nas/experiment/reward.h"
#include "nas/search/strategy.h"
#include "nas/util/rng.h"
#include "nas/util/runtime.h"
#include "nas/util/status.h"

namespace nas {

Runner::Runner(const proto::Experiment& experiment, const SearchSpace& space, const Evaluator& evaluator,
               int compute_threads)
    : experiment_(experiment), space_(space), evaluator_(evaluator), compute_threads_(compute_threads) {}

std::vector<RunJob> Runner::Jobs() const {
  std::vector<RunJob> jobs;
  for (int m = 0; m < experiment_.methods_size(); ++m)
    for (int r = 0; r < experiment_.seeds().runs(); ++r) jobs.push_back(RunJob{m, experiment_.seeds().first_run() + r});
  return jobs;
}

absl::StatusOr<RunLog> Runner::Run(const RunJob& job,
                                   const std::function<absl::Status(const Episode&)>& on_episode) const {
  const proto::Method& method = experiment_.methods(job.method_index);
  const uint64_t exp_seed = experiment_.seeds().experiment_seed();
  const uint64_t strategy_seed = DeriveSeed(exp_seed, job.run, "strategy/" + method.label());
  const uint64_t eval_seed = DeriveSeed(exp_seed, job.run, "evaluation/" + method.label());
  NAS_ASSIGN_OR_RETURN(const StrategyInfo* info, FindStrategy(method.name()));
  StrategyContext context{&space_, &method, strategy_seed};
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<Strategy> strategy, info->create(context));
  Rng eval_rng(eval_seed);

  RunLog log;
  log.label = method.label();
  log.method = method.name();
  log.run = job.run;
  log.attributes["strategy_seed"] = std::to_string(strategy_seed);
  log.attributes["eval_seed"] = std::to_string(eval_seed);

  const proto::Budget& budget = experiment_.budget();
  const bool by_seconds = budget.limit_case() == proto::Budget::kSimulatedSeconds;
  const auto start = std::chrono::steady_clock::now();
  double sim_time = 0;
  Episode best;
  bool have_best = false;
  for (int64_t i = 0;; ++i) {
    if (!by_seconds && i >= budget.evaluations()) break;
    Proposal p = strategy->Ask();
    NAS_CHECK(space_.IsValid(p.actions));
    const int64_t arch = space_.Ordinal(p.actions);
    NAS_ASSIGN_OR_RETURN(Evaluation ev, evaluator_.Evaluate(p.actions, eval_rng));
    if (by_seconds) {
      if (!(ev.cost_s > 0))
        return absl::FailedPreconditionError(
            absl::StrCat("architecture ", space_.ToString(p.actions), " costs ", ev.cost_s,
                         " simulated seconds; a budget in seconds needs positive costs"));
      if (sim_time + ev.cost_s > budget.simulated_seconds()) break;
    }
    sim_time += ev.cost_s;
    NAS_ASSIGN_OR_RETURN(const RewardValue reward, ComputeReward(experiment_.benchmark(), ev));
    strategy->Tell(p, reward.reward);

    Episode e;
    e.index = i;
    e.arch = arch;
    e.actions.assign(p.actions.begin(), p.actions.end());
    e.log_prob = p.log_prob;
    e.entropy = p.entropy;
    e.reward = reward.reward;
    e.valid_acc = ev.valid_acc;
    e.test_acc = ev.test_acc;
    e.sim_time = sim_time;
    e.table_slot = ev.slot;
    e.params_m = ev.params_m;
    e.flops_m = ev.flops_m;
    e.cost = reward.cost;
    e.curve = std::move(ev.curve);
    for (CurvePoint& c : e.curve) c.episode = i;
    if (!have_best || ev.valid_acc > best.valid_acc) {
      best = e;
      have_best = true;
    }
    e.incumbent = best.arch;
    e.incumbent_valid = best.valid_acc;
    e.incumbent_test = best.test_acc;
    e.wall_time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (on_episode) NAS_RETURN_IF_ERROR(on_episode(e));
    log.episodes.push_back(std::move(e));
  }
  return log;
}

absl::Status Runner::RunAll(const std::vector<RunJob>& jobs, int threads, const Callbacks& cb) const {
  const int total = static_cast<int>(jobs.size());
  std::mutex mu;
  std::condition_variable cv;
  int done = 0, running_workers = 0;
  std::atomic<int> next{0};
  std::atomic<bool> stop{false};
  absl::Status first_error = absl::OkStatus();
  auto worker = [&] {
    // OpenMP's thread count is per thread: set it in every worker, not only in main().
    SetComputeThreads(compute_threads_);
    for (;;) {
      const int j = next.fetch_add(1);
      if (j >= total || stop.load()) break;
      absl::StatusOr<RunLog> r = Run(jobs[j], [&](const Episode& e) {
        return cb.episode ? cb.episode(j, e) : absl::OkStatus();
      });
      absl::Status s = r.status();
      if (s.ok() && cb.finished) s = cb.finished(j, *r);
      std::lock_guard<std::mutex> lock(mu);
      if (!s.ok() && first_error.ok()) {
        first_error = s;
        stop.store(true);
      }
      ++done;
      cv.notify_all();
    }
    std::lock_guard<std::mutex> lock(mu);
    --running_workers;
    cv.notify_all();
  };
  const int n_workers = std::max(1, std::min(threads, total));
  running_workers = n_workers;
  std::vector<std::thread> pool;
  for (int t = 0; t < n_workers; ++t) pool.emplace_back(worker);
  int reported = 0;
  {
    std::unique_lock<std::mutex> lock(mu);
    while (running_workers > 0) {
      cv.wait(lock, [&] { return done != reported || running_workers == 0; });
      while (reported < done) {
        const int d = ++reported;
        lock.unlock();
        if (cb.progress) cb.progress(d, total);
        lock.lock();
      }
    }
  }
  for (auto& t : pool) t.join();
  return first_error;
}

}  // namespace nas
