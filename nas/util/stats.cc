#include "nas/util/stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "nas/util/status.h"

namespace nas::stats {
namespace {

std::vector<double> Finite(const std::vector<double>& v) {
  std::vector<double> out;
  out.reserve(v.size());
  for (double x : v)
    if (!std::isnan(x)) out.push_back(x);
  return out;
}

// counts[k] = number of arrangements of m x-values and n y-values with U_x = k (no ties).
std::vector<double> ExactUCounts(int m, int n) {
  // f[i][j][k] via rolling over i: f(i, j, k) = f(i - 1, j, k - j) + f(i, j - 1, k).
  const int max_u = m * n;
  std::vector<std::vector<double>> prev(n + 1, std::vector<double>(max_u + 1, 0.0)), cur = prev;
  for (int j = 0; j <= n; ++j) prev[j][0] = 1;  // i = 0: U = 0 in one way
  for (int i = 1; i <= m; ++i) {
    for (int j = 0; j <= n; ++j) {
      std::fill(cur[j].begin(), cur[j].end(), 0.0);
      for (int k = 0; k <= i * j; ++k) {
        double c = 0;
        if (k - j >= 0) c += prev[j][k - j];   // the largest value is an x: it beats all j y's
        if (j > 0) c += cur[j - 1][k];         // the largest value is a y
        cur[j][k] = c;
      }
    }
    std::swap(prev, cur);
  }
  return prev[n];
}

}  // namespace

double Mean(const std::vector<double>& v) {
  if (v.empty()) return NAN;
  double s = 0;
  for (double x : v) s += x;
  return s / v.size();
}

double SampleStd(const std::vector<double>& v) {
  if (v.size() < 2) return NAN;
  const double m = Mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / (v.size() - 1));
}

double StandardError(const std::vector<double>& v) {
  if (v.size() < 2) return NAN;
  return SampleStd(v) / std::sqrt(static_cast<double>(v.size()));
}

double Quantile(std::vector<double> v, double q) {
  NAS_CHECK(q >= 0 && q <= 1);
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  const double h = (v.size() - 1) * q;
  const size_t lo = static_cast<size_t>(std::floor(h));
  if (lo + 1 >= v.size()) return v.back();
  return v[lo] + (h - lo) * (v[lo + 1] - v[lo]);
}

Summary Summarize(const std::vector<double>& values) {
  const std::vector<double> v = Finite(values);
  Summary s;
  s.n = static_cast<int>(v.size());
  s.mean = Mean(v);
  s.std = SampleStd(v);
  s.sem = StandardError(v);
  s.median = Quantile(v, 0.5);
  s.q1 = Quantile(v, 0.25);
  s.q3 = Quantile(v, 0.75);
  s.iqr = s.q3 - s.q1;
  return s;
}

std::vector<double> AverageRanks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> ranks(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double r = 0.5 * (i + j) + 1;  // mean of ranks i+1 .. j+1
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

double NormalSurvival(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

namespace {

// Two-sided (greater = false) or one-sided "x tends to be greater" (greater = true).
MannWhitneyResult MannWhitney(const std::vector<double>& xs, const std::vector<double>& ys, bool greater) {
  const std::vector<double> x = Finite(xs), y = Finite(ys);
  MannWhitneyResult r;
  const double n1 = x.size(), n2 = y.size(), n = n1 + n2;
  if (x.empty() || y.empty()) {
    r.u = NAN;
    r.p = NAN;
    return r;
  }
  std::vector<double> all = x;
  all.insert(all.end(), y.begin(), y.end());
  const std::vector<double> ranks = AverageRanks(all);
  double r1 = 0;
  for (size_t i = 0; i < x.size(); ++i) r1 += ranks[i];
  r.u = r1 - n1 * (n1 + 1) / 2;
  // The tail statistic: U of x for "greater", else the larger of the two U's (p doubled).
  const double u_max = greater ? r.u : std::max(r.u, n1 * n2 - r.u);
  const double sides = greater ? 1 : 2;

  // Tie term sum(t^3 - t) over groups of equal values.
  std::sort(all.begin(), all.end());
  double tie_term = 0;
  for (size_t i = 0; i < all.size();) {
    size_t j = i;
    while (j < all.size() && all[j] == all[i]) ++j;
    const double t = j - i;
    tie_term += t * t * t - t;
    i = j;
  }
  if (tie_term == 0 && x.size() <= 20 && y.size() <= 20) {
    const std::vector<double> counts = ExactUCounts(static_cast<int>(n1), static_cast<int>(n2));
    double total = 0, tail = 0;
    for (size_t k = 0; k < counts.size(); ++k) {
      total += counts[k];
      if (k >= u_max) tail += counts[k];  // U is an integer without ties
    }
    r.p = std::min(1.0, sides * tail / total);
    r.exact = true;
    return r;
  }
  const double mu = n1 * n2 / 2;
  const double var = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)));
  if (var <= 0) {  // every value equal
    r.p = 1;
    return r;
  }
  const double z = (u_max - mu - 0.5) / std::sqrt(var);
  r.p = std::min(1.0, sides * NormalSurvival(z));
  return r;
}

}  // namespace

MannWhitneyResult MannWhitneyU(const std::vector<double>& x, const std::vector<double>& y) {
  return MannWhitney(x, y, false);
}

MannWhitneyResult MannWhitneyUGreater(const std::vector<double>& x, const std::vector<double>& y) {
  return MannWhitney(x, y, true);
}

}  // namespace nas::stats
