// nas inspect FILE.h5: summarises a table or a log.
#include <cmath>
#include <cstdio>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/analysis/table_signal.h"
#include "nas/experiment/summary.h"
#include "nas/h5/h5.h"
#include "nas/log/episode_log.h"
#include "nas/space/space.h"
#include "nas/table/table_io.h"
#include "tools/cli/args.h"
#include "tools/cli/commands.h"
#include "tools/cli/log_input.h"

namespace nas::cli {
namespace {

// Row `row` in the space's notation: sparse tables (NB101) store it, dense rows are the space's ordinals.
std::string ArchString(const Table& table, const absl::StatusOr<std::unique_ptr<SearchSpace>>& space, int64_t row) {
  if (table.sparse()) return table.row_archs()[row];
  return space.ok() ? (*space)->ToString((*space)->FromOrdinal(row)) : "";
}

void PrintTable(const std::string& path, const Table& table) {
  auto space = CreateSpace(table.space());
  std::printf("table %s\n  space %s, %lld architectures%s\n", path.c_str(), table.space().c_str(),
              static_cast<long long>(table.num_archs()), table.sparse() ? " (sparse rows)" : "");
  for (const auto& [k, v] : table.attributes()) std::printf("  %s: %s\n", k.c_str(), v.c_str());
  const std::vector<int64_t> rows = analysis::RowsOfClasses(table);
  for (const TableDataset& d : table.datasets()) {
    std::printf("dataset %s: fidelities (epochs) %s; seeds %s\n", d.name().c_str(),
                absl::StrJoin(d.fidelities(), ", ").c_str(),
                d.seeds().empty() ? "none (means only)" : absl::StrJoin(d.seeds(), ", ").c_str());
    for (int f = 0; f < static_cast<int>(d.fidelities().size()); ++f) {
      struct Best {
        double value = -INFINITY;
        int64_t arch = -1;
      } best_valid, best_test;
      double sum_v = 0, min_v = INFINITY, time_sum = 0;
      int64_t n = 0, n_time = 0;
      for (int64_t a = 0; a < d.num_archs(); ++a) {
        const TableEntry& e = d.at(a, f, d.mean_slot());
        if (!std::isnan(e.valid_acc)) {
          ++n, sum_v += e.valid_acc, min_v = std::min(min_v, e.valid_acc);
          if (e.valid_acc > best_valid.value) best_valid = {e.valid_acc, a};
        }
        if (!std::isnan(e.test_acc) && e.test_acc > best_test.value) best_test = {e.test_acc, a};
        if (!std::isnan(e.train_time)) ++n_time, time_sum += e.train_time;
      }
      std::printf("  %d epochs: %lld archs with validation accuracy, mean %.3f, min %.3f", d.fidelities()[f],
                  static_cast<long long>(n), n ? sum_v / n : NAN, min_v);
      if (n_time) std::printf(", mean training time %.3f s", time_sum / n_time);
      std::printf("\n");
      for (auto [what, b] : {std::make_pair("validation", best_valid), std::make_pair("test", best_test)}) {
        if (b.arch < 0) continue;
        std::printf("    best %s %.3f: index %lld %s\n", what, b.value,
                    static_cast<long long>(table.source_index()[b.arch] >= 0 ? table.source_index()[b.arch] : b.arch),
                    ArchString(table, space, b.arch).c_str());
      }
    }
    std::printf("%s", analysis::FormatSignal(d, rows).c_str());
  }
}

void PrintLog(const std::string& path, const LogFile& log) {
  std::printf("log %s\n", path.c_str());
  for (const char* k : {"experiment", "created_utc", "git_commit", "table_path", "table_sha256", "space",
                        "search_epochs", "report_epochs", "best_test_acc", "worker_threads", "compute_threads",
                        "blas", "torch", "compiler", "cpu"}) {
    auto it = log.attributes.find(k);
    if (it != log.attributes.end()) std::printf("  %s: %s\n", k, it->second.c_str());
  }
  int64_t episodes = 0;
  for (const RunLog& r : log.runs) episodes += r.episodes.size();
  std::printf("%zu runs, %lld episodes\n", log.runs.size(), static_cast<long long>(episodes));
  std::printf("%s", FormatSummary(Summarize(log.runs)).c_str());
}

}  // namespace

int InspectCommand(int argc, char** argv) {
  Args args("inspect", "FILE.h5",
            "Summarises an HDF5 table (datasets, fidelities, best architectures, seed-vs-seed and\n"
            "fidelity-vs-fidelity Kendall tau over distinct architectures) or log (provenance, runs,\n"
            "per-method results).");
  if (absl::Status s = args.Parse(argc, argv, 1, 1); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;
  const std::string path = ResolvePath(args.positional()[0]);
  std::string format;
  {
    auto file = h5::File::Open(path);
    if (!file.ok()) return Fail(file.status());
    auto f = file->ReadStringAttr("/", "format");
    if (!f.ok())
      return Fail(absl::InvalidArgumentError(absl::StrCat(path, ": not a nas table or log (no 'format' attribute)")));
    format = *f;
  }
  if (format == "nas-table") {
    auto table = ReadTable(path);
    if (!table.ok()) return Fail(table.status());
    PrintTable(path, **table);
    return 0;
  }
  if (format == "nas-log") {
    auto log = ReadCheckedLog(path);
    if (!log.ok()) return Fail(log.status());
    PrintLog(path, *log);
    return 0;
  }
  return Fail(absl::InvalidArgumentError(
      absl::StrCat(path, ": unknown format '", format, "' (expected nas-table or nas-log)")));
}

}  // namespace nas::cli
