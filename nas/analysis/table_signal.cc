#include "nas/analysis/table_signal.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <unordered_set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nas/analysis/transfer.h"
#include "nas/space/space.h"

namespace nas::analysis {
namespace {

// Spaces larger than this are not enumerated to find classes (every row counts).
constexpr int64_t kMaxEnumeratedRows = 10'000'000;

// tau-b between two per-row columns over `rows`, skipping rows where either is NaN; n = pairs used.
double TauOver(const std::vector<int64_t>& rows, const std::vector<double>& a, const std::vector<double>& b,
               int64_t* n) {
  std::vector<double> x, y;
  for (int64_t r : rows)
    if (!std::isnan(a[r]) && !std::isnan(b[r])) x.push_back(a[r]), y.push_back(b[r]);
  *n = static_cast<int64_t>(x.size());
  return KendallTau(x, y);
}

enum class Field { kValid, kTest };

std::vector<double> Column(const TableDataset& d, int fidelity, int slot, Field field) {
  std::vector<double> c(d.num_archs());
  for (int64_t a = 0; a < d.num_archs(); ++a) {
    const TableEntry& e = d.at(a, fidelity, slot);
    c[a] = field == Field::kValid ? e.valid_acc : e.test_acc;
  }
  return c;
}

}  // namespace

std::vector<int64_t> RowsOfClasses(const Table& table) {
  std::vector<int64_t> rows;
  auto space = CreateSpace(table.space());
  const bool by_class = !table.sparse() && space.ok() && (*space)->enumerable() &&
                        (*space)->size() == table.num_archs() && table.num_archs() <= kMaxEnumeratedRows;
  if (!by_class) {
    rows.resize(table.num_archs());
    for (int64_t r = 0; r < table.num_archs(); ++r) rows[r] = r;
    return rows;
  }
  std::unordered_set<std::string> seen;
  for (int64_t r = 0; r < table.num_archs(); ++r) {
    const Actions arch = (*space)->FromOrdinal(r);
    if (!(*space)->IsValid(arch)) continue;
    if (seen.insert((*space)->CanonicalKey(arch)).second) rows.push_back(r);
  }
  return rows;
}

std::vector<SeedAgreement> SeedAgreements(const TableDataset& d, const std::vector<int64_t>& rows) {
  std::vector<SeedAgreement> out;
  const int seeds = static_cast<int>(d.seeds().size());
  if (seeds < 2) return out;
  for (int f = 0; f < static_cast<int>(d.fidelities().size()); ++f) {
    SeedAgreement s;
    s.epochs = d.fidelities()[f];
    double sum_valid = 0, sum_test = 0, sum_diff = 0, sum_same = 0;
    for (int i = 0; i < seeds; ++i) {
      const std::vector<double> vi = Column(d, f, i, Field::kValid), ti = Column(d, f, i, Field::kTest);
      int64_t n_same = 0;
      sum_same += TauOver(rows, vi, ti, &n_same);
      for (int j = i + 1; j < seeds; ++j) {
        const std::vector<double> vj = Column(d, f, j, Field::kValid), tj = Column(d, f, j, Field::kTest);
        int64_t n_valid = 0, n_test = 0;
        sum_valid += TauOver(rows, vi, vj, &n_valid);
        sum_test += TauOver(rows, ti, tj, &n_test);
        double diff = 0;
        int64_t n_diff = 0;
        for (int64_t r : rows)
          if (!std::isnan(vi[r]) && !std::isnan(vj[r])) diff += std::fabs(vi[r] - vj[r]), ++n_diff;
        sum_diff += n_diff ? diff / n_diff : NAN;
        s.n = s.seed_pairs == 0 ? n_valid : std::min(s.n, n_valid);
        ++s.seed_pairs;
      }
    }
    s.tau_valid = sum_valid / s.seed_pairs;
    s.tau_test = sum_test / s.seed_pairs;
    s.mean_abs_diff_valid = sum_diff / s.seed_pairs;
    s.tau_valid_test_same_seed = sum_same / seeds;
    out.push_back(s);
  }
  return out;
}

std::vector<FidelityAgreement> FidelityAgreements(const TableDataset& d, const std::vector<int64_t>& rows) {
  std::vector<FidelityAgreement> out;
  const int top = static_cast<int>(d.fidelities().size()) - 1;
  if (top < 0) return out;
  const std::vector<double> top_valid = Column(d, top, d.mean_slot(), Field::kValid);
  const std::vector<double> top_test = Column(d, top, d.mean_slot(), Field::kTest);
  for (int f = 0; f <= top; ++f) {
    FidelityAgreement a;
    a.epochs = d.fidelities()[f];
    const std::vector<double> valid = Column(d, f, d.mean_slot(), Field::kValid);
    int64_t n_test = 0;
    a.tau_valid = f == top ? 1.0 : TauOver(rows, valid, top_valid, &a.n);
    a.tau_test = TauOver(rows, valid, top_test, &n_test);
    if (f == top) a.n = n_test;
    out.push_back(a);
  }
  return out;
}

std::string FormatSignal(const TableDataset& d, const std::vector<int64_t>& rows) {
  std::string out;
  const std::vector<SeedAgreement> seeds = SeedAgreements(d, rows);
  if (!seeds.empty()) {
    absl::StrAppend(&out, "  seed vs seed, Kendall tau-b over distinct architectures",
                    seeds.front().seed_pairs > 1 ? absl::StrCat(" (mean of ", seeds.front().seed_pairs, " seed pairs)")
                                                 : std::string(),
                    ":\n");
    for (const SeedAgreement& s : seeds) {
      if (s.n < 2) continue;
      absl::StrAppendFormat(&out, "    %d epochs: validation %.3f, test %.3f (%d architectures; mean |difference| "
                                  "of validation accuracy %.2f points; validation vs test of one training %.3f)\n",
                            s.epochs, s.tau_valid, s.tau_test, s.n, s.mean_abs_diff_valid,
                            s.tau_valid_test_same_seed);
    }
  }
  const std::vector<FidelityAgreement> fids = FidelityAgreements(d, rows);
  if (!fids.empty() && fids.back().n >= 2) {
    const int top = d.fidelities().back();
    absl::StrAppendFormat(&out, "  fidelity vs %d epochs, Kendall tau-b of validation accuracy (mean over seeds) "
                                "against %d-epoch validation / test accuracy:\n", top, top);
    for (const FidelityAgreement& a : fids)
      absl::StrAppendFormat(&out, "    %d epochs: %.3f / %.3f (%d architectures)\n", a.epochs, a.tau_valid,
                            a.tau_test, a.n);
  }
  return out;
}

}  // namespace nas::analysis
