#include "nas/analysis/ranking.h"

#include <algorithm>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nas/analysis/transfer.h"
#include "nas/util/rng.h"

namespace nas::analysis {

std::vector<int64_t> RankingSample(int64_t num_rows, int64_t n, uint64_t seed) {
  std::vector<int64_t> rows(std::max<int64_t>(num_rows, 0));
  std::iota(rows.begin(), rows.end(), 0);
  n = std::clamp<int64_t>(n, 0, num_rows);
  Rng rng(DeriveSeed(seed, 0, "analysis/ranking-sample"));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t j = i + static_cast<int64_t>(rng.UniformInt(static_cast<uint64_t>(num_rows - i)));
    std::swap(rows[i], rows[j]);
  }
  rows.resize(n);
  return rows;
}

absl::StatusOr<RankingAgreement> RankAgainstTable(const Table& table, const std::string& dataset,
                                                  const std::vector<int64_t>& rows,
                                                  const std::vector<double>& estimate) {
  if (rows.size() != estimate.size())
    return absl::InvalidArgumentError(
        absl::StrCat("ranking: ", rows.size(), " rows but ", estimate.size(), " estimates"));
  auto d = table.dataset(dataset);
  if (!d.ok()) return d.status();
  const TableDataset& ds = **d;
  RankingAgreement r;
  r.dataset = dataset;
  const auto& f = ds.fidelities();
  if (f.empty()) return absl::InvalidArgumentError(absl::StrCat("dataset '", dataset, "' has no fidelity"));
  const int fid = static_cast<int>(std::max_element(f.begin(), f.end()) - f.begin());
  r.fidelity = f[fid];
  const bool two_seeds = ds.seeds().size() >= 2;
  if (two_seeds) r.seed_a = ds.seeds()[0], r.seed_b = ds.seeds()[1];
  std::vector<double> x, y, sa, sb, ea, a_only;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (rows[i] < 0 || rows[i] >= table.num_archs())
      return absl::InvalidArgumentError(
          absl::StrCat("ranking: row ", rows[i], " is outside the table's ", table.num_archs(), " rows"));
    const double truth = ds.at(rows[i], fid, ds.mean_slot()).valid_acc;
    if (std::isfinite(estimate[i]) && std::isfinite(truth)) {
      x.push_back(estimate[i]);
      y.push_back(truth);
    }
    if (!two_seeds) continue;
    const double a = ds.at(rows[i], fid, 0).valid_acc, b = ds.at(rows[i], fid, 1).valid_acc;
    if (std::isfinite(estimate[i]) && std::isfinite(a)) {
      ea.push_back(estimate[i]);
      a_only.push_back(a);
    }
    if (std::isfinite(a) && std::isfinite(b)) {
      sa.push_back(a);
      sb.push_back(b);
    }
  }
  r.n = static_cast<int64_t>(x.size());
  r.kendall = KendallTau(x, y);
  r.spearman = SpearmanRho(x, y);
  r.seed_n = static_cast<int64_t>(sa.size());
  if (two_seeds) {
    r.seed_a_n = static_cast<int64_t>(ea.size());
    r.kendall_vs_seed_a = KendallTau(ea, a_only);
    r.seed_kendall = KendallTau(sa, sb);
    r.seed_spearman = SpearmanRho(sa, sb);
  }
  return r;
}

std::string FormatRankingAgreement(const RankingAgreement& r) {
  std::string out = absl::StrFormat(
      "estimate vs table (%s, validation accuracy at %d epochs, mean over seeds): Kendall tau-b %.4f, "
      "Spearman rho %.4f over %d architectures\n",
      r.dataset, r.fidelity, r.kendall, r.spearman, r.n);
  if (r.seed_n > 0 || std::isfinite(r.seed_kendall))
    absl::StrAppendFormat(&out,
                          "estimate vs table seed %d alone: Kendall tau-b %.4f over %d; table seed %d vs seed %d "
                          "(the ceiling of that): Kendall tau-b %.4f, Spearman rho %.4f over %d architectures\n",
                          r.seed_a, r.kendall_vs_seed_a, r.seed_a_n, r.seed_a, r.seed_b, r.seed_kendall,
                          r.seed_spearman, r.seed_n);
  else
    absl::StrAppend(&out, "table seed vs seed: the dataset has fewer than two training seeds\n");
  return out;
}

}  // namespace nas::analysis
