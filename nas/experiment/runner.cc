#include "nas/experiment/runner.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nas/experiment/config_limits.h"
#include "nas/experiment/reward.h"
#include "nas/search/strategy.h"
#include "nas/util/exception_status.h"
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

std::map<std::string, std::string> Runner::RunAttributes(const RunJob& job) const {
  const proto::Method& method = experiment_.methods(job.method_index);
  const uint64_t exp_seed = experiment_.seeds().experiment_seed();
  return {{"strategy_seed", std::to_string(DeriveSeed(exp_seed, job.run, "strategy/" + method.label()))},
          {"eval_seed", std::to_string(DeriveSeed(exp_seed, job.run, "evaluation/" + method.label()))}};
}

absl::StatusOr<RunLog> Runner::Run(const RunJob& job, const std::function<absl::Status(const Episode&)>& on_episode,
                                   const std::vector<Episode>* logged) const {
  const proto::Method& method = experiment_.methods(job.method_index);
  const uint64_t exp_seed = experiment_.seeds().experiment_seed();
  const uint64_t strategy_seed = DeriveSeed(exp_seed, job.run, "strategy/" + method.label());
  const uint64_t eval_seed = DeriveSeed(exp_seed, job.run, "evaluation/" + method.label());
  NAS_ASSIGN_OR_RETURN(const StrategyInfo* info, FindStrategy(method.name()));
  // A method that owns an evaluator (StrategyInfo::evaluator) gets its own per run, built on the experiment's.
  std::unique_ptr<Evaluator> owned;
  if (!info->evaluator.empty()) {
    NAS_ASSIGN_OR_RETURN(const EvaluatorInfo* einfo, FindEvaluator(info->evaluator));
    EvaluatorContext ec;
    ec.benchmark = &experiment_.benchmark();
    ec.space = &space_;
    ec.benchmark_evaluator = &evaluator_;
    ec.method = &method;
    ec.seed = DeriveSeed(exp_seed, job.run, "evaluator/" + method.label());
    NAS_ASSIGN_OR_RETURN(owned, einfo->create(ec));
  }
  const Evaluator& evaluator = owned ? *owned : evaluator_;
  StrategyContext context{&space_, &method, strategy_seed};
  context.fidelity_epochs = evaluator.fidelity_epochs();
  context.search_fidelity = evaluator.search_fidelity();
  context.evaluator = owned.get();
  if (!checkpoint_dir_.empty()) context.checkpoint_prefix = absl::StrCat(checkpoint_dir_, "/", method.label(), ".", job.run);
  context.logged = logged;
  const int num_fidelities = static_cast<int>(context.fidelity_epochs.size());
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<Strategy> strategy, info->create(context));
  Rng eval_rng(eval_seed);

  RunLog log;
  log.label = method.label();
  log.method = method.name();
  log.run = job.run;
  log.attributes = RunAttributes(job);

  const proto::Budget& budget = experiment_.budget();
  const bool by_seconds = budget.limit_case() == proto::Budget::kSimulatedSeconds;
  const int workers = budget.has_workers() ? budget.workers() : 1;
  const bool defer = executor_ != nullptr && !owned && evaluator_.deferrable();
  const auto start = std::chrono::steady_clock::now();

  // P simulated workers in simulated time. A free worker (the lowest-numbered) takes the next proposal at
  // the current simulated time `now`; results are told in order of (finish time, proposal id). With one
  // worker this is the plain ask / evaluate / tell loop, bit for bit.
  struct Pending {
    Proposal proposal;
    int worker = 0;
    Evaluation evaluation;  // evaluated at once (lookups)
    std::optional<EvalFuture> future;  // or deferred (training)
  };
  std::map<std::pair<double, int64_t>, Pending> running;
  std::vector<bool> busy(workers, false);
  double now = 0;
  int64_t asked = 0, told = 0;
  bool asking = true;
  Episode best;
  bool have_best = false;
  // The incumbent is the best by validation accuracy among the highest fidelity evaluated so far (with one
  // fidelity: the best by validation accuracy).
  auto update_best = [&](const Episode& e) {
    if (!have_best || e.fidelity > best.fidelity || (e.fidelity == best.fidelity && e.valid_acc > best.valid_acc)) {
      best = e;
      have_best = true;
    }
  };
  // Resumed from a checkpoint: the episodes it covers come from the log (nothing was pending at a checkpoint).
  const int64_t restored = strategy->restored_episodes();
  NAS_CHECK(restored == 0 || (logged != nullptr && restored <= static_cast<int64_t>(logged->size())));
  for (int64_t i = 0; i < restored; ++i) {
    const Episode& e = (*logged)[i];
    NAS_CHECK(e.index == i);
    update_best(e);
    now = e.sim_time;
    if (on_episode) NAS_RETURN_IF_ERROR(on_episode(e));
    log.episodes.push_back(e);
  }
  asked = told = restored;
  for (;;) {
    while (asking && static_cast<int>(running.size()) < workers) {
      int k = workers - static_cast<int>(running.size());
      if (!by_seconds) k = static_cast<int>(std::min<int64_t>(k, budget.evaluations() - asked));
      if (k <= 0) {
        asking = false;
        break;
      }
      if (asked >= kMaxEvaluationsPerRun)
        return absl::FailedPreconditionError(absl::StrCat(
            "budget.simulated_seconds: ", budget.simulated_seconds(), " s buys more than ", kMaxEvaluationsPerRun,
            " evaluations in run ", method.label(), "/", job.run, " (the table's costs are that small); lower it or "
            "set benchmark.cost_per_evaluation_s"));
      std::vector<Proposal> proposals = strategy->AskBatch(k);
      // None while nothing is pending: a strategy with a schedule of its own (enas, rsps) has finished.
      if (proposals.empty() && running.empty()) {
        asking = false;
        break;
      }
      if (proposals.empty()) break;  // it waits for results
      for (Proposal& p : proposals) {
        NAS_CHECK(space_.IsValid(p.actions));
        NAS_CHECK(p.fidelity == kDefaultFidelity || (p.fidelity >= 0 && p.fidelity < num_fidelities));
        Pending pending;
        double cost;
        uint64_t draw = 0;
        if (defer) {
          draw = evaluator_.Draw(eval_rng);
          cost = evaluator_.deferred_cost_s(p.fidelity);
        } else {
          NAS_ASSIGN_OR_RETURN(pending.evaluation, evaluator.EvaluateAt(p.actions, p.fidelity, eval_rng));
          cost = pending.evaluation.cost_s;
        }
        if (by_seconds) {
          if (!(cost > 0))
            return absl::FailedPreconditionError(
                absl::StrCat("architecture ", space_.ToString(p.actions), " costs ", cost,
                             " simulated seconds; a budget in seconds needs positive costs"));
          if (now + cost > budget.simulated_seconds()) {
            asking = false;  // this and the batch's later proposals are never evaluated
            break;
          }
        }
        if (defer) pending.future = executor_->Submit(EvalTask{p.actions, draw, p.fidelity});
        int w = 0;
        while (busy[w]) ++w;
        busy[w] = true;
        pending.worker = w;
        ++asked;
        const double finish = now + cost;
        const int64_t id = p.id;
        pending.proposal = std::move(p);
        running.emplace(std::make_pair(finish, id), std::move(pending));
      }
    }
    if (running.empty()) break;

    auto first = running.begin();
    now = first->first.first;
    Pending pending = std::move(first->second);
    running.erase(first);
    busy[pending.worker] = false;
    Evaluation ev;
    if (pending.future) {
      NAS_ASSIGN_OR_RETURN(ev, pending.future->get());
    } else {
      ev = std::move(pending.evaluation);
    }
    const Proposal& p = pending.proposal;
    NAS_ASSIGN_OR_RETURN(const RewardValue reward, ComputeReward(experiment_.benchmark(), ev));
    strategy->TellResult(p.id, reward.reward);

    const int64_t i = told++;
    Episode e;
    e.index = i;
    e.arch = space_.Ordinal(p.actions);
    e.actions.assign(p.actions.begin(), p.actions.end());
    e.log_prob = p.log_prob;
    e.entropy = p.entropy;
    e.reward = reward.reward;
    e.valid_acc = ev.valid_acc;
    e.test_acc = ev.test_acc;
    e.sim_time = now;
    e.table_slot = ev.slot;
    e.fidelity = ev.fidelity;
    e.params_m = ev.params_m;
    e.flops_m = ev.flops_m;
    e.cost = reward.cost;
    e.curve = std::move(ev.curve);
    for (CurvePoint& c : e.curve) c.episode = i;
    e.worker = pending.worker;
    e.proposal = p.id;
    update_best(e);
    e.incumbent = best.arch;
    e.incumbent_valid = best.valid_acc;
    e.incumbent_test = best.test_acc;
    e.wall_time = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (on_episode) NAS_RETURN_IF_ERROR(on_episode(e));
    log.episodes.push_back(std::move(e));
  }
  if (keep_owned_ != nullptr) *keep_owned_ = std::move(owned);
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
      absl::Status s;
      // No exception may leave the thread (it would std::terminate the process): it becomes the run's error.
      try {
        absl::StatusOr<RunLog> r = Run(
            jobs[j], [&](const Episode& e) { return cb.episode ? cb.episode(j, e) : absl::OkStatus(); },
            cb.logged ? cb.logged(j) : nullptr);
        s = r.status();
        if (s.ok() && cb.finished) s = cb.finished(j, *r);
      } catch (...) {
        s = CurrentExceptionToStatus(absl::StrCat("run ", experiment_.methods(jobs[j].method_index).label(), "/",
                                                  jobs[j].run));
      }
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
