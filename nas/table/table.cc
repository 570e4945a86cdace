#include "nas/table/table.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace nas {

TableDataset::TableDataset(std::string name, int64_t num_archs, std::vector<int> fidelities,
                           std::vector<int64_t> seeds)
    : name_(std::move(name)),
      num_archs_(num_archs),
      fidelities_(std::move(fidelities)),
      seeds_(std::move(seeds)),
      num_fidelities_(static_cast<int>(fidelities_.size())),
      num_slots_(static_cast<int>(seeds_.size()) + 1),
      entries_(static_cast<size_t>(num_archs_) * num_fidelities_ * num_slots_) {}

absl::StatusOr<int> TableDataset::FidelityIndex(int epochs) const {
  auto it = std::find(fidelities_.begin(), fidelities_.end(), epochs);
  if (it == fidelities_.end())
    return absl::NotFoundError(absl::StrCat("dataset '", name_, "' has no fidelity of ", epochs,
                                            " epochs; it has: ", absl::StrJoin(fidelities_, ", ")));
  return static_cast<int>(it - fidelities_.begin());
}

void TableDataset::ComputeMeans() {
  if (seeds_.empty()) return;
  const int mean = mean_slot();
  for (int64_t a = 0; a < num_archs_; ++a) {
    for (int f = 0; f < num_fidelities_; ++f) {
      double sum[4] = {0, 0, 0, 0};
      int count[4] = {0, 0, 0, 0};
      for (int s = 0; s < mean; ++s) {
        const TableEntry& e = at(a, f, s);
        const double v[4] = {e.train_acc, e.valid_acc, e.test_acc, e.train_time};
        for (int k = 0; k < 4; ++k)
          if (!std::isnan(v[k])) sum[k] += v[k], ++count[k];
      }
      TableEntry& m = mutable_at(a, f, mean);
      double* out[4] = {&m.train_acc, &m.valid_acc, &m.test_acc, &m.train_time};
      for (int k = 0; k < 4; ++k) *out[k] = count[k] ? sum[k] / count[k] : NAN;
    }
  }
}

Table::Table(std::string space, int64_t num_archs)
    : space_(std::move(space)),
      num_archs_(num_archs),
      source_index_(num_archs, -1),
      params_m_(num_archs, NAN),
      flops_m_(num_archs, NAN) {}

TableDataset& Table::AddDataset(const std::string& name, std::vector<int> fidelities, std::vector<int64_t> seeds) {
  datasets_.emplace_back(name, num_archs_, std::move(fidelities), std::move(seeds));
  return datasets_.back();
}

absl::StatusOr<const TableDataset*> Table::dataset(const std::string& name) const {
  for (const auto& d : datasets_)
    if (d.name() == name) return &d;
  return absl::NotFoundError(absl::StrCat("the table has no dataset '", name,
                                          "'; it has: ", absl::StrJoin(dataset_names(), ", ")));
}

std::vector<std::string> Table::dataset_names() const {
  std::vector<std::string> names;
  for (const auto& d : datasets_) names.push_back(d.name());
  return names;
}

}  // namespace nas
