// The MPI layer (OpenMPI, MPI_THREAD_MULTIPLE): registers a Cluster (nas/util/cluster.h) that is created when
// nas runs under mpirun. Rank 0's communication thread hands requests to worker ranks (at most
// slots_per_worker each) and collects their answers; every worker rank sends a heartbeat every 100 ms from its
// own thread. A worker that dies is named in a one-line message on rank 0:
//  - when mpirun then stops the job (OpenMPI's default), rank 0 catches the SIGTERM, sees which rank's
//    heartbeats stopped and prints "nas: MPI worker rank R died ..." before exiting;
//  - when the job keeps going (mpirun --enable-recovery), a rank silent for NAS_MPI_TIMEOUT_S seconds
//    (default 10) fails every call with that message.
// Errors are returned (MPI_ERRORS_RETURN), never the default abort.
#include <mpi.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nas/util/cluster.h"

namespace nas {
namespace {

enum Tag : int { kTask = 1, kResult = 2, kHeartbeat = 3, kStop = 4 };
using Clock = std::chrono::steady_clock;

volatile sig_atomic_t g_terminated = 0;
void OnTerm(int) { g_terminated = 1; }

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Receives a probed message of bytes.
std::string Receive(const MPI_Status& probed, int tag) {
  int n = 0;
  MPI_Get_count(&probed, MPI_BYTE, &n);
  std::string buf(static_cast<size_t>(n), '\0');
  MPI_Recv(buf.data(), n, MPI_BYTE, probed.MPI_SOURCE, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  return buf;
}

class MpiCluster : public Cluster {
 public:
  MpiCluster() {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    if (provided < MPI_THREAD_MULTIPLE) {
      std::fprintf(stderr, "nas: this MPI library does not support MPI_THREAD_MULTIPLE\n");
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (const char* t = std::getenv("NAS_MPI_TIMEOUT_S")) timeout_s_ = std::atof(t);
    if (rank_ == 0) {
      struct sigaction sa {};
      sa.sa_handler = OnTerm;
      sigaction(SIGTERM, &sa, nullptr);
      last_heartbeat_.assign(size_, Clock::now());
      outstanding_.assign(size_, 0);
      if (size_ > 1) comm_ = std::thread([this] { Communicate(); });
    } else {
      // Keep heartbeating until mpirun's SIGKILL, so that rank 0 can tell the dead rank from the living.
      signal(SIGTERM, SIG_IGN);
      heartbeat_ = std::thread([this] {
        const int beat = 1;
        while (!beating_stop_.load()) {
          MPI_Send(&beat, 1, MPI_INT, 0, kHeartbeat, MPI_COMM_WORLD);
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      });
    }
  }

  ~MpiCluster() override {
    if (rank_ == 0 && size_ > 1) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        stopping_ = true;
      }
      comm_.join();
      if (!failure_.empty()) {
        std::fflush(stdout);
        std::fflush(stderr);
        _exit(1);  // MPI_Finalize would wait for the dead rank
      }
      for (int r = 1; r < size_; ++r) MPI_Send(nullptr, 0, MPI_BYTE, r, kStop, MPI_COMM_WORLD);
      // Let the workers' last heartbeats arrive before finalizing.
      DrainUntilWorkersStop();
    } else if (rank_ > 0) {
      if (!served_) Idle();
      beating_stop_ = true;
      heartbeat_.join();
      const int bye = 0;
      MPI_Send(&bye, 1, MPI_INT, 0, kStop, MPI_COMM_WORLD);
    }
    MPI_Finalize();
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void set_slots_per_worker(int slots) override { slots_ = std::max(1, slots); }

  RemoteFuture Call(std::string request) override {
    std::promise<absl::StatusOr<std::string>> promise;
    RemoteFuture future = promise.get_future().share();
    std::lock_guard<std::mutex> lock(mu_);
    if (!failure_.empty()) {
      promise.set_value(absl::UnavailableError(failure_));
    } else {
      queue_.emplace_back(next_id_++, std::move(request));
      promises_.emplace(queue_.back().first, std::move(promise));
    }
    return future;
  }

  int Serve(const RemoteHandler& handler, int slots) override {
    served_ = true;
    std::atomic<bool> stop{false};
    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::string> tasks;
    std::vector<std::thread> pool;
    for (int t = 0; t < std::max(1, slots); ++t)
      pool.emplace_back([&] {
        for (;;) {
          std::unique_lock<std::mutex> lock(mu);
          cv.wait(lock, [&] { return stop.load() || !tasks.empty(); });
          if (tasks.empty()) return;
          std::string task = std::move(tasks.front());
          tasks.pop_front();
          lock.unlock();
          uint64_t id = 0;
          std::memcpy(&id, task.data(), sizeof id);
          absl::StatusOr<std::string> answer = handler(task.substr(sizeof id));
          ByteWriter w;
          w.Put<uint64_t>(id).Put<uint8_t>(answer.ok());
          w.PutString(answer.ok() ? *answer : std::string(answer.status().message()));
          const std::string out = w.Take();
          MPI_Send(out.data(), static_cast<int>(out.size()), MPI_BYTE, 0, kResult, MPI_COMM_WORLD);
        }
      });
    for (;;) {
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
      if (!flag) {
        std::this_thread::sleep_for(std::chrono::microseconds(500));
        continue;
      }
      std::string msg = Receive(st, st.MPI_TAG);
      if (st.MPI_TAG == kStop) break;
      {
        std::lock_guard<std::mutex> lock(mu);
        tasks.push_back(std::move(msg));
      }
      cv.notify_one();
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      stop = true;
    }
    cv.notify_all();
    for (std::thread& t : pool) t.join();
    return 0;
  }

  int Idle() override {
    return Serve([](const std::string&) -> absl::StatusOr<std::string> {
      return absl::FailedPreconditionError("this worker rank could not start");
    }, 1);
  }

 private:
  // Rank 0 at exit: receives (and drops) heartbeats until every worker said it stopped.
  void DrainUntilWorkersStop() {
    int stopped = 0;
    while (stopped < size_ - 1) {
      MPI_Status st;
      MPI_Probe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &st);
      Receive(st, st.MPI_TAG);
      stopped += st.MPI_TAG == kStop;
    }
  }

  // Rank 0's communication thread: the only one that calls MPI there.
  void Communicate() {
    std::map<uint64_t, int> rank_of;  // call id -> worker rank
    for (;;) {
      bool idle = true;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (stopping_ && promises_.empty()) return;
        // Hand out queued requests to the least loaded worker with a free slot.
        while (!queue_.empty() && failure_.empty()) {
          int best = -1;
          for (int r = 1; r < size_; ++r)
            if (outstanding_[r] < slots_ && (best < 0 || outstanding_[r] < outstanding_[best])) best = r;
          if (best < 0) break;
          auto [id, request] = std::move(queue_.front());
          queue_.pop_front();
          lock.unlock();
          ByteWriter w;
          w.Put<uint64_t>(id);
          std::string msg = w.Take() + request;
          MPI_Send(msg.data(), static_cast<int>(msg.size()), MPI_BYTE, best, kTask, MPI_COMM_WORLD);
          lock.lock();
          ++outstanding_[best];
          rank_of[id] = best;
          idle = false;
        }
      }
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
      if (flag) {
        idle = false;
        std::string msg = Receive(st, st.MPI_TAG);
        last_heartbeat_[st.MPI_SOURCE] = Clock::now();
        if (st.MPI_TAG == kResult) {
          ByteReader r(msg);
          uint64_t id = 0;
          uint8_t ok = 0;
          std::string body;
          if (r.Get(&id) && r.Get(&ok) && r.GetString(&body)) {
            std::lock_guard<std::mutex> lock(mu_);
            --outstanding_[st.MPI_SOURCE];
            rank_of.erase(id);
            auto it = promises_.find(id);
            if (it != promises_.end()) {
              it->second.set_value(ok ? absl::StatusOr<std::string>(std::move(body))
                                      : absl::StatusOr<std::string>(absl::InternalError(
                                            absl::StrCat("MPI worker rank ", st.MPI_SOURCE, ": ", body))));
              promises_.erase(it);
            }
          }
        }
      }
      if (g_terminated) OnSigterm();
      CheckHeartbeats();
      if (idle) std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  }

  // The silent worker rank (the oldest heartbeat), or -1 when every one beat within `seconds`.
  int Silent(double seconds) const {
    int worst = -1;
    for (int r = 1; r < size_; ++r)
      if (Since(last_heartbeat_[r]) > seconds && (worst < 0 || last_heartbeat_[r] < last_heartbeat_[worst])) worst = r;
    return worst;
  }

  void CheckHeartbeats() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failure_.empty()) return;
    const int r = Silent(timeout_s_);
    if (r < 0) return;
    failure_ = absl::StrFormat("MPI worker rank %d died or stopped answering (no heartbeat for %.1f s)", r,
                               Since(last_heartbeat_[r]));
    for (auto& [id, promise] : promises_) promise.set_value(absl::UnavailableError(failure_));
    promises_.clear();
    queue_.clear();
  }

  // mpirun is stopping the job (a rank died): name the rank whose heartbeats stopped, then exit.
  void OnSigterm() {
    const auto t = Clock::now();
    while (Since(t) < 0.5) {  // the living ranks ignore SIGTERM and keep beating
      int flag = 0;
      MPI_Status st;
      MPI_Iprobe(MPI_ANY_SOURCE, kHeartbeat, MPI_COMM_WORLD, &flag, &st);
      if (flag) {
        Receive(st, kHeartbeat);
        last_heartbeat_[st.MPI_SOURCE] = Clock::now();
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    const int r = Silent(0.4);
    std::fflush(stdout);
    if (r >= 0)
      std::fprintf(stderr, "nas: MPI worker rank %d died (no heartbeat for %.1f s); mpirun stopped the job; the log "
                   "keeps every acknowledged result (--resume completes it)\n", r, Since(last_heartbeat_[r]));
    else
      std::fprintf(stderr, "nas: stopped by SIGTERM (mpirun); the log keeps every acknowledged result\n");
    std::fflush(stderr);
    _exit(1);
  }

  int rank_ = 0, size_ = 1, slots_ = 1;
  bool served_ = false;
  std::thread heartbeat_;
  std::atomic<bool> beating_stop_{false};
  double timeout_s_ = 10;
  std::thread comm_;
  std::mutex mu_;
  bool stopping_ = false;
  std::string failure_;
  uint64_t next_id_ = 0;
  std::deque<std::pair<uint64_t, std::string>> queue_;
  std::map<uint64_t, std::promise<absl::StatusOr<std::string>>> promises_;
  std::vector<Clock::time_point> last_heartbeat_;
  std::vector<int> outstanding_;
};

const bool kRegistered = RegisterClusterFactory([]() -> std::unique_ptr<Cluster> {
  // Only under a launcher: a plain `nas` run stays a single process without touching MPI.
  if (!std::getenv("OMPI_COMM_WORLD_SIZE") && !std::getenv("PMI_SIZE") && !std::getenv("PMIX_RANK")) return nullptr;
  return std::make_unique<MpiCluster>();
});

}  // namespace
}  // namespace nas
