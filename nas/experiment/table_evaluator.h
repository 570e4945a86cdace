// Evaluates architectures by lookup in a tabular benchmark (the NAS-Bench protocol): the search signal is
// the validation accuracy at the search fidelity (the mean over seeds, or one seed drawn from the run's own
// stream), the reported figure is the mean test accuracy at the report fidelity, and the simulated cost is
// the table's training time at the search fidelity (or a fixed cost per evaluation).
//
// Rows: a dense table's row is the space's ordinal (no hashing on the hot path); a sparse table (NB101, see
// nas/table/table.h) is indexed by RowOf (the architecture's CanonicalKey). An architecture without a row is an
// error naming it: the strategies only propose valid architectures, so for NB101 it is a gap in the table.
#ifndef NAS_EXPERIMENT_TABLE_EVALUATOR_H_
#define NAS_EXPERIMENT_TABLE_EVALUATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/experiment/evaluator.h"
#include "nas/proto/experiment.pb.h"
#include "nas/table/table.h"
#include "nas/util/rng.h"

namespace nas {

class TableEvaluator : public Evaluator {
 public:
  // Checks the benchmark against the table (dataset, fidelities, seeds, times) and that every architecture
  // has the values the protocol needs; errors name what is missing. `benchmark` is resolved.
  static absl::StatusOr<TableEvaluator> Create(const Table& table, const SearchSpace& space,
                                               const proto::Benchmark& benchmark, bool budget_in_seconds);

  // `table`, `space` and the evaluator's copies must outlive it (it keeps pointers to them).
  absl::StatusOr<Evaluation> EvaluateAt(const Actions& actions, int fidelity, Rng& rng) const override {
    int64_t row;
    if (!sparse_) {
      row = space_->Ordinal(actions);
    } else {
      row = SparseRow(actions);
      if (row < 0) return MissingArchitecture(actions);
    }
    if (fidelity == kSearchFidelity || fidelity == search_fidelity_) return Lookup(row, rng);
    return LookupAt(row, fidelity, rng);
  }

  // The lookup itself at the search fidelity, by table row (dense tables: the space's ordinal); `rng` is the
  // run's evaluation stream (used in SAMPLE mode only). No checks: `arch` must be a row of the table.
  Evaluation Lookup(int64_t arch, Rng& rng) const {
    int slot = mean_slot_;
    if (sample_) {
      const std::vector<int>& valid = valid_slots_[arch];
      slot = valid[valid.size() == 1 ? 0 : rng.UniformInt(valid.size())];
    }
    const TableEntry& s = dataset_->at(arch, search_fidelity_, slot);
    Evaluation e;
    e.valid_acc = s.valid_acc;
    e.test_acc = dataset_->at(arch, report_fidelity_, mean_slot_).test_acc;
    e.cost_s = fixed_cost_ > 0 ? fixed_cost_ : (std::isnan(s.train_time) ? 0.0 : s.train_time);
    e.slot = slot;
    e.fidelity = search_fidelity_;
    if (!params_m_.empty()) e.params_m = params_m_[arch];
    if (!flops_m_.empty()) e.flops_m = flops_m_[arch];
    return e;
  }
  // At another fidelity index: its validation accuracy (a seed drawn among those with a value, in SAMPLE
  // mode) and its training time (or cost_per_evaluation_s scaled by its epochs over the search epochs).
  absl::StatusOr<Evaluation> LookupAt(int64_t arch, int fidelity, Rng& rng) const;

  std::vector<int> fidelity_epochs() const override { return dataset_->fidelities(); }
  int search_fidelity() const override { return search_fidelity_; }
  int32_t LoggedFidelity(int fidelity) const override {
    return fidelity == kSearchFidelity ? search_fidelity_ : fidelity;
  }

  // Per-row costs (for rewards and Pareto fronts): the table's params_m / flops_m columns where it has any
  // value; for the NB201 CSV (no such columns) computed analytically for its C = 16, N = 5 skeleton
  // (nas/space/nb201_cost.h; 10/100/120 classes by dataset name, 16x16 images for ImageNet16-120). Empty
  // when unknown.
  bool has_params() const { return !params_m_.empty(); }
  bool has_flops() const { return !flops_m_.empty(); }
  // Where the costs come from ("table", "analytic (NB201 C=16 N=5 skeleton)" or "none").
  const std::string& cost_source() const { return cost_source_; }

  // The best reported test accuracy over the whole table (for regret).
  double best_test_acc() const override { return best_test_; }
  int search_epochs() const override { return dataset_->fidelities()[search_fidelity_]; }
  int report_epochs() const override { return dataset_->fidelities()[report_fidelity_]; }
  std::string Describe() const override { return "table lookup"; }
  bool sparse() const { return sparse_; }

 private:
  int64_t SparseRow(const Actions& actions) const;
  absl::Status MissingArchitecture(const Actions& actions) const;
  void FillCosts(const Table& table, const SearchSpace& space, const std::string& dataset);

  const Table* table_ = nullptr;
  const SearchSpace* space_ = nullptr;
  bool sparse_ = false;
  const TableDataset* dataset_ = nullptr;
  int search_fidelity_ = 0;
  int report_fidelity_ = 0;
  int mean_slot_ = 0;
  bool sample_ = false;
  double fixed_cost_ = 0;
  double best_test_ = 0;
  std::vector<std::vector<int>> valid_slots_;
  std::vector<double> params_m_, flops_m_;
  std::string cost_source_ = "none";  // per arch, seed slots with a search value (SAMPLE mode)
};

}  // namespace nas

#endif  // NAS_EXPERIMENT_TABLE_EVALUATOR_H_
