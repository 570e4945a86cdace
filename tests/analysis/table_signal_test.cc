// Seed-vs-seed and fidelity-vs-fidelity Kendall tau of a table (nas/analysis/table_signal.h) on a hand-made
// NB201 table whose values are checked by hand, and the lines `nas inspect` prints for it.
#include "nas/analysis/table_signal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <unordered_map>

#include "nas/space/space.h"
#include "nas/table/table_io.h"
#include "nas/testing/nas_cli.h"

namespace nas::analysis {
namespace {

using ::testing::HasSubstr;

// Four NB201 classes (rows a[0..3]) plus `twin`, a cell isomorphic to a[2] holding a copy of its values (as a
// build fills every member of a class). Fidelities 1 and 4 epochs, seeds 0 and 1:
//   4 epochs  validation  seed 0: 10 20 30 40   seed 1: 10 30 20 40   -> seed tau 4/6
//             test        seed 0:  1  2  3  4   seed 1:  2  1  4  3   -> seed tau 2/6
//   1 epoch   validation and test, both seeds: 1 2 4 3                 -> seed tau 1
// Means: 4-epoch validation 10 25 25 40, test 1.5 1.5 3.5 3.5. 1-epoch validation against them: 3 concordant,
// 1 discordant, 1 tie in the 4-epoch values: tau-b = 3 / sqrt(6 * 5); against the test means: 4 concordant, 2
// ties: 4 / sqrt(6 * 4). 4-epoch validation against 4-epoch test: 3 concordant, 1 tie in x, 2 in y:
// 3 / sqrt(5 * 4).
struct HandTable {
  std::unique_ptr<Table> table;
  int64_t rows[4] = {-1, -1, -1, -1};
  int64_t twin = -1;
};

HandTable MakeHandTable() {
  auto space = CreateSpace("nb201");
  EXPECT_TRUE(space.ok());
  HandTable h;
  h.table = std::make_unique<Table>("nb201", (*space)->size());
  TableDataset& d = h.table->AddDataset("hand", {1, 4}, {0, 1});
  // The first four classes in ordinal order, and the first later member of the third one.
  std::unordered_map<std::string, int> class_of;
  for (int64_t r = 0; r < (*space)->size() && (h.twin < 0 || class_of.size() < 4); ++r) {
    const std::string key = (*space)->CanonicalKey((*space)->FromOrdinal(r));
    auto it = class_of.find(key);
    if (it == class_of.end()) {
      if (class_of.size() == 4) continue;
      h.rows[class_of.size()] = r;
      class_of.emplace(key, static_cast<int>(class_of.size()));
    } else if (it->second == 2 && h.twin < 0) {
      h.twin = r;
    }
  }
  EXPECT_GE(h.twin, 0);
  EXPECT_EQ(class_of.size(), 4u);
  const double valid4[2][4] = {{10, 20, 30, 40}, {10, 30, 20, 40}};
  const double test4[2][4] = {{1, 2, 3, 4}, {2, 1, 4, 3}};
  const double at1[4] = {1, 2, 4, 3};
  for (int i = 0; i < 4; ++i)
    for (int64_t row : {h.rows[i], i == 2 ? h.twin : h.rows[i]})
      for (int s = 0; s < 2; ++s) {
        d.mutable_at(row, 0, s).valid_acc = d.mutable_at(row, 0, s).test_acc = at1[i];
        d.mutable_at(row, 1, s).valid_acc = valid4[s][i];
        d.mutable_at(row, 1, s).test_acc = test4[s][i];
      }
  d.ComputeMeans();
  return h;
}

TEST(TableSignalTest, RowsOfClassesKeepsOneRowPerIsomorphismClass) {
  HandTable h = MakeHandTable();
  const std::vector<int64_t> rows = RowsOfClasses(*h.table);
  EXPECT_EQ(rows.size(), 5773u);  // the functional classes of NB201's 15,625 cells (CanonicalKey)
  for (int i = 0; i < 4; ++i) EXPECT_EQ(rows[i], h.rows[i]);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), h.twin), 0);
}

TEST(TableSignalTest, SeedVsSeedTauByHand) {
  HandTable h = MakeHandTable();
  const TableDataset& d = h.table->datasets()[0];
  const std::vector<SeedAgreement> s = SeedAgreements(d, RowsOfClasses(*h.table));
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].epochs, 1);
  EXPECT_EQ(s[0].n, 4);
  EXPECT_DOUBLE_EQ(s[0].tau_valid, 1.0);
  EXPECT_DOUBLE_EQ(s[0].mean_abs_diff_valid, 0.0);
  EXPECT_EQ(s[1].epochs, 4);
  EXPECT_EQ(s[1].seed_pairs, 1);
  EXPECT_DOUBLE_EQ(s[1].tau_valid, 4.0 / 6);
  EXPECT_DOUBLE_EQ(s[1].tau_test, 2.0 / 6);
  EXPECT_DOUBLE_EQ(s[1].mean_abs_diff_valid, 5.0);  // (0 + 10 + 10 + 0) / 4
  // Validation against test of one training: seed 0 agrees fully (1), seed 1 has 3 concordant and 3
  // discordant pairs (0).
  EXPECT_DOUBLE_EQ(s[1].tau_valid_test_same_seed, 0.5);
  EXPECT_DOUBLE_EQ(s[0].tau_valid_test_same_seed, 1.0);
  // Counting the twin too would weigh its class twice and change the figure.
  std::vector<int64_t> all(h.table->num_archs());
  for (int64_t r = 0; r < h.table->num_archs(); ++r) all[r] = r;
  EXPECT_NE(SeedAgreements(d, all)[1].tau_valid, 4.0 / 6);
}

TEST(TableSignalTest, FidelityTauByHand) {
  HandTable h = MakeHandTable();
  const std::vector<FidelityAgreement> f = FidelityAgreements(h.table->datasets()[0], RowsOfClasses(*h.table));
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].epochs, 1);
  EXPECT_EQ(f[0].n, 4);
  EXPECT_NEAR(f[0].tau_valid, 3 / std::sqrt(30.0), 1e-12);
  EXPECT_NEAR(f[0].tau_test, 4 / std::sqrt(24.0), 1e-12);
  EXPECT_EQ(f[1].epochs, 4);
  EXPECT_DOUBLE_EQ(f[1].tau_valid, 1.0);
  EXPECT_NEAR(f[1].tau_test, 3 / std::sqrt(20.0), 1e-12);
}

TEST(TableSignalTest, OneSeedHasNoSeedTau) {
  Table t("nb201", 15625);
  TableDataset& d = t.AddDataset("one", {1}, {0});
  for (int64_t r = 0; r < 10; ++r) d.mutable_at(r, 0, 0).valid_acc = d.mutable_at(r, 0, 0).test_acc = r;
  d.ComputeMeans();
  EXPECT_TRUE(SeedAgreements(d, RowsOfClasses(t)).empty());
  EXPECT_THAT(FormatSignal(d, RowsOfClasses(t)), ::testing::Not(HasSubstr("seed vs seed")));
}

TEST(TableSignalTest, InspectPrintsTheFigures) {
  HandTable h = MakeHandTable();
  const std::string path = testing::ScratchPath("hand_signal.h5");
  ASSERT_TRUE(WriteTable(*h.table, path, /*overwrite=*/true).ok());
  testing::CliResult r = testing::RunNas("inspect " + path);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("seed vs seed, Kendall tau-b over distinct architectures:\n"
                               "    1 epochs: validation 1.000, test 1.000 (4 architectures; mean |difference| of "
                               "validation accuracy 0.00 points; validation vs test of one training 1.000)\n"
                               "    4 epochs: validation 0.667, test 0.333 (4 architectures; mean |difference| of "
                               "validation accuracy 5.00 points; validation vs test of one training 0.500)\n"));
  EXPECT_THAT(r.out, HasSubstr("fidelity vs 4 epochs, Kendall tau-b of validation accuracy (mean over seeds) "
                               "against 4-epoch validation / test accuracy:\n"
                               "    1 epochs: 0.548 / 0.816 (4 architectures)\n"
                               "    4 epochs: 1.000 / 0.671 (4 architectures)\n"));
}

}  // namespace
}  // namespace nas::analysis
