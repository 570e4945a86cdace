#include "nas/analysis/plot.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nas/util/stats.h"
#include "nas/util/status.h"

extern char** environ;

namespace nas::analysis {
namespace {

// Colour-blind-safe palette (Okabe & Ito), then a few more.
constexpr const char* kColors[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
                                   "#56B4E9", "#000000", "#F0E442", "#999999", "#882255"};
constexpr double kRegretFloor = 1e-3;  // zero regret is drawn here on the log axis

// A gnuplot single-quoted string literal ('' escapes a quote; no other escapes inside single quotes).
std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string Lower(const std::string& s) { return absl::AsciiStrToLower(s); }

}  // namespace

std::string DataFileName(int benchmark, int method) { return absl::StrFormat("curve_%d_%d.dat", benchmark, method); }

std::vector<Curve> AnytimeCurves(const BenchmarkResult& b, bool regret, int max_points) {
  NAS_CHECK(max_points >= 2);
  std::vector<double> grid;
  if (b.unit == "evaluations") {
    const int64_t budget = static_cast<int64_t>(std::floor(b.budget));
    const int64_t step = std::max<int64_t>(1, (budget + max_points - 1) / max_points);
    for (int64_t e = 1; e <= budget; e += step) grid.push_back(static_cast<double>(e));
    if (grid.empty() || grid.back() != static_cast<double>(budget)) grid.push_back(static_cast<double>(budget));
  } else {
    for (int i = 1; i <= max_points; ++i) grid.push_back(b.budget * i / max_points);
  }
  std::vector<Curve> curves;
  for (const MethodResult& m : b.methods) {
    Curve c;
    c.label = m.label;
    for (double x : grid) {
      std::vector<double> v;
      for (const Trace& t : m.traces) {
        const double y = IncumbentAt(t, x);
        if (!std::isnan(y)) v.push_back(regret ? b.best_test_acc - y : y);
      }
      if (v.empty()) continue;
      c.x.push_back(x);
      c.mean.push_back(stats::Mean(v));
      c.sem.push_back(v.size() >= 2 ? stats::StandardError(v) : 0.0);
      c.n.push_back(static_cast<int>(v.size()));
    }
    curves.push_back(std::move(c));
  }
  return curves;
}

std::string GnuplotScript(const Comparison& comparison, const std::string& output, const PlotOptions& options) {
  const bool png = absl::EndsWith(Lower(output), ".png");
  const int panels = static_cast<int>(comparison.benchmarks.size());
  const int cols = panels <= 1 ? 1 : panels <= 4 ? 2 : 3;
  const int rows = (panels + cols - 1) / cols;
  const int width = 760 * cols, height = 520 * rows + 50;
  std::string s = "set encoding utf8\n";
  if (png)
    absl::StrAppend(&s, "set terminal pngcairo size ", width, ",", height, " font 'Sans,12' noenhanced background '#ffffff'\n");
  else
    absl::StrAppend(&s, "set terminal svg size ", width, ",", height, " font 'Sans,12' noenhanced background '#ffffff'\n");
  absl::StrAppend(&s, "set output ", Quote(output), "\n");
  const std::string what = options.regret ? "Regret of the incumbent (best test accuracy in the table - incumbent's)"
                                          : "Test accuracy of the incumbent (best by validation so far)";
  absl::StrAppend(&s, "set multiplot layout ", rows, ",", cols, " title ",
                  "\"", what, "\\nmean over runs, band = ± 1 standard error\"", " font 'Sans,14'\n");
  s += "set grid lc rgb '#dddddd'\nset border lc rgb '#444444'\nset tics nomirror\nset mxtics\n";
  s += "set style fill transparent solid 0.18 noborder\n";
  s += options.regret ? "set logscale y\nset key top right\n" : "set key bottom right\n";
  s += "set key opaque box lc rgb '#bbbbbb' samplen 2 spacing 1.1\n";
  // One colour per label across all panels.
  std::map<std::string, int> color_of;
  for (const BenchmarkResult& b : comparison.benchmarks)
    for (const MethodResult& m : b.methods) color_of.emplace(m.label, static_cast<int>(color_of.size()));
  for (int bi = 0; bi < panels; ++bi) {
    const BenchmarkResult& b = comparison.benchmarks[bi];
    int max_runs = 0;
    for (const MethodResult& m : b.methods) max_runs = std::max<int>(max_runs, m.traces.size());
    absl::StrAppend(&s, "set title ",
                    Quote(absl::StrCat(b.dataset, " (search ", b.search_epochs, " / report ", b.report_epochs,
                                       " epochs, up to ", max_runs, " runs per method)")),
                    "\n");
    absl::StrAppend(&s, "set xlabel ", Quote(b.unit == "evaluations" ? "evaluations" : "simulated seconds"), "\n");
    absl::StrAppend(&s, "set ylabel ",
                    Quote(options.regret ? absl::StrFormat("regret (accuracy points, log; 0 drawn at %g)", kRegretFloor)
                                         : "test accuracy (%)"),
                    "\n");
    absl::StrAppend(&s, "set xrange [0:", absl::StrFormat("%.10g", b.budget), "]\n");
    if (!options.regret) {
      // The first evaluations are far below the rest; start the y axis where the curves are after 10 % of the
      // budget so that the differences that matter are visible (earlier parts run off the bottom).
      double low = b.best_test_acc, high = b.best_test_acc;
      for (const Curve& c : AnytimeCurves(b, false, options.max_points))
        for (size_t i = 0; i < c.x.size(); ++i) {
          if (c.x[i] < 0.1 * b.budget) continue;
          low = std::min(low, c.mean[i] - c.sem[i]);
          high = std::max(high, c.mean[i] + c.sem[i]);
        }
      const double margin = 0.08 * std::max(high - low, 0.1);
      absl::StrAppend(&s, absl::StrFormat("set yrange [%.10g:%.10g]\n", low - margin, high + margin));
    } else {
      s += "set yrange [*:*]\n";
    }
    std::vector<std::string> bands, lines;
    for (int mi = 0; mi < static_cast<int>(b.methods.size()); ++mi) {
      const std::string color = kColors[color_of.at(b.methods[mi].label) % (sizeof kColors / sizeof *kColors)];
      const std::string file = Quote(DataFileName(bi, mi));
      bands.push_back(absl::StrCat(file, " using 1:3:4 with filledcurves fc rgb '", color, "' notitle"));
      lines.push_back(absl::StrCat(file, " using 1:2 with lines lw 2.5 lc rgb '", color, "' title ",
                                   Quote(b.methods[mi].label)));
    }
    std::vector<std::string> all = bands;
    all.insert(all.end(), lines.begin(), lines.end());
    if (!options.regret)
      all.push_back(absl::StrFormat("%.10g with lines dt 2 lw 1.5 lc rgb '#555555' title %s", b.best_test_acc,
                                    Quote(absl::StrFormat("best in table (%.3f)", b.best_test_acc))));
    absl::StrAppend(&s, "plot ", absl::StrJoin(all, ", \\\n     "), "\n");
  }
  s += "unset multiplot\n";
  return s;
}

std::string FindProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0 ? program : "";
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "/usr/bin:/bin", ':')) {
    const std::string candidate = absl::StrCat(dir.empty() ? "." : std::string(dir), "/", program);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

absl::Status RunGnuplot(const std::string& path, const std::string& gnuplot_program,
                        const std::function<absl::Status(const std::string& dir, const std::string& picture)>& write) {
  const std::string lower = Lower(path);
  const bool png = absl::EndsWith(lower, ".png");
  if (!png && !absl::EndsWith(lower, ".svg"))
    return absl::InvalidArgumentError(absl::StrCat(path, ": the plot must be .svg or .png"));
  const std::string gnuplot = FindProgram(gnuplot_program);
  if (gnuplot.empty())
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": cannot draw the plot: '", gnuplot_program,
        "' is not installed or not in PATH (Debian package gnuplot-nox; tools/build/setup.sh installs it)"));

  std::error_code ec;
  std::string tmpl = (std::filesystem::temp_directory_path(ec) / "nas_plot_XXXXXX").string();
  if (ec || mkdtemp(tmpl.data()) == nullptr)
    return absl::InternalError(absl::StrCat(path, ": cannot create a temporary folder for gnuplot"));
  const std::filesystem::path dir = tmpl;
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code e;
      std::filesystem::remove_all(dir, e);
    }
  } cleanup{dir};
  const std::string picture = png ? "plot.png" : "plot.svg";
  NAS_RETURN_IF_ERROR(write(dir.string(), picture));

  // gnuplot runs in the temporary folder (the script names its files relative to it); its output goes to a log.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log = (dir / "gnuplot.log").string();
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  const std::string script = (dir / "plot.gp").string();
  // posix_spawn has no chdir action before glibc 2.29's _np variant; the script sets the folder instead.
  const std::string cd = absl::StrCat("cd ", Quote(dir.string()));
  std::vector<std::string> arg_strings = {gnuplot, "-e", cd, script};
  std::vector<char*> argv;
  for (std::string& a : arg_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  const int spawn_error = posix_spawn(&pid, gnuplot.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawn_error != 0)
    return absl::InternalError(absl::StrCat(path, ": cannot start ", gnuplot, ": ", std::strerror(spawn_error)));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !std::filesystem::exists(dir / picture)) {
    std::ifstream in(log);
    std::string line, last;  // gnuplot echoes the command and a caret first; the message comes last
    while (std::getline(in, line))
      if (!absl::StripAsciiWhitespace(line).empty()) last = std::string(absl::StripAsciiWhitespace(line));
    return absl::InternalError(absl::StrCat(path, ": gnuplot failed (", gnuplot, "): ", last.empty() ? "no message" : last));
  }
  std::filesystem::copy_file(dir / picture, path, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) return absl::InternalError(absl::StrCat(path, ": cannot write the plot: ", ec.message()));
  return absl::OkStatus();
}

absl::Status WriteAnytimePlot(const Comparison& comparison, const std::string& path, const PlotOptions& options) {
  if (comparison.benchmarks.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": nothing to plot"));
  return RunGnuplot(path, options.gnuplot, [&](const std::string& dir_name, const std::string& picture) -> absl::Status {
  const std::filesystem::path dir = dir_name;
  for (int bi = 0; bi < static_cast<int>(comparison.benchmarks.size()); ++bi) {
    const std::vector<Curve> curves = AnytimeCurves(comparison.benchmarks[bi], options.regret, options.max_points);
    for (int mi = 0; mi < static_cast<int>(curves.size()); ++mi) {
      std::ofstream f(dir / DataFileName(bi, mi));
      f << "# x mean low high n\n";
      const Curve& c = curves[mi];
      for (size_t i = 0; i < c.x.size(); ++i) {
        double mean = c.mean[i], low = c.mean[i] - c.sem[i], high = c.mean[i] + c.sem[i];
        if (options.regret) {
          mean = std::max(mean, kRegretFloor);
          low = std::max(low, kRegretFloor);
          high = std::max(high, kRegretFloor);
        }
        f << absl::StrFormat("%.10g %.10g %.10g %.10g %d\n", c.x[i], mean, low, high, c.n[i]);
      }
      if (c.x.empty()) f << "nan nan nan nan 0\n";  // keeps gnuplot from failing on an empty file
      if (!f) return absl::InternalError(absl::StrCat(path, ": cannot write gnuplot data in ", dir.string()));
    }
  }
  std::ofstream f(dir / "plot.gp");
  f << GnuplotScript(comparison, picture, options);
  if (!f) return absl::InternalError(absl::StrCat(path, ": cannot write the gnuplot script in ", dir.string()));
  return absl::OkStatus();
  });
}


}  // namespace nas::analysis
