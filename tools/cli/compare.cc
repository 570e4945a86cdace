// nas compare LOG.h5...: compares logged runs offline (never re-runs anything): per benchmark and method, the
// incumbent's test accuracy and regret at budget points, ranks, Mann-Whitney U against random search; Markdown
// on stdout, optional CSV and anytime plot.
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nas/analysis/compare.h"
#include "nas/analysis/pareto.h"
#include "nas/analysis/plot.h"
#include "nas/log/episode_log.h"
#include "nas/search/strategy.h"
#include "tools/cli/args.h"
#include "tools/cli/commands.h"
#include "tools/cli/log_input.h"
#include "tools/cli/output_guard.h"

namespace nas::cli {
namespace {

// Writes `text` to a temporary file next to `path`, then renames it: a failure leaves no partial file.
absl::Status WriteText(const std::string& path, const std::string& text) {
  const std::string tmp = absl::StrCat(path, ".tmp.", getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    f << text;
    f.close();
    if (!f) {
      std::remove(tmp.c_str());
      return absl::InternalError(absl::StrCat(path, ": cannot write the file"));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return absl::InternalError(absl::StrCat(path, ": cannot write the file"));
  }
  return absl::OkStatus();
}

}  // namespace

int CompareCommand(int argc, char** argv) {
  Args args("compare", "LOG.h5... [options]",
            "Compares logged runs without re-running anything. Runs are grouped by benchmark (table SHA-256 +\n"
            "dataset) and method label; logs of one benchmark must share epochs, seed mode and budget (--align:\n"
            "use the smallest budget), and a (label, run) may appear in one log only. For each method and budget\n"
            "point: runs, mean ± std, median and IQR of the incumbent's test accuracy and of its regret (best test\n"
            "accuracy in the table - incumbent's); rank by mean final test accuracy, averaged over benchmarks;\n"
            "two-sided Mann-Whitney U test of the final test accuracy against the method named random.\n"
            "Markdown on stdout.");
  args.Option("budgets", "budget points in percent of the budget", "25,50,75,100")
      .Option("csv", "also write a CSV file (one row per benchmark x method x budget point)")
      .Option("plot", "also draw an anytime plot (.svg or .png; needs gnuplot)")
      .Flag("regret", "plot the regret on a log axis instead of the test accuracy")
      .Flag("align", "compare logs with different budgets at the smallest one")
      .Option("pareto", "also report each method's accuracy-cost Pareto front; COST: params_m or flops_m")
      .Option("pareto_plot", "also draw the Pareto fronts (.svg or .png; needs gnuplot and --pareto)")
      .Flag("overwrite", "replace existing --csv / --plot files");
  if (absl::Status s = args.Parse(argc, argv, 1, 1 << 20); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;

  analysis::CompareOptions options;
  for (const std::string& name : RegisteredStrategies())
    if ((*FindStrategy(name))->reference) options.reference_method = name;
  auto budgets = analysis::ParseBudgetPercents(args.Get("budgets"));
  if (!budgets.ok())
    return Fail(absl::InvalidArgumentError(absl::StrCat("nas compare: --budgets: ", budgets.status().message())));
  options.budget_percents = *budgets;
  options.align = args.GetFlag("align");
  if (args.GetFlag("regret") && !args.Has("plot"))
    return Fail(absl::InvalidArgumentError("nas compare: --regret changes the plot only; give --plot OUT.svg too"));

  std::vector<std::string> inputs;
  for (const std::string& p : args.positional()) inputs.push_back(ResolvePath(p));
  const std::string csv = args.Has("csv") ? ResolvePath(args.Get("csv")) : "";
  const std::string plot = args.Has("plot") ? ResolvePath(args.Get("plot")) : "";
  const std::string pareto_plot = args.Has("pareto_plot") ? ResolvePath(args.Get("pareto_plot")) : "";
  if (args.Has("pareto") && args.Get("pareto") != "params_m" && args.Get("pareto") != "flops_m")
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("nas compare: --pareto: unknown cost '", args.Get("pareto"), "' (known: params_m, flops_m)")));
  if (!pareto_plot.empty() && !args.Has("pareto"))
    return Fail(absl::InvalidArgumentError("nas compare: --pareto_plot needs --pareto params_m|flops_m"));
  if (!pareto_plot.empty()) {
    std::vector<std::string> others = inputs;
    others.push_back(csv);
    others.push_back(plot);
    if (absl::Status s = CheckOutput(pareto_plot, PlotOutput(), others, args.GetFlag("overwrite")); !s.ok())
      return Fail(s);
  }
  if (!csv.empty() && csv == plot)
    return Fail(absl::InvalidArgumentError(absl::StrCat(csv, ": given as both --csv and --plot")));
  if (!csv.empty()) {
    std::vector<std::string> others = inputs;
    others.push_back(plot);
    if (absl::Status s = CheckOutput(csv, TextOutput("CSV of nas compare", "dataset,table_sha256,unit,budget,"), others,
                                     args.GetFlag("overwrite"));
        !s.ok())
      return Fail(s);
  }
  if (!plot.empty()) {
    std::vector<std::string> others = inputs;
    others.push_back(csv);
    if (absl::Status s = CheckOutput(plot, PlotOutput(), others, args.GetFlag("overwrite")); !s.ok()) return Fail(s);
  }
  if (!plot.empty() && !absl::EndsWithIgnoreCase(plot, ".svg") && !absl::EndsWithIgnoreCase(plot, ".png"))
    return Fail(absl::InvalidArgumentError(absl::StrCat(plot, ": the plot must be .svg or .png")));

  std::vector<analysis::NamedLog> logs;
  for (const std::string& path : inputs) {
    auto log = ReadCheckedLog(path);
    if (!log.ok()) return Fail(log.status());
    logs.push_back({path, std::move(*log)});
  }
  auto comparison = analysis::Compare(logs, options);
  if (!comparison.ok()) return Fail(comparison.status());
  if (!plot.empty()) {
    analysis::PlotOptions plot_options;
    plot_options.regret = args.GetFlag("regret");
    if (absl::Status s = analysis::WriteAnytimePlot(*comparison, plot, plot_options); !s.ok()) return Fail(s);
  }
  if (!csv.empty())
    if (absl::Status s = WriteText(csv, analysis::FormatCsv(*comparison)); !s.ok()) return Fail(s);
  std::printf("%s", analysis::FormatMarkdown(*comparison).c_str());
  if (args.Has("pareto")) {
    auto fronts = analysis::ParetoFronts(logs, args.Get("pareto"));
    if (!fronts.ok()) return Fail(fronts.status());
    if (!pareto_plot.empty())
      if (absl::Status s = analysis::WriteParetoPlot(*fronts, pareto_plot); !s.ok()) return Fail(s);
    std::printf("\n%s", analysis::FormatParetoMarkdown(*fronts).c_str());
  }
  return 0;
}

}  // namespace nas::cli
