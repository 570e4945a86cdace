// Transferability of architectures between datasets (the seed's "Transferability and Scalability"):
// rank correlations of the architectures' accuracies between two datasets of tables over the same dense
// space (Kendall's tau-b by Knight's O(n log n) algorithm, Spearman's rho on average ranks), and, for logged
// runs, the accuracy on a target dataset of the architecture each run found on its source dataset against
// the target's own optimum. No LibTorch; reads tables and logs only.
#ifndef NAS_ANALYSIS_TRANSFER_H_
#define NAS_ANALYSIS_TRANSFER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/experiment/summary.h"
#include "nas/log/episode_log.h"
#include "nas/table/table.h"

namespace nas::analysis {

// Kendall's tau-b (ties in either variable handled; Knight 1966): O(n log n). NaN for fewer than 2 pairs or a
// constant variable.
double KendallTau(const std::vector<double>& x, const std::vector<double>& y);
// Spearman's rho: Pearson's correlation of the average ranks.
double SpearmanRho(const std::vector<double>& x, const std::vector<double>& y);

// One dataset of one table: the accuracies (test accuracy at the largest fidelity, mean over seeds) per row.
struct DatasetColumn {
  std::string name;        // "<dataset>" (+ " (<table file>)" when several tables are given)
  std::string space;
  std::string table_sha256;
  std::vector<double> test_acc;  // per row (space ordinal); NaN unknown
};
absl::StatusOr<DatasetColumn> ColumnOf(const Table& table, const std::string& dataset, const std::string& label,
                                       const std::string& table_sha256);

struct Correlation {
  std::string a, b;
  int64_t n = 0;  // architectures with both values
  double kendall = 0, spearman = 0;
};
// Every pair of columns; columns of different spaces or sizes are an error naming them.
absl::StatusOr<std::vector<Correlation>> RankCorrelations(const std::vector<DatasetColumn>& columns);

// For each method label of `log` (whose table must be one of the columns' tables, the source): the final
// incumbent of every run, and its test accuracy on each other column against that column's best.
struct TransferRow {
  std::string label, source, target;
  int runs = 0;
  double source_test = 0;   // mean over runs, on the source
  double target_test = 0;   // mean over runs of the same architectures on the target
  double target_best = 0;   // the target's optimum
  double target_rank_percent = 0;  // mean percentile of the architectures on the target (100 = best)
};
absl::StatusOr<std::vector<TransferRow>> TransferOfRuns(const std::vector<DatasetColumn>& columns, const LogFile& log,
                                                        const std::string& log_path);

// `nas run`'s lines for benchmark.report_datasets: per method, the mean over runs of the final incumbents'
// test accuracy (largest fidelity, mean over seeds) on each report dataset of `table`, and that dataset's best.
std::string FormatReportDatasets(const Table& table, const std::vector<std::string>& datasets,
                                 const std::vector<RunOutcome>& runs);

std::string FormatTransferMarkdown(const std::vector<Correlation>& correlations, const std::vector<TransferRow>& rows);

}  // namespace nas::analysis

#endif  // NAS_ANALYSIS_TRANSFER_H_
