#include "nas/experiment/executor.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "nas/util/runtime.h"

namespace nas {
namespace {

class ThreadExecutor : public EvalExecutor {
 public:
  ThreadExecutor(const Evaluator& evaluator, int threads, int compute_threads) : evaluator_(evaluator) {
    for (int t = 0; t < std::max(1, threads); ++t)
      pool_.emplace_back([this, compute_threads] {
        SetComputeThreads(compute_threads);  // per thread (OpenMP)
        Work();
      });
  }
  ~ThreadExecutor() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : pool_) t.join();
  }

  EvalFuture Submit(const EvalTask& task) override {
    std::promise<absl::StatusOr<Evaluation>> promise;
    EvalFuture future = promise.get_future().share();
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.emplace_back(task, std::move(promise));
    }
    cv_.notify_one();
    return future;
  }

 private:
  void Work() {
    for (;;) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      auto [task, promise] = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      promise.set_value(evaluator_.EvaluateDrawn(task.arch, task.draw, task.fidelity));
    }
  }

  const Evaluator& evaluator_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::deque<std::pair<EvalTask, std::promise<absl::StatusOr<Evaluation>>>> queue_;
  std::vector<std::thread> pool_;
};

class ClusterExecutor : public EvalExecutor {
 public:
  explicit ClusterExecutor(Cluster* cluster) : cluster_(cluster) {}
  EvalFuture Submit(const EvalTask& task) override {
    RemoteFuture answer = cluster_->Call(EncodeTask(task));
    // Decoded when the runner asks for it, on its thread.
    return std::async(std::launch::deferred, [answer]() -> absl::StatusOr<Evaluation> {
             const absl::StatusOr<std::string>& bytes = answer.get();
             if (!bytes.ok()) return bytes.status();
             return DecodeEvaluation(*bytes);
           }).share();
  }

 private:
  Cluster* cluster_;
};

}  // namespace

std::string EncodeTask(const EvalTask& task) {
  ByteWriter w;
  w.Put<uint64_t>(task.draw).Put<int32_t>(task.fidelity).Put<uint64_t>(task.arch.size());
  for (int a : task.arch) w.Put<int32_t>(a);
  return w.Take();
}

absl::StatusOr<EvalTask> DecodeTask(const std::string& bytes) {
  ByteReader r(bytes);
  EvalTask t;
  uint64_t n = 0;
  if (!r.Get(&t.draw) || !r.Get(&t.fidelity) || !r.Get(&n) || n > 4096) return absl::DataLossError("malformed evaluation request");
  t.arch.resize(n);
  for (auto& a : t.arch) {
    int32_t v;
    if (!r.Get(&v)) return absl::DataLossError("malformed evaluation request");
    a = v;
  }
  if (!r.done()) return absl::DataLossError("malformed evaluation request");
  return t;
}

std::string EncodeEvaluation(const Evaluation& e) {
  ByteWriter w;
  w.Put(e.valid_acc).Put(e.test_acc).Put(e.cost_s).Put(e.slot).Put(e.fidelity);
  w.Put(e.params_m).Put(e.flops_m).Put(e.latency_ms).Put<uint64_t>(e.curve.size());
  for (const CurvePoint& c : e.curve) w.Put(c);
  return w.Take();
}

absl::StatusOr<Evaluation> DecodeEvaluation(const std::string& bytes) {
  ByteReader r(bytes);
  Evaluation e;
  uint64_t n = 0;
  if (!r.Get(&e.valid_acc) || !r.Get(&e.test_acc) || !r.Get(&e.cost_s) || !r.Get(&e.slot) ||
      !r.Get(&e.fidelity) || !r.Get(&e.params_m) || !r.Get(&e.flops_m) || !r.Get(&e.latency_ms) || !r.Get(&n) || n > (1u << 20))
    return absl::DataLossError("malformed evaluation answer");
  e.curve.resize(n);
  for (CurvePoint& c : e.curve)
    if (!r.Get(&c)) return absl::DataLossError("malformed evaluation answer");
  if (!r.done()) return absl::DataLossError("malformed evaluation answer");
  return e;
}

std::unique_ptr<EvalExecutor> MakeClusterExecutor(Cluster* cluster) {
  return std::make_unique<ClusterExecutor>(cluster);
}

RemoteHandler EvaluationHandler(const Evaluator& evaluator) {
  return [&evaluator](const std::string& request) -> absl::StatusOr<std::string> {
    absl::StatusOr<EvalTask> task = DecodeTask(request);
    if (!task.ok()) return task.status();
    absl::StatusOr<Evaluation> e = evaluator.EvaluateDrawn(task->arch, task->draw, task->fidelity);
    if (!e.ok()) return e.status();
    return EncodeEvaluation(*e);
  };
}

std::unique_ptr<EvalExecutor> MakeThreadExecutor(const Evaluator& evaluator, int threads, int compute_threads) {
  return std::make_unique<ThreadExecutor>(evaluator, threads, compute_threads);
}

}  // namespace nas
