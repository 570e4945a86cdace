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

absl::Status Table::SetRowKeys(std::vector<std::string> keys, std::vector<std::string> archs) {
  if (keys.size() != static_cast<size_t>(num_archs_) || archs.size() != static_cast<size_t>(num_archs_))
    return absl::InvalidArgumentError(absl::StrCat("row keys: ", keys.size(), " keys and ", archs.size(),
                                                   " architectures for ", num_archs_, " rows"));
  std::unordered_map<std::string, int64_t> index;
  index.reserve(keys.size());
  for (size_t r = 0; r < keys.size(); ++r)
    if (!index.emplace(keys[r], static_cast<int64_t>(r)).second)
      return absl::InvalidArgumentError(absl::StrCat("row keys: key '", keys[r], "' appears in rows ",
                                                     index[keys[r]], " and ", r));
  sparse_ = true;
  row_keys_ = std::move(keys);
  row_archs_ = std::move(archs);
  row_of_key_ = std::move(index);
  return absl::OkStatus();
}

int64_t Table::RowOfKey(absl::string_view key) const {
  auto it = row_of_key_.find(std::string(key));
  return it == row_of_key_.end() ? -1 : it->second;
}

std::vector<std::string> Table::dataset_names() const {
  std::vector<std::string> names;
  for (const auto& d : datasets_) names.push_back(d.name());
  return names;
}

}  // namespace nas
