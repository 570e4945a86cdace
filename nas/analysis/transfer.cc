#include "nas/analysis/transfer.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nas/experiment/config.h"

namespace nas::analysis {
namespace {

// Pairs (a, b) with a in [lo, mid) and b in [mid, hi) of `v` out of order (v[a] > v[b]); sorts v[lo, hi).
int64_t MergeCountSwaps(std::vector<double>& v, std::vector<double>& tmp, size_t lo, size_t hi) {
  if (hi - lo < 2) return 0;
  const size_t mid = lo + (hi - lo) / 2;
  int64_t swaps = MergeCountSwaps(v, tmp, lo, mid) + MergeCountSwaps(v, tmp, mid, hi);
  size_t i = lo, j = mid, k = lo;
  while (i < mid && j < hi) {
    if (v[j] < v[i]) {
      swaps += static_cast<int64_t>(mid - i);
      tmp[k++] = v[j++];
    } else {
      tmp[k++] = v[i++];
    }
  }
  while (i < mid) tmp[k++] = v[i++];
  while (j < hi) tmp[k++] = v[j++];
  std::copy(tmp.begin() + lo, tmp.begin() + hi, v.begin() + lo);
  return swaps;
}

// Sum over runs of equal values of t(t-1)/2, for a sorted vector.
int64_t TiedPairs(const std::vector<double>& sorted) {
  int64_t total = 0, run = 1;
  for (size_t i = 1; i <= sorted.size(); ++i) {
    if (i < sorted.size() && sorted[i] == sorted[i - 1]) {
      ++run;
    } else {
      total += run * (run - 1) / 2;
      run = 1;
    }
  }
  return total;
}

std::vector<double> AverageRanks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    for (size_t k = i; k <= j; ++k) rank[order[k]] = 0.5 * (i + j) + 1;
    i = j + 1;
  }
  return rank;
}

}  // namespace

double KendallTau(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  if (n < 2 || y.size() != n) return NAN;
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] != x[b] ? x[a] < x[b] : y[a] < y[b]; });
  // Ties in x (n1) and joint ties (n3), from the (x, y)-sorted order.
  int64_t n1 = 0, n3 = 0;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    while (j + 1 < n && x[order[j + 1]] == x[order[i]]) ++j;
    const int64_t t = static_cast<int64_t>(j - i + 1);
    n1 += t * (t - 1) / 2;
    for (size_t a = i; a <= j;) {
      size_t b = a;
      while (b + 1 <= j && y[order[b + 1]] == y[order[a]]) ++b;
      const int64_t u = static_cast<int64_t>(b - a + 1);
      n3 += u * (u - 1) / 2;
      a = b + 1;
    }
    i = j + 1;
  }
  std::vector<double> ys(n), tmp(n);
  for (size_t i = 0; i < n; ++i) ys[i] = y[order[i]];
  const int64_t swaps = MergeCountSwaps(ys, tmp, 0, n);  // discordant pairs; ys ends sorted
  const int64_t n2 = TiedPairs(ys);
  const int64_t n0 = static_cast<int64_t>(n) * (static_cast<int64_t>(n) - 1) / 2;
  const double denom = std::sqrt(static_cast<double>(n0 - n1) * static_cast<double>(n0 - n2));
  if (!(denom > 0)) return NAN;
  return static_cast<double>(n0 - n1 - n2 + n3 - 2 * swaps) / denom;
}

double SpearmanRho(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  if (n < 2 || y.size() != n) return NAN;
  const std::vector<double> rx = AverageRanks(x), ry = AverageRanks(y);
  const double mean = (n + 1) / 2.0;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (rx[i] - mean) * (ry[i] - mean);
    sxx += (rx[i] - mean) * (rx[i] - mean);
    syy += (ry[i] - mean) * (ry[i] - mean);
  }
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : NAN;
}

absl::StatusOr<DatasetColumn> ColumnOf(const Table& table, const std::string& dataset, const std::string& label,
                                       const std::string& table_sha256) {
  if (table.sparse())
    return absl::InvalidArgumentError(absl::StrCat(label, ": a sparse table (", table.space(),
                                                   ") has no common row order across tables; transfer needs a dense one"));
  auto d = table.dataset(dataset);
  if (!d.ok()) return absl::Status(d.status().code(), absl::StrCat(label, ": ", d.status().message()));
  DatasetColumn c;
  c.name = label;
  c.space = table.space();
  c.table_sha256 = table_sha256;
  const auto& f = (*d)->fidelities();
  const int fid = static_cast<int>(std::max_element(f.begin(), f.end()) - f.begin());
  c.test_acc.resize(table.num_archs());
  for (int64_t a = 0; a < table.num_archs(); ++a) c.test_acc[a] = (*d)->at(a, fid, (*d)->mean_slot()).test_acc;
  return c;
}

absl::StatusOr<std::vector<Correlation>> RankCorrelations(const std::vector<DatasetColumn>& columns) {
  std::vector<Correlation> out;
  for (size_t i = 0; i < columns.size(); ++i)
    for (size_t j = i + 1; j < columns.size(); ++j) {
      const DatasetColumn &a = columns[i], &b = columns[j];
      if (a.space != b.space || a.test_acc.size() != b.test_acc.size())
        return absl::InvalidArgumentError(absl::StrCat("'", a.name, "' (", a.space, ", ", a.test_acc.size(),
                                                       " architectures) and '", b.name, "' (", b.space, ", ",
                                                       b.test_acc.size(), ") are not the same space"));
      std::vector<double> x, y;
      for (size_t r = 0; r < a.test_acc.size(); ++r)
        if (std::isfinite(a.test_acc[r]) && std::isfinite(b.test_acc[r])) {
          x.push_back(a.test_acc[r]);
          y.push_back(b.test_acc[r]);
        }
      out.push_back(Correlation{a.name, b.name, static_cast<int64_t>(x.size()), KendallTau(x, y), SpearmanRho(x, y)});
    }
  return out;
}

absl::StatusOr<std::vector<TransferRow>> TransferOfRuns(const std::vector<DatasetColumn>& columns, const LogFile& log,
                                                        const std::string& log_path) {
  auto attr = [&](const char* key) {
    auto it = log.attributes.find(key);
    return it == log.attributes.end() ? std::string() : it->second;
  };
  const std::string sha = attr("table_sha256");
  auto config = ParseExperiment(attr("config"), absl::StrCat(log_path, ": attribute 'config'"));
  if (!config.ok()) return config.status();
  const std::string dataset = config->benchmark().dataset();
  int source = -1;
  for (size_t c = 0; c < columns.size(); ++c)
    if (columns[c].table_sha256 == sha && (columns[c].name == dataset || columns[c].name.rfind(dataset + " (", 0) == 0))
      source = static_cast<int>(c);
  if (source < 0)
    return absl::InvalidArgumentError(absl::StrCat(log_path, ": its table (sha256 ", sha.substr(0, 12),
                                                   "...) and dataset '", dataset, "' are none of the given tables'"));
  std::vector<TransferRow> out;
  std::map<std::string, std::vector<int64_t>> incumbents;  // label -> final incumbent per run
  std::vector<std::string> labels;
  for (const RunLog& run : log.runs) {
    if (run.episodes.empty()) continue;
    if (!incumbents.count(run.label)) labels.push_back(run.label);
    incumbents[run.label].push_back(run.episodes.back().incumbent);
  }
  for (size_t t = 0; t < columns.size(); ++t) {
    if (static_cast<int>(t) == source) continue;
    const std::vector<double>& target = columns[t].test_acc;
    if (target.size() != columns[source].test_acc.size())
      return absl::InvalidArgumentError(absl::StrCat("'", columns[t].name, "' is not the source's space"));
    double best = -INFINITY;
    std::vector<double> sorted;
    for (double v : target)
      if (std::isfinite(v)) best = std::max(best, v), sorted.push_back(v);
    std::sort(sorted.begin(), sorted.end());
    for (const std::string& label : labels) {
      TransferRow row{label, columns[source].name, columns[t].name};
      for (int64_t arch : incumbents[label]) {
        if (arch < 0 || arch >= static_cast<int64_t>(target.size()))
          return absl::InvalidArgumentError(absl::StrCat(log_path, ": incumbent ", arch, " is not a row of the table"));
        ++row.runs;
        row.source_test += columns[source].test_acc[arch];
        row.target_test += target[arch];
        const double below = std::lower_bound(sorted.begin(), sorted.end(), target[arch]) - sorted.begin();
        row.target_rank_percent += 100.0 * below / std::max<size_t>(1, sorted.size() - 1);
      }
      row.source_test /= row.runs;
      row.target_test /= row.runs;
      row.target_rank_percent /= row.runs;
      row.target_best = best;
      out.push_back(row);
    }
  }
  return out;
}

std::string FormatReportDatasets(const Table& table, const std::vector<std::string>& datasets,
                                 const std::vector<RunOutcome>& runs) {
  std::string out;
  for (const std::string& name : datasets) {
    auto column = ColumnOf(table, name, name, "");
    if (!column.ok()) {
      absl::StrAppend(&out, "report dataset ", name, ": ", column.status().message(), "\n");
      continue;
    }
    double best = -INFINITY;
    for (double v : column->test_acc)
      if (std::isfinite(v)) best = std::max(best, v);
    absl::StrAppendFormat(&out, "incumbents on %s (best %.3f):", name, best);
    std::vector<std::string> labels;
    std::map<std::string, std::pair<double, int>> sum;
    for (const RunOutcome& r : runs) {
      if (!r.has_final) continue;
      const int64_t arch = r.final_incumbent;
      if (arch < 0 || arch >= static_cast<int64_t>(column->test_acc.size())) continue;
      const std::string label(r.label);
      if (!sum.count(label)) labels.push_back(label);
      sum[label].first += column->test_acc[arch];
      sum[label].second += 1;
    }
    for (const std::string& l : labels)
      absl::StrAppendFormat(&out, "  %s %.3f", l, sum[l].first / sum[l].second);
    absl::StrAppend(&out, "\n");
  }
  return out;
}

std::string FormatTransferMarkdown(const std::vector<Correlation>& correlations, const std::vector<TransferRow>& rows) {
  std::string out = "## Rank correlation of architectures between datasets (test accuracy)\n\n"
                    "| dataset A | dataset B | architectures | Kendall tau-b | Spearman rho |\n| --- | --- | --- | --- | --- |\n";
  for (const Correlation& c : correlations)
    absl::StrAppendFormat(&out, "| %s | %s | %d | %.4f | %.4f |\n", c.a, c.b, c.n, c.kendall, c.spearman);
  if (!rows.empty()) {
    out += "\n## Architectures found on the source, evaluated on the target (final incumbents, mean over runs)\n\n"
           "| method | source | target | runs | test acc on source | test acc on target | target's optimum | gap | "
           "target percentile |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for (const TransferRow& r : rows)
      absl::StrAppendFormat(&out, "| %s | %s | %s | %d | %.3f | %.3f | %.3f | %.3f | %.2f |\n", r.label, r.source,
                            r.target, r.runs, r.source_test, r.target_test, r.target_best, r.target_best - r.target_test,
                            r.target_rank_percent);
  }
  return out;
}

}  // namespace nas::analysis
