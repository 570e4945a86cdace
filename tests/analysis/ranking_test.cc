// Rank agreement of an estimator with a table (nas/analysis/ranking.h), on a table whose tau and rho are
// computed by hand in the comments.
#include "nas/analysis/ranking.h"

#include <cmath>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nas::analysis {
namespace {

// Rows 4, 0, 2, 5, 1 in that order; row 3 has no estimate. Validation accuracy of seed 0 and seed 1 (the
// mean is the truth) at the largest fidelity (12 epochs); the 4-epoch values must be ignored.
Table HandTable() {
  Table table("nb201", 6);
  TableDataset& d = table.AddDataset("toy", {4, 12}, {0, 1});
  const int64_t rows[5] = {4, 0, 2, 5, 1};
  const double seed0[5] = {2, 2, 1, 6, 4}, seed1[5] = {4, 0, 3, 4, 4};  // means 3, 1, 2, 5, 4
  for (int i = 0; i < 5; ++i) {
    d.mutable_at(rows[i], 1, 0).valid_acc = seed0[i];
    d.mutable_at(rows[i], 1, 1).valid_acc = seed1[i];
    d.mutable_at(rows[i], 0, 0).valid_acc = -seed0[i];
    d.mutable_at(rows[i], 0, 1).valid_acc = 10 - i;
  }
  d.mutable_at(3, 1, 0).valid_acc = 50;
  d.mutable_at(3, 1, 1).valid_acc = 50;
  d.ComputeMeans();
  return table;
}

TEST(RankingTest, HandComputedTauAndRho) {
  const Table table = HandTable();
  // Estimates 1..5 against the truth 3, 1, 2, 5, 4: of the 10 pairs 7 are concordant and 3 discordant
  // ((3,1), (3,2), (5,4)), so tau = (7 - 3) / 10 = 0.4; rank differences -2, 1, 1, -1, 1 give
  // rho = 1 - 6 * 8 / (5 * 24) = 0.6. Row 3's estimate is NaN: dropped.
  auto r = RankAgainstTable(table, "toy", {4, 0, 2, 5, 1, 3}, {1, 2, 3, 4, 5, NAN});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->fidelity, 12);
  EXPECT_EQ(r->n, 5);
  EXPECT_NEAR(r->kendall, 0.4, 1e-12);
  EXPECT_NEAR(r->spearman, 0.6, 1e-12);
  // Seed 0 (2, 2, 1, 6, 4, 50) vs seed 1 (4, 0, 3, 4, 4, 50): 6 rows. Concordant: (0,2) (1,3) (1,4) (2,3)
  // (2,4) and the five pairs with row 3 (50 above everything in both) = 10; discordant (1,2) = 1; pairs tied in
  // seed 0: 1; tied in seed 1: 3 (the three 4s); n0 = 15. tau-b = (10 - 1) / sqrt((15 - 1) (15 - 3)).
  EXPECT_EQ(r->seed_n, 6);
  EXPECT_EQ(r->seed_a, 0);
  EXPECT_EQ(r->seed_b, 1);
  EXPECT_NEAR(r->seed_kendall, 9.0 / std::sqrt(14.0 * 12.0), 1e-12);
  // Average ranks: seed 0 (2.5, 2.5, 1, 5, 4, 6), seed 1 (4, 1, 2, 4, 4, 6), both of mean 3.5; deviations
  // (-1, -1, -2.5, 1.5, 0.5, 2.5) and (0.5, -2.5, -1.5, 0.5, 0.5, 2.5): sxy = 13, sxx = 17, syy = 15.5.
  EXPECT_NEAR(r->seed_spearman, 13.0 / std::sqrt(17.0 * 15.5), 1e-12);
  // Estimates 1..5 against seed 0 alone (2, 2, 1, 6, 4): concordant (0,3) (0,4) (1,3) (1,4) (2,3) (2,4) = 6,
  // discordant (0,2) (1,2) (3,4) = 3, one pair tied in seed 0: tau-b = (6 - 3) / sqrt(10 (10 - 1)).
  EXPECT_EQ(r->seed_a_n, 5);
  EXPECT_NEAR(r->kendall_vs_seed_a, 3.0 / std::sqrt(90.0), 1e-12);
  const std::string text = FormatRankingAgreement(*r);
  EXPECT_THAT(text, ::testing::HasSubstr("Kendall tau-b 0.4000, Spearman rho 0.6000 over 5 architectures"));
  EXPECT_THAT(text, ::testing::HasSubstr("estimate vs table seed 0 alone: Kendall tau-b 0.3162 over 5; "
                                             "table seed 0 vs seed 1 (the ceiling of that)"));
}

TEST(RankingTest, BadInputIsAnError) {
  const Table table = HandTable();
  EXPECT_FALSE(RankAgainstTable(table, "toy", {0, 1}, {1.0}).ok());
  EXPECT_THAT(std::string(RankAgainstTable(table, "toy", {0, 6}, {1, 2}).status().message()),
              ::testing::HasSubstr("row 6 is outside the table's 6 rows"));
  EXPECT_FALSE(RankAgainstTable(table, "cifar10", {0}, {1}).ok());
}

TEST(RankingTest, SampleIsSeededDistinctAndCapped) {
  const std::vector<int64_t> a = RankingSample(15625, 1000, 7), b = RankingSample(15625, 1000, 7);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, RankingSample(15625, 1000, 8));
  EXPECT_EQ(std::set<int64_t>(a.begin(), a.end()).size(), 1000u);
  for (int64_t r : a) EXPECT_TRUE(r >= 0 && r < 15625);
  const std::vector<int64_t> all = RankingSample(5, 10, 1);
  EXPECT_EQ(std::set<int64_t>(all.begin(), all.end()), (std::set<int64_t>{0, 1, 2, 3, 4}));
}

}  // namespace
}  // namespace nas::analysis
