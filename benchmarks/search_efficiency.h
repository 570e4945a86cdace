// Search-efficiency regression check: a reduced search protocol (every method x 30 runs x 100 evaluations on
// one table) whose per-run results are compared with a reference committed under results/search_efficiency/.
//
// Per run: final regret = best test accuracy of the table - test accuracy of the final incumbent (percent
// points), and AUC = the area under the anytime regret curve divided by the budget (the mean over evaluations
// 1..B of the incumbent's regret after each), so it rewards finding good architectures early.
//
// The harness is deterministic, so an unchanged strategy reproduces the reference bit for bit; any change is
// reported exactly (which method, which runs, by how much). The verdict is statistical: per method, a
// one-sided Mann-Whitney U test (nas/util/stats.h) of "the current regrets are larger than the
// reference's", on final regret and on AUC; only p < alpha (0.01) on either is a failure (a significant loss
// of efficiency). Improvements and neutral changes pass (regenerate the reference to record them).
//
// Tables, first available wins: the embedded table (datasets/nb201_fmnist/nb201_fmnist.h5), the NB201 CSV of
// ../shared/data (cifar10-valid), the synthetic table of nas/testing/synthetic_table.h. The reference records
// a checksum of the table's values the protocol reads and of the protocol itself; a reference made on another
// table is not compared.
#ifndef BENCHMARKS_SEARCH_EFFICIENCY_H_
#define BENCHMARKS_SEARCH_EFFICIENCY_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/proto/experiment.pb.h"
#include "nas/table/table.h"

namespace nas::efficiency {

inline constexpr double kAlpha = 0.01;
inline constexpr char kRegenerateCommand[] =
    "bazel run //benchmarks:search_efficiency_reference -- --regenerate";

// A loaded table and the protocol for it.
struct ProtocolTable {
  std::string name;         // "nb201_fmnist", "nb201_csv_cifar10" or "synthetic_nb201": the reference file name
  std::string description;  // where it came from, for messages
  std::unique_ptr<Table> table;
  proto::Experiment config;  // resolved; benchmark.table = name
};

// kind: "auto" (first available), "embedded", "nb201_csv" or "synthetic". `tmp_dir` holds the synthetic table.
// Paths are looked up relative to the current directory (a runfiles tree under bazel test / bazel run).
absl::StatusOr<ProtocolTable> LoadProtocolTable(const std::string& kind, const std::string& tmp_dir);

// The reduced protocol's config for a table: 30 runs, 100 evaluations, seed_mode MEAN, methods random,
// regularized_evolution (10, 3), local_search, reinforce PER_EDGE; `methods_text` replaces the methods.
proto::Experiment ProtocolConfig(const std::string& table_name, const std::string& dataset, int search_epochs,
                                 int report_epochs, const std::string& methods_text = "");

struct RunMetrics {
  double final_regret = 0;
  double auc_regret = 0;
};

struct Results {
  std::string table_name;
  std::string table_checksum;     // SHA-256 over the values the protocol reads (TableChecksum)
  std::string protocol_checksum;  // SHA-256 of the resolved config's text
  double best_test_acc = 0;
  std::vector<std::string> labels;                          // methods in config order
  std::map<std::string, std::vector<RunMetrics>> by_label;  // runs in order
};

// SHA-256 of the table's rows as the protocol sees them: space, rows, dataset, fidelities and, per row, the
// mean validation accuracy at search_epochs and mean test accuracy at report_epochs (bytes of the doubles).
absl::StatusOr<std::string> TableChecksum(const Table& table, const proto::Benchmark& benchmark);

// Runs every method x run of `config` on `table` (single-threaded; deterministic).
absl::StatusOr<Results> RunProtocol(const Table& table, const proto::Experiment& config,
                                    const std::string& table_name);

// CSV: '#' header lines (table, table_checksum, protocol_checksum, best_test_acc, how to regenerate), then
// "method,run,final_regret,auc_regret" and one row per run; numbers in %.17g (exact round trip).
std::string FormatCsv(const Results& results);
// Errors name `origin` and the line.
absl::StatusOr<Results> ParseCsv(const std::string& text, const std::string& origin);

struct Verdict {
  bool identical = true;  // every run bit-equal
  bool pass = true;       // no significant loss of efficiency
  std::string report;     // human-readable, several lines
};
// `current` vs `reference` (same table and protocol checksum expected; a protocol mismatch fails).
Verdict Check(const Results& current, const Results& reference, double alpha = kAlpha);

}  // namespace nas::efficiency

#endif  // BENCHMARKS_SEARCH_EFFICIENCY_H_
