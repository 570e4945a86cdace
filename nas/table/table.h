// A tabular NAS benchmark in memory: for every architecture of a search space (rows in the space's ordinal
// order), per dataset, per fidelity (training epochs) and per training seed, the train / validation / test
// accuracy (percent) and the training time (seconds, cumulative up to that fidelity). Values a source does
// not give are NaN. The last seed slot of every (arch, fidelity) always holds the mean over the seeds that have
// a value (for sources that only publish the mean, such as the NB201 CSV, it is the only slot).
//
// On disk this is the HDF5 format of table_io.h, the same for every source (imports and our own builds).
#ifndef NAS_TABLE_TABLE_H_
#define NAS_TABLE_TABLE_H_

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nas/util/status.h"

namespace nas {

struct TableEntry {
  double train_acc = NAN;
  double valid_acc = NAN;
  double test_acc = NAN;
  double train_time = NAN;  // seconds of training to reach this fidelity
};

class TableDataset {
 public:
  TableDataset(std::string name, int64_t num_archs, std::vector<int> fidelities, std::vector<int64_t> seeds);

  const std::string& name() const { return name_; }
  const std::vector<int>& fidelities() const { return fidelities_; }
  // Training seeds; the slot index of seed i is i, and slot seeds().size() is the mean.
  const std::vector<int64_t>& seeds() const { return seeds_; }
  int num_slots() const { return static_cast<int>(seeds_.size()) + 1; }
  int mean_slot() const { return static_cast<int>(seeds_.size()); }
  int64_t num_archs() const { return num_archs_; }

  // Index of `epochs` in fidelities(), or NotFound listing them.
  absl::StatusOr<int> FidelityIndex(int epochs) const;

  const TableEntry& at(int64_t arch, int fidelity, int slot) const {
    return entries_[(arch * num_fidelities_ + fidelity) * num_slots_ + slot];
  }
  TableEntry& mutable_at(int64_t arch, int fidelity, int slot) {
    return entries_[(arch * num_fidelities_ + fidelity) * num_slots_ + slot];
  }
  // Recomputes every mean slot from the seed slots (no-op for mean-only datasets).
  void ComputeMeans();

  const std::vector<TableEntry>& entries() const { return entries_; }
  std::vector<TableEntry>& mutable_entries() { return entries_; }

 private:
  std::string name_;
  int64_t num_archs_;
  std::vector<int> fidelities_;
  std::vector<int64_t> seeds_;
  int num_fidelities_;
  int num_slots_;
  std::vector<TableEntry> entries_;
};

class Table {
 public:
  Table(std::string space, int64_t num_archs);

  const std::string& space() const { return space_; }
  int64_t num_archs() const { return num_archs_; }

  // Per architecture: the source's own index (-1 when unknown), parameters (millions) and FLOPs (millions);
  // NaN when unknown.
  std::vector<int64_t>& source_index() { return source_index_; }
  const std::vector<int64_t>& source_index() const { return source_index_; }
  std::vector<double>& params_m() { return params_m_; }
  const std::vector<double>& params_m() const { return params_m_; }
  std::vector<double>& flops_m() { return flops_m_; }
  const std::vector<double>& flops_m() const { return flops_m_; }

  // Provenance, free-form key -> value (source, license, source_sha256, command, hardware, ...).
  std::map<std::string, std::string>& attributes() { return attributes_; }
  const std::map<std::string, std::string>& attributes() const { return attributes_; }

  TableDataset& AddDataset(const std::string& name, std::vector<int> fidelities, std::vector<int64_t> seeds);
  // NotFound listing the table's datasets.
  absl::StatusOr<const TableDataset*> dataset(const std::string& name) const;
  const std::vector<TableDataset>& datasets() const { return datasets_; }
  std::vector<TableDataset>& mutable_datasets() { return datasets_; }
  std::vector<std::string> dataset_names() const;

  // Sparse rows, for spaces too large to enumerate (NB101): row r holds the architectures whose
  // SearchSpace::CanonicalKey is row_keys()[r], and row_archs()[r] is one of them in the space's notation.
  // Dense tables (the default; no keys) have row = the space's ordinal. Lookup: RowOf in table_index.h.
  bool sparse() const { return sparse_; }
  // Makes the table sparse. InvalidArgument unless both have num_archs() entries and the keys are distinct.
  absl::Status SetRowKeys(std::vector<std::string> keys, std::vector<std::string> archs);
  const std::vector<std::string>& row_keys() const { return row_keys_; }
  const std::vector<std::string>& row_archs() const { return row_archs_; }
  // The row of a key in a sparse table, or -1 (also for dense tables).
  int64_t RowOfKey(absl::string_view key) const;

  // Identity of the table's contents (set by ReadTable, table_io.h): SHA-256 over the digests of every stored
  // array (arch strings, keys, per-arch columns, every dataset's values, fidelities and seeds), independent of
  // the file's bytes and attributes. `checksummed`: the file stored a digest with every array and all matched.
  const std::string& values_sha256() const { return values_sha256_; }
  bool checksummed() const { return checksummed_; }
  void set_values_sha256(std::string digest, bool checksummed) {
    values_sha256_ = std::move(digest);
    checksummed_ = checksummed;
  }

 private:
  std::string space_;
  int64_t num_archs_;
  bool sparse_ = false;
  std::vector<std::string> row_keys_;
  std::vector<std::string> row_archs_;
  std::unordered_map<std::string, int64_t> row_of_key_;
  std::vector<int64_t> source_index_;
  std::vector<double> params_m_;
  std::vector<double> flops_m_;
  std::map<std::string, std::string> attributes_;
  std::vector<TableDataset> datasets_;
  std::string values_sha256_;
  bool checksummed_ = false;
};

}  // namespace nas

#endif  // NAS_TABLE_TABLE_H_
