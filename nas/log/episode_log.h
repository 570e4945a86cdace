// The HDF5 episode log (format documented in README.md, "Log format"):
//
//   /                     attrs (strings): format = "nas-log", format_version = "1", config (the resolved
//                         experiment, Protobuf text format), and provenance (git_commit, compiler, hdf5,
//                         protobuf, torch, blas, threads, cpu, table_path, table_sha256, ...).
//   /runs/<label>/<run>   one group per (method label, run number, zero-padded to 4 digits), attrs: method,
//                         label, run, strategy_seed, eval_seed, episodes (count), plus strategy-specific ones.
//        /index /arch /incumbent /table_slot                   [N] int64
//        /log_prob /entropy /reward /valid_acc /test_acc /sim_time /wall_time
//        /incumbent_valid /incumbent_test                      [N] float64
//        /actions                                              [N, D] int32
//   Datasets are chunked and extendable (appended episode by episode).
#ifndef NAS_LOG_EPISODE_LOG_H_
#define NAS_LOG_EPISODE_LOG_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace nas {

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
  int64_t table_slot = 0;   // seed slot of the table used (mean slot for MEAN)
};

struct RunLog {
  std::string label;
  std::string method;
  int32_t run = 0;
  std::map<std::string, std::string> attributes;  // strategy_seed, eval_seed, ... (strings)
  std::vector<Episode> episodes;
};

struct LogFile {
  std::map<std::string, std::string> attributes;  // root attributes
  std::vector<RunLog> runs;                        // ordered by label (as written), then run
};

class EpisodeLogWriter {
 public:
  // Refuses an existing `path` unless `overwrite` (then it is replaced). `num_decisions` fixes /actions' width.
  static absl::StatusOr<std::unique_ptr<EpisodeLogWriter>> Create(
      const std::string& path, const std::map<std::string, std::string>& attributes, int num_decisions,
      bool overwrite);
  virtual ~EpisodeLogWriter() = default;

  // Writes one whole run (its group, attributes and every episode) and flushes the file.
  virtual absl::Status WriteRun(const RunLog& run) = 0;
  virtual absl::Status Close() = 0;
};

// Reads a whole log. Errors name the file and what is wrong (not a log, wrong version, truncated, ...).
absl::StatusOr<LogFile> ReadLog(const std::string& path);

}  // namespace nas

#endif  // NAS_LOG_EPISODE_LOG_H_
