// Distribution over processes (MPI ranks). Rank 0 runs the strategies (or the build plan) and writes the one
// log or table; every other rank answers the requests rank 0 sends it (a child to train) and writes nothing.
// The MPI layer (nas/mpi, built with `--define mpi=1`) registers itself here; without it, or when nas is not
// started by mpirun, there is no cluster and everything runs in the one process, as before.
//
// Results never depend on the cluster: a request carries everything its answer depends on (the architecture
// and the seed drawn by rank 0 in proposal order), and rank 0 consumes the answers in its own order.
#ifndef NAS_UTIL_CLUSTER_H_
#define NAS_UTIL_CLUSTER_H_

#include <cstdint>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace nas {

using RemoteHandler = std::function<absl::StatusOr<std::string>(const std::string& request)>;
using RemoteFuture = std::shared_future<absl::StatusOr<std::string>>;

class Cluster {
 public:
  virtual ~Cluster() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Requests one worker rank may hold at once (its --threads); set by rank 0 before the first Call.
  virtual void set_slots_per_worker(int slots) = 0;
  // Rank 0, thread-safe: runs `request` on a worker rank. A worker that dies (or stops answering) fails every
  // call with a message naming the rank.
  virtual RemoteFuture Call(std::string request) = 0;
  // Worker ranks: answers requests with `handler` on `slots` threads until rank 0 finishes. Returns the exit
  // code for the process.
  virtual int Serve(const RemoteHandler& handler, int slots) = 0;
  // Worker ranks whose command failed before serving: waits for rank 0 to finish (rank 0 reports the error).
  virtual int Idle() = 0;
};

// Creates the cluster once (the MPI layer's factory), from main(); nullptr without one. `Finish` ends it
// (rank 0 releases the workers) and returns the exit code to use.
Cluster* StartCluster();
int FinishCluster(int exit_code);
// The cluster started, with more than one rank; nullptr otherwise.
Cluster* GetCluster();

using ClusterFactory = std::function<std::unique_ptr<Cluster>()>;  // nullptr: not under mpirun
bool RegisterClusterFactory(ClusterFactory factory);

// Little-endian byte strings for requests and answers.
class ByteWriter {
 public:
  template <typename T>
  ByteWriter& Put(const T& value) {
    out_.append(reinterpret_cast<const char*>(&value), sizeof value);
    return *this;
  }
  ByteWriter& PutString(const std::string& s) {
    Put<uint64_t>(s.size());
    out_ += s;
    return *this;
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(const std::string& in) : in_(in) {}
  template <typename T>
  bool Get(T* value) {
    if (in_.size() - pos_ < sizeof *value) return false;
    std::memcpy(value, in_.data() + pos_, sizeof *value);
    pos_ += sizeof *value;
    return true;
  }
  bool GetString(std::string* s) {
    uint64_t n;
    if (!Get(&n) || in_.size() - pos_ < n) return false;
    s->assign(in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  const std::string& in_;
  size_t pos_ = 0;
};

}  // namespace nas

#endif  // NAS_UTIL_CLUSTER_H_
