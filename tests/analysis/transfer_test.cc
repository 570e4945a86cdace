// Transferability: Kendall tau-b (Knight's algorithm) and Spearman rho against direct O(n^2) / textbook
// computations, ties included; the incumbents of logged runs on another dataset; and the CIFAR-10 vs CIFAR-100
// figures of the NB201 CSVs.
#include "nas/analysis/transfer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "nas/space/nb201_space.h"
#include "nas/table/nb201_csv.h"
#include "nas/testing/shared_data.h"
#include "nas/util/rng.h"

namespace nas::analysis {
namespace {

double NaiveTauB(const std::vector<double>& x, const std::vector<double>& y) {
  double c = 0, d = 0, tx = 0, ty = 0;
  for (size_t i = 0; i < x.size(); ++i)
    for (size_t j = i + 1; j < x.size(); ++j) {
      const double a = (x[i] > x[j]) - (x[i] < x[j]), b = (y[i] > y[j]) - (y[i] < y[j]);
      if (a == 0 && b == 0) continue;
      if (a == 0) ++tx;
      else if (b == 0) ++ty;
      else if (a == b) ++c;
      else ++d;
    }
  return (c - d) / std::sqrt((c + d + tx) * (c + d + ty));
}

TEST(Transfer, KendallMatchesTheDirectCountWithTies) {
  Rng rng(1);
  for (int trial = 0; trial < 50; ++trial) {
    const int n = 2 + static_cast<int>(rng.UniformInt(200));
    const int levels = 2 + static_cast<int>(rng.UniformInt(12));  // many ties
    std::vector<double> x(n), y(n);
    for (int i = 0; i < n; ++i) {
      x[i] = static_cast<double>(rng.UniformInt(levels));
      y[i] = trial % 2 ? x[i] + static_cast<double>(rng.UniformInt(3)) : static_cast<double>(rng.UniformInt(levels));
    }
    const double naive = NaiveTauB(x, y);
    if (std::isnan(naive)) continue;
    EXPECT_NEAR(KendallTau(x, y), naive, 1e-12) << "trial " << trial;
  }
  EXPECT_DOUBLE_EQ(KendallTau({1, 2, 3, 4}, {1, 2, 3, 4}), 1.0);
  EXPECT_DOUBLE_EQ(KendallTau({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
}

TEST(Transfer, SpearmanOnRanks) {
  EXPECT_DOUBLE_EQ(SpearmanRho({1, 2, 3, 4, 5}, {5, 6, 7, 8, 70}), 1.0);
  // Textbook example without ties: d^2 sum 2 for n = 4 -> 1 - 6 * 2 / (4 * 15) = 0.8.
  EXPECT_NEAR(SpearmanRho({1, 2, 3, 4}, {2, 1, 3, 4}), 0.8, 1e-12);
}

TEST(Transfer, IncumbentsOnAnotherDataset) {
  Table table("nb201", 4);
  for (const char* name : {"a", "b"}) {
    TableDataset& d = table.AddDataset(name, {1}, {});
    for (int r = 0; r < 4; ++r) d.mutable_at(r, 0, 0).test_acc = name[0] == 'a' ? r : 10 - r;
  }
  std::vector<DatasetColumn> columns;
  for (const char* name : {"a", "b"}) columns.push_back(*ColumnOf(table, name, name, "sha"));
  LogFile log;
  log.attributes["table_sha256"] = "sha";
  log.attributes["config"] = "benchmark { table: \"t\" dataset: \"a\" }";
  RunLog run;
  run.label = "m";
  Episode e;
  e.incumbent = 3;
  run.episodes.push_back(e);
  log.runs.push_back(run);
  auto rows = TransferOfRuns(columns, log, "log.h5");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].source_test, 3);
  EXPECT_EQ((*rows)[0].target_test, 7);
  EXPECT_EQ((*rows)[0].target_best, 10);
  EXPECT_EQ((*rows)[0].target_rank_percent, 0);
  auto corr = RankCorrelations(columns);
  ASSERT_TRUE(corr.ok());
  EXPECT_DOUBLE_EQ((*corr)[0].kendall, -1);
}

TEST(Transfer, Nb201Cifar10AgainstCifar100) {
  NAS_REQUIRE_SHARED_FILE(c10, "nasbench201/nasbench201_cifar10.csv");
  NAS_REQUIRE_SHARED_FILE(c100, "nasbench201/nasbench201_cifar100.csv");
  auto t10 = ImportNb201Csv(c10, "cifar10-valid");
  auto t100 = ImportNb201Csv(c100, "cifar100");
  ASSERT_TRUE(t10.ok() && t100.ok());
  std::vector<DatasetColumn> columns = {*ColumnOf(**t10, "cifar10-valid", "cifar10-valid", "a"),
                                        *ColumnOf(**t100, "cifar100", "cifar100", "b")};
  auto corr = RankCorrelations(columns);
  ASSERT_TRUE(corr.ok());
  std::printf("%s", FormatTransferMarkdown(*corr, {}).c_str());
  EXPECT_EQ((*corr)[0].n, 15625);
  // NB201 reports strongly correlated rankings across its datasets.
  EXPECT_GT((*corr)[0].kendall, 0.7);
  EXPECT_GT((*corr)[0].spearman, (*corr)[0].kendall);
}

}  // namespace
}  // namespace nas::analysis
