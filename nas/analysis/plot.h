// Anytime plots of a Comparison: the incumbent's test accuracy (or its regret, on a log y axis) against
// evaluations or simulated seconds, the mean over runs with a standard-error band per method, one panel per
// benchmark. Drawn by gnuplot (an external program, Debian package gnuplot-nox): a data file per curve and a
// script go to a temporary folder, gnuplot renders with the svg or pngcairo terminal (by the output's
// extension), and the picture is copied to the output path only when gnuplot succeeded.
#ifndef NAS_ANALYSIS_PLOT_H_
#define NAS_ANALYSIS_PLOT_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "nas/analysis/compare.h"

namespace nas::analysis {

struct PlotOptions {
  bool regret = false;     // plot best_test_acc - incumbent test accuracy on a log y axis
  int max_points = 400;    // most x positions per curve
  std::string gnuplot = "gnuplot";  // program name (searched in PATH) or path
};

struct Curve {
  std::string label;
  std::vector<double> x, mean, sem;  // sem = 0 where fewer than two runs have a value
  std::vector<int> n;                // runs with an incumbent at x
};

// One curve per method of `b`, on a grid over (0, budget]: every evaluation (at most max_points of them) or
// max_points evenly spaced simulated times. Positions where no run has an incumbent yet are left out.
std::vector<Curve> AnytimeCurves(const BenchmarkResult& b, bool regret, int max_points);

// The gnuplot program for `comparison` (data files named by DataFileName in the same folder).
std::string GnuplotScript(const Comparison& comparison, const std::string& output, const PlotOptions& options);
std::string DataFileName(int benchmark, int method);

// Draws `comparison` into `path` (.svg or .png). Errors name the path and what is wrong (unknown extension,
// gnuplot missing or failing with its first error line).
absl::Status WriteAnytimePlot(const Comparison& comparison, const std::string& path, const PlotOptions& options);

// Runs gnuplot on the `plot.gp` that `write` puts (with its data files) into a fresh temporary folder, with
// the picture name ("plot.svg" / "plot.png", by `path`'s extension) the script must set as its output, then
// copies the picture to `path`. Shared by the anytime and the Pareto plots.
absl::Status RunGnuplot(const std::string& path, const std::string& gnuplot,
                        const std::function<absl::Status(const std::string& dir, const std::string& picture)>& write);

// Where `program` would be executed from (a path containing '/' is taken as is), or "" when not found.
std::string FindProgram(const std::string& program);

}  // namespace nas::analysis

#endif  // NAS_ANALYSIS_PLOT_H_
