// The HDF5 episode log, format version 2 (documented in README.md, "Log format"):
//
//   /                     attrs (strings): format = "nas-log", format_version = "2", flush_every, config (the
//                         resolved experiment, Protobuf text format), and provenance (git_commit, compiler,
//                         hdf5, protobuf, torch, blas, threads, cpu, table_path, table_sha256, ...).
//   /runs/<label>/<run>   one group per planned (method label, run number zero-padded to 4 digits), attrs:
//                         method, label, run, slot, strategy_seed, eval_seed, ... Created before any episode.
//        /log_prob /entropy /reward /valid_acc /test_acc /sim_time /wall_time
//        /incumbent_valid /incumbent_test                      [N] float64
//        /arch /incumbent /table_slot                          [N] int64
//        /actions                                              [N, D] int32
//        /params_m /flops_m /cost                              [N] float64 (reward design; absent in older logs)
//        /index                                                [N] int64, written last: its length is the
//                                                              number of acknowledged episodes
//   /completed            [K] int64: slots of the runs that finished, in the order they finished
//
// Crash safety: the file is written in HDF5's single-writer/multiple-reader (SWMR) mode. Every object exists
// before the first episode; afterwards only appends happen, and each run's episodes are flushed every
// `flush_every` episodes (default 1) and at its end: the columns first, then `index`. An episode is
// "acknowledged" once the flush that covers its `index` row returns. A writer killed at any moment (SIGKILL
// included) leaves a file that opens (nas, and h5py with swmr=True, or after `h5clear -s`) and holds every
// acknowledged episode; rows beyond `index`'s length are ignored.
#ifndef NAS_LOG_EPISODE_LOG_H_
#define NAS_LOG_EPISODE_LOG_H_

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace nas {

// One epoch of a really trained child (train evaluator); stored in /runs/<label>/<run>/curves.
struct CurvePoint {
  int64_t episode = 0;
  int64_t epoch = 0;  // 1-based
  double train_loss = 0, train_acc = 0, valid_loss = 0, valid_acc = 0, test_loss = 0, test_acc = 0;
  double train_time = 0;  // wall seconds (not compared by replay)
};

struct Episode {
  int64_t index = 0;        // 0-based within the run
  int64_t arch = 0;         // space ordinal
  std::vector<int32_t> actions;
  double log_prob = 0;      // log-probability of the actions under the sampling policy (0 for non-RL)
  double entropy = 0;       // policy entropy summed over decisions (0 for non-RL)
  double reward = 0;        // what the strategy was told
  double valid_acc = 0;     // search signal (percent)
  double test_acc = 0;      // reported figure (percent)
  double sim_time = 0;      // cumulative simulated seconds after this episode
  double wall_time = 0;     // cumulative wall seconds after this episode (not compared by replay)
  int64_t incumbent = 0;    // ordinal of the best-by-validation architecture so far
  double incumbent_valid = 0;
  double incumbent_test = 0;
  int64_t table_slot = 0;   // seed slot of the table used (mean slot for MEAN), or the training seed
  std::vector<CurvePoint> curve;  // training curve of this episode's child (train evaluator only)
  // Reward design (stored after table_slot; NaN where unknown, and in logs written before these fields):
  double params_m = NAN;    // the architecture's parameters (millions), from the table or the trained child
  double flops_m = NAN;     // its forward multiply-adds (millions)
  double cost = NAN;        // the cost the reward used (benchmark.reward.cost), NaN without a cost term
};

struct RunLog {
  std::string label;
  std::string method;
  int32_t run = 0;
  std::map<std::string, std::string> attributes;  // strategy_seed, eval_seed, ... (strings)
  std::vector<Episode> episodes;
  bool complete = true;  // false: the writer stopped before the run finished (episodes = acknowledged ones)
  bool has_costs = true;  // false: written before the params_m / flops_m / cost fields (read as NaN)
};

struct LogFile {
  std::map<std::string, std::string> attributes;  // root attributes
  std::vector<RunLog> runs;                        // in slot order (as planned)
};

// A run the log will hold; its slot is its index in the vector given to Create.
struct RunSlot {
  std::string label;
  std::string method;
  int32_t run = 0;
  std::map<std::string, std::string> attributes;
};

class EpisodeLogWriter {
 public:
  // Creates the log with every planned run's group and empty datasets, then switches to SWMR writing.
  // Refuses an existing `path` unless `overwrite`. Takes an advisory write lock (fcntl, so readers using
  // HDF5's own flock are not blocked): a second writer of the same file is refused with a clear message.
  static absl::StatusOr<std::unique_ptr<EpisodeLogWriter>> Create(
      const std::string& path, const std::map<std::string, std::string>& attributes, int num_decisions,
      const std::vector<RunSlot>& slots, bool overwrite, int flush_every = 1);
  virtual ~EpisodeLogWriter() = default;

  // Appends an episode to run `slot` (thread-safe); flushes every flush_every episodes of that run.
  virtual absl::Status Append(int slot, const Episode& episode) = 0;
  // Flushes the run's remaining episodes and records it as completed.
  virtual absl::Status FinishRun(int slot) = 0;
  // Flushes every pending episode, then flushes every `n` episodes of a run from now on.
  virtual absl::Status SetFlushEvery(int n) = 0;
  // Episodes of `slot` acknowledged so far (flushed).
  virtual int64_t Acknowledged(int slot) const = 0;
  virtual absl::Status Close() = 0;

  // Convenience: writes whole runs (Append every episode + FinishRun) into a new log.
  static absl::Status WriteAll(const std::string& path, const std::map<std::string, std::string>& attributes,
                               int num_decisions, const std::vector<RunLog>& runs, bool overwrite);
};

// Fails with a clear message when another process holds `path`'s log write lock (is writing it).
absl::Status CheckNotBeingWritten(const std::string& path);

// Reads a whole log (also one whose writer is still running or was killed). Errors name the file and what is
// wrong (not a log, an older format version, truncated, ...).
absl::StatusOr<LogFile> ReadLog(const std::string& path);

}  // namespace nas

#endif  // NAS_LOG_EPISODE_LOG_H_
