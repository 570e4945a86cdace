// Offline comparison of logged runs (Lindauer & Hutter's NAS checklist: same benchmark, same budget, several
// runs, report spread and significance). Reads nothing but the logs; never re-runs anything.
//
// Runs are grouped by benchmark (the table's SHA-256 + the config's dataset) and by method label. Within a
// benchmark every log must agree on search/report epochs, seed mode, evaluation cost and budget (budgets may
// differ with `align`: the smallest is used); the same dataset name over two different tables is refused as
// a likely mistake, and so is a (label, run) present in two logs. Statistics are of the incumbent's test
// accuracy (the incumbent: best architecture by validation accuracy so far) at budget points, and of its
// regret = best_test_acc (root attribute) - incumbent test accuracy.
#ifndef NAS_ANALYSIS_COMPARE_H_
#define NAS_ANALYSIS_COMPARE_H_

#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/util/stats.h"
#include "nas/log/episode_log.h"

namespace nas::analysis {

struct CompareOptions {
  std::vector<double> budget_percents = {25, 50, 75, 100};  // each in (0, 100]
  bool align = false;  // allow different budgets (same unit): use the smallest
};

struct NamedLog {
  std::string path;  // for messages
  LogFile log;
};

// The incumbent trace of one run: x = evaluations (index + 1) or simulated seconds, y = incumbent test acc.
struct Trace {
  int32_t run = 0;
  std::vector<double> x, y;
};

struct PointStats {
  double percent = 0;  // of the budget
  double budget = 0;   // evaluations or simulated seconds
  stats::Summary test;        // incumbent test accuracy over runs (runs without an episode by then are left out)
  stats::Summary regret;      // best_test_acc - incumbent test accuracy
};

struct MethodResult {
  std::string label;
  std::string method;  // strategy name (the runs' "method" attribute)
  std::vector<std::string> files;  // logs its runs came from
  std::vector<Trace> traces;       // ordered by run
  std::vector<PointStats> points;  // one per budget percent
  stats::Summary final_test;              // at 100 % of the (aligned) budget
  double rank = 0;                 // by mean final test accuracy within the benchmark (1 = best, ties averaged)
  bool has_test = false;           // a Mann-Whitney U test against the random-search reference was made
  stats::MannWhitneyResult vs_random;     // this method (first sample) vs the reference, final test accuracy
  // Parallel workers (budget.workers): logs with P > 1 are compared as label "<label>@P", in simulated
  // wall-clock; speedup = mean simulated time to finish of <label> with 1 worker / this one's (NaN: no such).
  std::string base_label;
  int workers = 1;
  stats::Summary finish_time;  // of the runs' last episodes, in the benchmark's unit
  double speedup = NAN;
};

struct BenchmarkResult {
  std::string dataset;
  std::string table_sha256;
  std::string search_epochs, report_epochs;
  std::string unit;    // "evaluations" or "simulated seconds"
  double budget = 0;   // the (aligned) budget the points refer to
  bool aligned = false;  // budgets differed and were aligned
  double best_test_acc = 0;
  std::vector<std::string> files;
  std::vector<std::string> experiments;  // the logs' experiment names
  std::string reference;  // label of the random-search reference ("" when none)
  std::vector<MethodResult> methods;  // in order of first appearance
};

struct Comparison {
  std::vector<double> budget_percents;
  std::vector<BenchmarkResult> benchmarks;
  // label -> (average rank over the benchmarks it appears in, number of those benchmarks)
  std::map<std::string, std::pair<double, int>> average_rank;
};

// Errors name the file(s) concerned and what is wrong.
absl::StatusOr<Comparison> Compare(const std::vector<NamedLog>& logs, const CompareOptions& options);

// Incumbent test accuracy of a trace at budget `point`: the last episode with x <= point (evaluations are
// index + 1); NaN when there is none.
double IncumbentAt(const Trace& trace, double point);

// One Markdown table per benchmark, then the average ranks.
std::string FormatMarkdown(const Comparison& comparison);
// One row per benchmark x method x budget point, with a header row.
std::string FormatCsv(const Comparison& comparison);

// Parses "25,50,75,100": each value a number in (0, 100], no duplicates.
absl::StatusOr<std::vector<double>> ParseBudgetPercents(const std::string& text);

}  // namespace nas::analysis

#endif  // NAS_ANALYSIS_COMPARE_H_
