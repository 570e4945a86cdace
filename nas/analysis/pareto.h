// Accuracy-cost Pareto fronts of logged runs (`nas compare --pareto`): for every benchmark (table SHA-256 +
// dataset) and method label, every evaluated architecture of every run as a point (cost, test accuracy),
// where the cost is an episode field (params_m or flops_m, logged for table benchmarks with costs and for
// trained children) and the front keeps the points no other point beats in both (lower cost, higher
// accuracy). Reads logs only.
#ifndef NAS_ANALYSIS_PARETO_H_
#define NAS_ANALYSIS_PARETO_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/analysis/compare.h"

namespace nas::analysis {

struct ParetoPoint {
  double cost = 0;
  double accuracy = 0;  // test accuracy (percent), the reported figure
  int64_t arch = 0;     // space ordinal (identifier)
};

struct MethodPareto {
  std::string label;
  int runs = 0;
  int64_t evaluated = 0;           // episodes with a cost
  double median_cost = 0;          // over all evaluated episodes
  double late_mean_cost = 0;       // mean cost of the last quarter of each run's episodes
  double late_mean_accuracy = 0;   // and their mean test accuracy
  std::vector<ParetoPoint> front;  // ascending cost (and accuracy)
  double hypervolume = 0;          // area the front dominates up to the benchmark's reference point
};

struct BenchmarkPareto {
  std::string dataset, table_sha256;
  std::string cost_field;
  double reference_cost = 0, reference_accuracy = 0;  // worst cost and accuracy over every method's points
  std::vector<MethodPareto> methods;                  // in order of first appearance
};

// The non-dominated subset of `points` (minimise cost, maximise accuracy), ascending cost; duplicates of an
// architecture count once.
std::vector<ParetoPoint> ParetoFront(std::vector<ParetoPoint> points);
// Area dominated by `front` (ascending cost) inside [.., ref_cost] x [ref_accuracy, ..].
double Hypervolume(const std::vector<ParetoPoint>& front, double ref_cost, double ref_accuracy);

// `cost_field` is "params_m" or "flops_m". Errors name the file (a log without costs, unknown field).
absl::StatusOr<std::vector<BenchmarkPareto>> ParetoFronts(const std::vector<NamedLog>& logs,
                                                          const std::string& cost_field);

// Markdown: per benchmark a summary table of the methods, then each method's front.
std::string FormatParetoMarkdown(const std::vector<BenchmarkPareto>& fronts);

// gnuplot: one panel per benchmark, every method's front as a step line with points (cost on a log axis).
absl::Status WriteParetoPlot(const std::vector<BenchmarkPareto>& fronts, const std::string& path,
                             const std::string& gnuplot = "gnuplot");

}  // namespace nas::analysis

#endif  // NAS_ANALYSIS_PARETO_H_
