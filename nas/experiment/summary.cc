#include "nas/experiment/summary.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_format.h"
#include "nas/util/stats.h"

namespace nas {

namespace {
// One run has no spread: report 0 rather than NaN in the summary line.
double Spread(const std::vector<double>& v) { return v.size() < 2 ? 0.0 : stats::SampleStd(v); }
}  // namespace

RunOutcome OutcomeOf(const RunLog& run) {
  RunOutcome o;
  o.label = run.label;
  o.episodes = static_cast<int64_t>(run.episodes.size());
  if (!run.episodes.empty()) {
    const Episode& last = run.episodes.back();
    o.has_final = true;
    o.final_incumbent = last.incumbent;
    o.final_test = last.incumbent_test;
    o.final_valid = last.incumbent_valid;
  }
  return o;
}

std::vector<MethodSummary> Summarize(const std::vector<RunOutcome>& runs) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const RunOutcome*>> by_label;
  for (const RunOutcome& r : runs) {
    const std::string label(r.label);
    if (!by_label.count(label)) order.push_back(label);
    by_label[label].push_back(&r);
  }
  std::vector<MethodSummary> out;
  for (const std::string& label : order) {
    MethodSummary s;
    s.label = label;
    std::vector<double> test, valid, episodes;
    for (const RunOutcome* r : by_label[label]) {
      episodes.push_back(static_cast<double>(r->episodes));
      if (!r->has_final) continue;
      test.push_back(r->final_test);
      valid.push_back(r->final_valid);
    }
    s.runs = static_cast<int>(by_label[label].size());
    s.mean_episodes = stats::Mean(episodes);
    s.mean = stats::Mean(test);
    s.std = Spread(test);
    s.median = stats::Quantile(test, 0.5);  // NaN when empty
    s.mean_valid = stats::Mean(valid);
    out.push_back(s);
  }
  return out;
}

std::vector<MethodSummary> Summarize(const std::vector<RunLog>& runs) {
  std::vector<RunOutcome> outcomes;
  outcomes.reserve(runs.size());
  for (const RunLog& r : runs) outcomes.push_back(OutcomeOf(r));
  return Summarize(outcomes);
}

std::string FormatSummary(const std::vector<MethodSummary>& summaries) {
  size_t width = 6;
  for (const auto& s : summaries) width = std::max(width, s.label.size());
  std::string out = absl::StrFormat("%-*s %5s %9s %20s %9s %11s\n", width, "method", "runs", "episodes",
                                    "test acc mean +- std", "median", "valid mean");
  for (const auto& s : summaries)
    out += absl::StrFormat("%-*s %5d %9.1f %11.3f +- %5.3f %9.3f %11.3f\n", width, s.label, s.runs,
                           s.mean_episodes, s.mean, s.std, s.median, s.mean_valid);
  return out;
}

}  // namespace nas
