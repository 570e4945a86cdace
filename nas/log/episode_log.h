// The HDF5 episode log, format version 4 (documented in nas/log/README.md, "Log format"):
//
//   /                     attrs (strings): format = "nas-log", format_version = "4", flush_every,
//                         flush_interval_ms, config (the resolved experiment, Protobuf text format), and
//                         provenance (git_commit, compiler, hdf5, protobuf, torch, blas, threads, cpu, table_path,
//                         table_sha256, ...).
//   /slots                [S] compound, one row per planned run: label, method, run, attributes (strategy_seed,
//                         eval_seed, ... as "key=value" lines).
//   /runs/<label>/episodes  [N] compound, the episodes of every run of the method label: run (int32), then the
//                         fields of record::kEpisodeFields (episode_record.h) in order, the actions as int32
//                         members a0..a{D-1}. Extendible; each commit appends its rows run by run.
//   /runs/<label>/curves  [M] compound, one row per trained epoch: run, then record::kCurveFields.
//   /progress             [S] compound {episodes int64, curve_rows int64, complete int8}, one row per slot:
//                         how many of the run's rows are acknowledged, and whether it finished. A label's first
//                         sum(episodes) rows (and sum(curve_rows) curve rows) over its slots are acknowledged.
// Every dataset is chunked with the filters deflate and Fletcher32: a changed byte in the raw data is reported
// as corruption naming the dataset. A commit stores each chunk it extends as a new copy (log_chunks.h), so a
// write torn by a kill does not touch acknowledged rows. Format 3 logs (a group and datasets per run) and
// format 2 logs (format 3 with a /completed list of finished slots instead of /progress) are still read.
//
// Crash safety: the file is written in HDF5's single-writer/multiple-reader (SWMR) mode. Every object exists
// before the first episode; afterwards only appends and new copies of the chunks of /progress happen. A *commit*
// appends every pending episode (curves first), flushes those datasets, then rewrites and flushes the runs'
// /progress rows: an episode is "acknowledged" once the commit that covers it returns. Readers use only the
// acknowledged rows. Commits happen every `flush_interval_ms` (group commit, by a background thread; the
// default 1000 ms: a kill loses at most the episodes of the last second), when a run has `flush_every`
// pending episodes (0: never by count), at Close, and (without a timer) when a run finishes. Before each
// commit the bytes it may need are reserved on disk, so a full disk or RLIMIT_FSIZE stops the log with the
// OS error while the file still holds exactly the acknowledged episodes. A writer killed at any moment
// (SIGKILL included) leaves a file that opens (nas, and h5py with swmr=True, or after `h5clear -s`).
#ifndef NAS_LOG_EPISODE_LOG_H_
#define NAS_LOG_EPISODE_LOG_H_

#include <cmath>
#include <cstdint>
#include <map>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/log/episode_record.h"

namespace nas {

// Episode and CurvePoint, the records a log holds, are in nas/log/episode_record.h.

struct RunLog {
  std::string label;
  std::string method;
  int32_t run = 0;
  std::map<std::string, std::string> attributes;  // strategy_seed, eval_seed, ... (strings)
  std::vector<Episode> episodes;
  bool complete = true;  // false: the writer stopped before the run finished (episodes = acknowledged ones)
  // Only from ReadLogKeepingIntactRuns: why the run's rows could not be read (a torn or corrupt chunk); the run
  // then has no episodes and complete = false, so that `nas run --resume` re-runs it. Empty for an intact run.
  std::string damage;
  bool has_fidelity = true;  // the layout has the fidelity field
};

struct LogFile {
  std::map<std::string, std::string> attributes;  // root attributes
  std::vector<RunLog> runs;                        // in slot order (as planned)
  int num_decisions = 0;                           // actions per episode (0 for a log without runs)
  // Episodes that only the log's write-ahead journal (LOG.journal, see nas/log/README.md) holds: acknowledged,
  // not yet in the HDF5 datasets. `nas recover` folds them in.
  int64_t journal_episodes = 0;
};

// Gives every episode of a run without the fidelity field `search_fidelity`, the fidelity every episode of
// such a log was evaluated at (Evaluator::LoggedFidelity of the search fidelity).
void FillUnrecordedFidelity(LogFile* log, int32_t search_fidelity);

// A run the log will hold; its slot is its index in the vector given to Create.
struct RunSlot {
  std::string label;
  std::string method;
  int32_t run = 0;
  std::map<std::string, std::string> attributes;
};

// The planned runs, given one at a time, so that a log of many runs is created without holding them all:
// `count` slots, `at(i)` the i-th (called more than once per slot while the log is created; nothing of it is
// kept but each slot's label and run number).
struct SlotSource {
  int64_t count = 0;
  std::function<RunSlot(int64_t slot)> at;
};

struct LogWriterOptions {
  // Replace an existing log. The new log is built under a temporary name (`path`.XXXXXXXX.partial) and
  // renamed over `path` only when Close() succeeds: until then the old log is untouched.
  bool overwrite = false;
  // Resume: `path` exists (the caller holds its lock and has read it); the new log replaces it when Publish()
  // is called (after the copied episodes are committed).
  bool replace_on_publish = false;
  // Commit a run once it has this many pending episodes (0: not by count).
  int flush_every = 0;
  // Commit everything pending this often (0: no timer; then FinishRun commits too).
  int flush_interval_ms = 1000;
  // Fletcher32 on every chunked dataset.
  bool checksum = true;
  // Called (under the writer's lock, on the committing thread) for every run whose acknowledged count or
  // completion a commit advanced.
  std::function<void(int slot, int64_t acknowledged, bool complete)> on_ack;
};

class EpisodeLogWriter {
 public:
  // Creates the log with every planned run's group and empty datasets, then switches to SWMR writing.
  // Refuses an existing `path` unless options.overwrite. The new file is created under a unique temporary name
  // and locked before anything is written (an advisory fcntl lock, which HDF5's flock-based locking does not
  // see, so readers keep working), and moved to `path` only if no other file got there first: of racing
  // creators exactly one wins. A second writer of the same file is refused with a clear message.
  static absl::StatusOr<std::unique_ptr<EpisodeLogWriter>> Create(
      const std::string& path, const std::map<std::string, std::string>& attributes, int num_decisions,
      const std::vector<RunSlot>& slots, const LogWriterOptions& options);
  // The same, with the slots given one at a time (a log of many runs, in memory independent of their number).
  static absl::StatusOr<std::unique_ptr<EpisodeLogWriter>> Create(
      const std::string& path, const std::map<std::string, std::string>& attributes, int num_decisions,
      const SlotSource& slots, const LogWriterOptions& options);
  // Without a timer: commits every `flush_every` episodes of a run and when it finishes.
  static absl::StatusOr<std::unique_ptr<EpisodeLogWriter>> Create(
      const std::string& path, const std::map<std::string, std::string>& attributes, int num_decisions,
      const std::vector<RunSlot>& slots, bool overwrite, int flush_every = 1);
  virtual ~EpisodeLogWriter() = default;

  // Appends an episode to run `slot` (thread-safe). Returns the error of a failed earlier commit, if any.
  virtual absl::Status Append(int slot, const Episode& episode) = 0;
  // Marks the run completed (committed with its last episodes).
  virtual absl::Status FinishRun(int slot) = 0;
  // Commits everything pending, then commits a run every `n` episodes from now on (0: not by count).
  virtual absl::Status SetFlushEvery(int n) = 0;
  // Commits everything pending now.
  virtual absl::Status Commit() = 0;
  // replace_on_publish: commits, then renames the new log over `path`.
  virtual absl::Status Publish() = 0;
  // Episodes of `slot` acknowledged so far (committed).
  virtual int64_t Acknowledged(int slot) const = 0;
  // Commits, closes, and (overwrite) moves the new log into place. After a failed commit it returns that error
  // and leaves the file with the acknowledged episodes (and, with overwrite, the old log in place).
  virtual absl::Status Close() = 0;

  // Convenience: writes whole runs (Append every episode + FinishRun) into a new log.
  static absl::Status WriteAll(const std::string& path, const std::map<std::string, std::string>& attributes,
                               int num_decisions, const std::vector<RunLog>& runs, bool overwrite);
};

// The log's advisory write lock, held by a writer for its lifetime and by `nas run --resume` for the whole
// resume. Released when destroyed.
class LogLock {
 public:
  // FailedPrecondition naming the file when another process holds it.
  static absl::StatusOr<LogLock> Take(const std::string& path);
  LogLock(LogLock&&) noexcept;
  LogLock& operator=(LogLock&&) noexcept;
  ~LogLock();

 private:
  LogLock();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Fails with a clear message when another process holds `path`'s log write lock (is writing it).
absl::Status CheckNotBeingWritten(const std::string& path);

// Reads a whole log (also one whose writer is still running or was killed): the acknowledged episodes of every
// run. Errors name the file and what is wrong (not a log, an older format version, truncated, a checksum that
// does not match naming the dataset, a progress record of another shape than the runs, ...).
// A run whose rows cannot be read fails the whole read, naming the dataset and the commands that repair it.
absl::StatusOr<LogFile> ReadLog(const std::string& path);

// Like ReadLog, but a run whose rows cannot be read (a chunk torn by a killed write, a changed byte) is returned
// with `damage` set, no episodes and complete = false, and every other run is kept; when the /progress record
// itself cannot be read, every run keeps the rows its datasets hold and counts as unfinished. Errors that leave
// no run identifiable (not a log, unreadable groups or attributes) still fail. Used by `nas recover` and
// `nas run --resume`, which re-runs the damaged runs (runs are deterministic).
absl::StatusOr<LogFile> ReadLogKeepingIntactRuns(const std::string& path);

// A log read without holding its episodes (for `nas run --resume`, in memory independent of the log's size).
// Open reads what ReadLogKeepingIntactRuns gives but the episodes and the runs' attributes: every run (label,
// method, run, completion, damage, journal included) without episodes. ForEach then gives every acknowledged
// episode of the intact runs, each run's in order (a method's runs interleaved as its datasets hold them), the
// journal's rows after the HDF5 datasets'. It holds one chunk of rows and the curve rows of one method (trained
// children only). Logs of formats 3 and 2 are read whole by Open. The caller may keep episodes in log().runs.
class LogStream {
 public:
  static absl::StatusOr<std::unique_ptr<LogStream>> Open(const std::string& path);
  LogFile& log() { return log_; }
  absl::Status ForEach(const std::function<absl::Status(int slot, Episode&& episode)>& each);

 private:
  std::string path_;
  LogFile log_;
  bool whole_ = false;              // an older format: log_ holds the episodes
  std::vector<int64_t> rows_;       // each run's acknowledged rows in the HDF5 datasets
  std::map<std::string, std::pair<int64_t, int64_t>> label_rows_;  // each method's acknowledged (episode, curve) rows
};

}  // namespace nas

#endif  // NAS_LOG_EPISODE_LOG_H_
