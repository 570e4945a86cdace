// Per-method statistics of finished runs: the final incumbent's reported test accuracy (the incumbent is the
// best architecture by the search signal, validation accuracy).
#ifndef NAS_EXPERIMENT_SUMMARY_H_
#define NAS_EXPERIMENT_SUMMARY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "nas/log/episode_log.h"

namespace nas {

struct MethodSummary {
  std::string label;
  int runs = 0;
  double mean_episodes = 0;
  double mean = 0, std = 0, median = 0;  // final incumbent test accuracy; std with n-1
  double mean_valid = 0;                 // final incumbent validation accuracy
};

// What the closing summaries need of one finished run, in O(1) memory: its episode count and its last
// episode's incumbent. `nas run` keeps one per run instead of the run's episodes.
// `label` views the run's label (a RunLog's, or the config's method): it must outlive the outcome.
struct RunOutcome {
  absl::string_view label;
  int64_t episodes = 0;
  bool has_final = false;       // false for a run without episodes
  int64_t final_incumbent = -1;  // the last episode's incumbent (its architecture)
  double final_test = 0, final_valid = 0;  // and that incumbent's test and validation accuracy
};
RunOutcome OutcomeOf(const RunLog& run);

// Summaries in the order labels first appear in `runs`.
std::vector<MethodSummary> Summarize(const std::vector<RunOutcome>& runs);
std::vector<MethodSummary> Summarize(const std::vector<RunLog>& runs);

// A fixed-width text table (one line per method) with a header line.
std::string FormatSummary(const std::vector<MethodSummary>& summaries);
}  // namespace nas

#endif  // NAS_EXPERIMENT_SUMMARY_H_
