// nas transfer TABLE[:DATASET]... [--logs LOG,...]: transferability of architectures between datasets. For
// every pair of the given datasets (all of a table's when none is named) the rank correlation of the
// architectures' test accuracies (Kendall tau-b, Spearman rho); with --logs, for each method of each log the
// test accuracy on every other dataset of the architectures its runs found, against that dataset's optimum.
#include <cstdio>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nas/analysis/transfer.h"
#include "nas/log/episode_log.h"
#include "nas/table/table_io.h"
#include "nas/util/sha256.h"
#include "tools/cli/args.h"
#include "tools/cli/commands.h"

namespace nas::cli {

int TransferCommand(int argc, char** argv) {
  Args args("transfer", "TABLE[:DATASET]... [--logs LOG,...]",
            "Rank correlation (Kendall tau-b by Knight's O(n log n) algorithm, Spearman rho) of the architectures'\n"
            "test accuracies (largest fidelity, mean over seeds) between every pair of the given datasets of dense\n"
            "tables over one space (a table's datasets: all, or the one after ':'). With --logs: per method, the\n"
            "final incumbents found on the log's own dataset, evaluated on every other given dataset, against\n"
            "that dataset's optimum. Markdown on stdout.");
  args.Option("logs", "comma-separated logs of runs on one of the given tables");
  if (absl::Status s = args.Parse(argc, argv, 1, 64); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;

  std::vector<analysis::DatasetColumn> columns;
  const bool several = args.positional().size() > 1;
  for (const std::string& arg : args.positional()) {
    std::string path = arg, dataset;
    const size_t colon = arg.rfind(':');
    if (colon != std::string::npos && colon > 0) path = arg.substr(0, colon), dataset = arg.substr(colon + 1);
    path = ResolvePath(path);
    auto table = ReadTable(path);
    if (!table.ok()) return Fail(table.status());
    auto sha = Sha256File(path);
    if (!sha.ok()) return Fail(sha.status());
    std::vector<std::string> names = dataset.empty() ? (*table)->dataset_names() : std::vector<std::string>{dataset};
    for (const std::string& name : names) {
      const std::string label = several ? absl::StrCat(name, " (", arg.substr(0, colon == std::string::npos ? arg.size() : colon), ")") : name;
      auto column = analysis::ColumnOf(**table, name, absl::StrCat(path, ": ", label), *sha);
      if (!column.ok()) return Fail(column.status());
      column->name = label;
      columns.push_back(std::move(*column));
    }
  }
  if (columns.size() < 2)
    return Fail(absl::InvalidArgumentError("nas transfer: needs at least two datasets (of one or more tables)"));
  auto correlations = analysis::RankCorrelations(columns);
  if (!correlations.ok()) return Fail(correlations.status());
  std::vector<analysis::TransferRow> rows;
  if (args.Has("logs"))
    for (absl::string_view p : absl::StrSplit(args.Get("logs"), ',', absl::SkipEmpty())) {
      const std::string path = ResolvePath(std::string(p));
      auto log = ReadLog(path);
      if (!log.ok()) return Fail(log.status());
      auto r = analysis::TransferOfRuns(columns, *log, path);
      if (!r.ok()) return Fail(r.status());
      rows.insert(rows.end(), r->begin(), r->end());
    }
  std::printf("%s", analysis::FormatTransferMarkdown(*correlations, rows).c_str());
  return 0;
}

}  // namespace nas::cli
