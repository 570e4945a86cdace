// Descriptive statistics and the Mann-Whitney U test (two-sided and one-sided) for comparing NAS runs offline. Pure C++ (the
// normal tail comes from std::erfc), no dependencies.
#ifndef NAS_UTIL_STATS_H_
#define NAS_UTIL_STATS_H_

#include <vector>

namespace nas::stats {

double Mean(const std::vector<double>& v);        // NaN when empty
double SampleStd(const std::vector<double>& v);   // n-1 denominator; NaN when n < 2
double StandardError(const std::vector<double>& v);  // SampleStd / sqrt(n); NaN when n < 2
// Quantile by linear interpolation between order statistics (Hyndman & Fan type 7, numpy's default):
// h = (n-1) q, x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]). NaN when empty; q in [0, 1].
double Quantile(std::vector<double> v, double q);

struct Summary {
  int n = 0;
  double mean = 0, std = 0, sem = 0;         // std with n-1; sem = std / sqrt(n)
  double median = 0, q1 = 0, q3 = 0, iqr = 0;  // type-7 quartiles; iqr = q3 - q1
};
// NaN values in `v` are skipped (n counts the rest).
Summary Summarize(const std::vector<double>& v);

// Average ranks (1 = smallest), ties get the mean of the ranks they span.
std::vector<double> AverageRanks(const std::vector<double>& v);

struct MannWhitneyResult {
  double u = 0;     // U of the first sample: #{(x, y): x > y} + 0.5 #{x == y}
  double p = 1;     // two-sided p-value
  bool exact = false;  // true: exact null distribution; false: normal approximation
};
// Two-sided Mann-Whitney U test (as scipy.stats.mannwhitneyu, alternative="two-sided"). Exact distribution when
// both samples have <= 20 values and there are no ties; otherwise the normal approximation with tie correction
// and continuity correction: z = (|U - n1 n2 / 2| - 0.5) / sigma,
// sigma^2 = n1 n2 / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1))), p = 2 P(Z >= z), capped at 1. NaN values are
// dropped; an empty sample gives p = NaN; all values equal gives p = 1.
MannWhitneyResult MannWhitneyU(const std::vector<double>& x, const std::vector<double>& y);

// One-sided Mann-Whitney U test, alternative "x is stochastically greater than y" (scipy's
// alternative="greater"): p = P(U >= u) under the null, exact under the same conditions as above, else
// z = (U - n1 n2 / 2 - 0.5) / sigma and p = P(Z >= z). `u` is x's U. Same NaN and degenerate cases.
MannWhitneyResult MannWhitneyUGreater(const std::vector<double>& x, const std::vector<double>& y);

// P(Z >= z) for a standard normal Z.
double NormalSurvival(double z);

}  // namespace nas::stats

#endif  // NAS_UTIL_STATS_H_
