// Statistics against values worked out by hand (and numpy's / scipy's documented results).
#include "nas/util/stats.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nas::stats {
namespace {

TEST(Stats, MeanStdAndStandardError) {
  const std::vector<double> v = {2, 4, 4, 4, 5, 5, 7, 9};  // sum of squared deviations 32
  EXPECT_DOUBLE_EQ(Mean(v), 5);
  EXPECT_DOUBLE_EQ(SampleStd(v), std::sqrt(32.0 / 7));
  EXPECT_DOUBLE_EQ(StandardError(v), std::sqrt(32.0 / 7) / std::sqrt(8.0));
  EXPECT_TRUE(std::isnan(Mean({})));
  EXPECT_TRUE(std::isnan(SampleStd({3})));
  EXPECT_TRUE(std::isnan(StandardError({3})));
}

TEST(Stats, QuantilesAreNumpysLinearType7) {
  // np.percentile([1, 2, 3, 4], [25, 50, 75]) = [1.75, 2.5, 3.25]
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0.25), 1.75);
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(Quantile({4, 1, 3, 2}, 0.75), 3.25);
  // [7, 15, 36, 39, 40, 41]: h = 1.25 -> 15 + 0.25 * 21 = 20.25; h = 3.75 -> 39 + 0.75 * 1 = 39.75.
  const Summary s = Summarize({41, 7, 36, 15, 40, 39});
  EXPECT_EQ(s.n, 6);
  EXPECT_DOUBLE_EQ(s.q1, 20.25);
  EXPECT_DOUBLE_EQ(s.median, 37.5);
  EXPECT_DOUBLE_EQ(s.q3, 39.75);
  EXPECT_DOUBLE_EQ(s.iqr, 19.5);
  EXPECT_DOUBLE_EQ(Quantile({5}, 0.25), 5);
  EXPECT_DOUBLE_EQ(Quantile({1, 2, 3}, 0), 1);
  EXPECT_DOUBLE_EQ(Quantile({1, 2, 3}, 1), 3);
  EXPECT_TRUE(std::isnan(Quantile({}, 0.5)));
}

TEST(Stats, SummarizeSkipsNaN) {
  const Summary s = Summarize({1, NAN, 3});
  EXPECT_EQ(s.n, 2);
  EXPECT_DOUBLE_EQ(s.mean, 2);
  EXPECT_DOUBLE_EQ(s.median, 2);
}

TEST(Stats, AverageRanksShareTies) {
  EXPECT_EQ(AverageRanks({10, 30, 20, 30}), (std::vector<double>{1, 3.5, 2, 3.5}));
}

TEST(MannWhitney, ExactWithoutTies) {
  // Complete separation of 3 vs 3: P(U <= 0) = 1 / C(6, 3) = 1/20, two-sided 0.1.
  MannWhitneyResult r = MannWhitneyU({1, 2, 3}, {4, 5, 6});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 0);
  EXPECT_DOUBLE_EQ(r.p, 0.1);
  EXPECT_DOUBLE_EQ(MannWhitneyU({4, 5, 6}, {1, 2, 3}).u, 9);
  // {1,3,5} vs {2,4,6}: U = 3; the null counts of U = 0..9 are 1,1,2,3,3,3,3,2,1,1, so P(U >= 6) = 7/20.
  r = MannWhitneyU({1, 3, 5}, {2, 4, 6});
  EXPECT_DOUBLE_EQ(r.u, 3);
  EXPECT_NEAR(r.p, 0.7, 1e-15);
  // scipy.stats.mannwhitneyu docs: males vs females, U = 17, exact p = 0.1111 (= 14/126 two-sided).
  r = MannWhitneyU({19, 22, 16, 29, 24}, {20, 11, 17, 12});
  EXPECT_DOUBLE_EQ(r.u, 17);
  EXPECT_NEAR(r.p, 1.0 / 9, 1e-12);
  // 6 vs 6 separated: 2 / C(12, 6) = 2 / 924.
  EXPECT_NEAR(MannWhitneyU({10, 11, 12, 13, 14, 15}, {0, 1, 2, 3, 4, 5}).p, 2.0 / 924, 1e-15);
  // 20 vs 20 separated: 2 / C(40, 20).
  std::vector<double> a, b;
  for (int i = 0; i < 20; ++i) a.push_back(i), b.push_back(100 + i);
  r = MannWhitneyU(a, b);
  EXPECT_TRUE(r.exact);
  EXPECT_NEAR(r.p / (2.0 / 137846528820.0), 1, 1e-9);
}

TEST(MannWhitney, NormalApproximationWithTieAndContinuityCorrection) {
  // Ranks of {1,2,2,3} in {1,2,2,2,3,3,3,4,5}: 1, 3, 3, 6 -> R1 = 13, U = 3. Tie groups of 3 and 3:
  // sum(t^3 - t) = 48; var = 20/12 (10 - 48/72) = 15.556; z = (17 - 10 - 0.5) / 3.944; p = 0.099342.
  MannWhitneyResult r = MannWhitneyU({1, 2, 2, 3}, {2, 3, 3, 4, 5});
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 3);
  EXPECT_NEAR(r.p, 0.09934224785346527, 1e-12);
  // More than 20 values, no ties: x = 0..24, y = 7.5..31.5: U = 1 + ... + 17 = 153; p = 0.0020352.
  std::vector<double> x, y;
  for (int i = 0; i < 25; ++i) x.push_back(i), y.push_back(i + 7.5);
  r = MannWhitneyU(x, y);
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 153);
  EXPECT_NEAR(r.p, 0.002035157807278383, 1e-12);
}

TEST(MannWhitney, OneSidedGreater) {
  // Exact: {4,5,6} > {1,2,3} completely: P(U >= 9) = 1/20; the other direction P(U >= 0) = 1.
  MannWhitneyResult r = MannWhitneyUGreater({4, 5, 6}, {1, 2, 3});
  EXPECT_TRUE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 9);
  EXPECT_NEAR(r.p, 0.05, 1e-15);
  EXPECT_DOUBLE_EQ(MannWhitneyUGreater({1, 2, 3}, {4, 5, 6}).p, 1);
  // scipy docs' males vs females, alternative="greater": U = 17, p = 7/126 (half the two-sided 14/126).
  EXPECT_NEAR(MannWhitneyUGreater({19, 22, 16, 29, 24}, {20, 11, 17, 12}).p, 7.0 / 126, 1e-12);
  // Normal approximation with ties: x = {2,3,3,4,5} vs y = {1,2,2,3}: U = 17, z = 6.5 / 3.944, p = P(Z >= z).
  r = MannWhitneyUGreater({2, 3, 3, 4, 5}, {1, 2, 2, 3});
  EXPECT_FALSE(r.exact);
  EXPECT_DOUBLE_EQ(r.u, 17);
  EXPECT_NEAR(r.p, 0.09934224785346527 / 2, 1e-12);
  // > 20 values: y = 7.5..31.5 vs x = 0..24: U = 472, p = half the two-sided 0.0020352.
  std::vector<double> x, y;
  for (int i = 0; i < 25; ++i) x.push_back(i), y.push_back(i + 7.5);
  r = MannWhitneyUGreater(y, x);
  EXPECT_DOUBLE_EQ(r.u, 472);
  EXPECT_NEAR(r.p, 0.002035157807278383 / 2, 1e-12);
  EXPECT_GT(MannWhitneyUGreater(x, y).p, 0.99);
  EXPECT_DOUBLE_EQ(MannWhitneyUGreater({5, 5, 5}, {5, 5}).p, 1);
}

TEST(MannWhitney, DegenerateSamples) {
  MannWhitneyResult r = MannWhitneyU({5, 5, 5}, {5, 5});
  EXPECT_DOUBLE_EQ(r.u, 3);
  EXPECT_DOUBLE_EQ(r.p, 1);
  EXPECT_TRUE(std::isnan(MannWhitneyU({}, {1, 2}).p));
  EXPECT_DOUBLE_EQ(MannWhitneyU({1}, {2}).p, 1);  // exact, 1 vs 1: two-sided p = 2 * 1/2
  EXPECT_NEAR(NormalSurvival(1.959963984540054), 0.025, 1e-12);
}

}  // namespace
}  // namespace nas::stats
