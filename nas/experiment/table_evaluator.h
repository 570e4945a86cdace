// Evaluates architectures by lookup in a tabular benchmark (the NAS-Bench protocol): the search signal is
// the validation accuracy at the search fidelity (the mean over seeds, or one seed drawn from the run's own
// stream), the reported figure is the mean test accuracy at the report fidelity, and the simulated cost is
// the table's training time at the search fidelity (or a fixed cost per evaluation).
#ifndef NAS_EXPERIMENT_TABLE_EVALUATOR_H_
#define NAS_EXPERIMENT_TABLE_EVALUATOR_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/proto/experiment.pb.h"
#include "nas/table/table.h"
#include "nas/util/rng.h"

namespace nas {

struct Evaluation {
  double valid_acc = 0;
  double test_acc = 0;
  double cost_s = 0;
  int64_t slot = 0;
};

class TableEvaluator {
 public:
  // Checks the benchmark against the table (dataset, fidelities, seeds, times) and that every architecture
  // has the values the protocol needs; errors name what is missing. `benchmark` is resolved.
  static absl::StatusOr<TableEvaluator> Create(const Table& table, const proto::Benchmark& benchmark,
                                               bool budget_in_seconds);

  // Thread-safe; `rng` is the run's evaluation stream (used in SAMPLE mode only).
  Evaluation Evaluate(int64_t arch, Rng& rng) const {
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
    return e;
  }

  // The best reported test accuracy over the whole table (for regret).
  double best_test_acc() const { return best_test_; }
  int search_epochs() const { return dataset_->fidelities()[search_fidelity_]; }
  int report_epochs() const { return dataset_->fidelities()[report_fidelity_]; }

 private:
  const TableDataset* dataset_ = nullptr;
  int search_fidelity_ = 0;
  int report_fidelity_ = 0;
  int mean_slot_ = 0;
  bool sample_ = false;
  double fixed_cost_ = 0;
  double best_test_ = 0;
  std::vector<std::vector<int>> valid_slots_;  // per arch, seed slots with a search value (SAMPLE mode)
};

}  // namespace nas

#endif  // NAS_EXPERIMENT_TABLE_EVALUATOR_H_
