// Per-method statistics of finished runs: the final incumbent's reported test accuracy (the incumbent is the
// best architecture by the search signal, validation accuracy).
#ifndef NAS_EXPERIMENT_SUMMARY_H_
#define NAS_EXPERIMENT_SUMMARY_H_

#include <string>
#include <vector>

#include "nas/log/episode_log.h"

namespace nas {

struct MethodSummary {
  std::string label;
  int runs = 0;
  double mean_episodes = 0;
  double mean = 0, std = 0, median = 0;  // final incumbent test accuracy; std with n-1
  double mean_valid = 0;                 // final incumbent validation accuracy
};

// Summaries in the order labels first appear in `runs`.
std::vector<MethodSummary> Summarize(const std::vector<RunLog>& runs);

// A fixed-width text table (one line per method) with a header line.
std::string FormatSummary(const std::vector<MethodSummary>& summaries);


}  // namespace nas

#endif  // NAS_EXPERIMENT_SUMMARY_H_
