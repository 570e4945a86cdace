// The per-run evaluator of the weight-sharing methods enas and rsps (registered as "supernet",
// nas/search/weight_sharing.h): one supernet (shared_weights.h) trained with the experiment's
// `benchmark { train { ... } }` spec and the method's batchnorm mode, and optionally the truth table
// (weight_sharing.table) that gives each architecture's real test accuracy. No torch in this header.
//
// Fidelities (Proposal::fidelity, logged as the episode's fidelity): 0 = the shared-weight accuracy on one
// validation minibatch (the next one of the split, cycling), 1 = on the whole validation split (derivation).
//
// The deterministic clock (Evaluation::cost_s) charges work in units u of one child epoch: u = the truth
// table's mean training time of one epoch at its smallest fidelity (mean over architectures of the mean-slot
// train_time, divided by that fidelity's epochs), or 1 s without a table. A supernet epoch (one pass over the
// train split, forward and backward) costs u; scoring an architecture on v validation images costs
// u * v / (3 * train split) (a forward pass is a third of a training step). Controller updates cost nothing.
// The charge of a supernet epoch goes to the next evaluation, whose curve carries that epoch (train loss,
// train accuracy, measured wall seconds in train_time).
#ifndef NAS_TRAIN_SUPERNET_EVALUATOR_H_
#define NAS_TRAIN_SUPERNET_EVALUATOR_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/experiment/evaluator.h"
#include "nas/proto/supernet.pb.h"
#include "nas/train/shared_weights.h"

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace nas {

class Table;
class TableDataset;

class SupernetEvaluator : public Evaluator {
 public:
  static constexpr int kMinibatch = 0, kWholeSplit = 1;
  // Checks (errors name the field): a method with weight_sharing params, a `benchmark.train` on space nb201,
  // and a truth table of space nb201 whose build spec has the same data and skeleton as benchmark.train.
  static absl::StatusOr<std::unique_ptr<SupernetEvaluator>> Create(const EvaluatorContext& context);
  ~SupernetEvaluator() override;

  absl::StatusOr<Evaluation> EvaluateAt(const Actions& arch, int fidelity, Rng& rng) const override;
  std::vector<int> fidelity_epochs() const override { return {1, 2}; }
  int search_fidelity() const override { return kMinibatch; }
  int32_t LoggedFidelity(int fidelity) const override { return fidelity < 0 ? kMinibatch : fidelity; }
  int search_epochs() const override;
  int report_epochs() const override;
  double best_test_acc() const override { return best_test_; }
  std::string Describe() const override;
  // With a truth table: truth_table_path (as given), truth_table_sha256 (the file's), truth_table_values_sha256
  // (its contents'), truth_dataset, truth_epochs (the fidelity judged), truth_best_test_acc, clock_unit_s.
  absl::StatusOr<std::map<std::string, std::string>> Provenance() const override;

  // One supernet epoch (architecture per minibatch from `sample`), trained at the start of the next
  // evaluation (which returns its errors) and charged to it.
  void ScheduleEpoch(SharedWeights::Sampler sample) { scheduled_.push_back(std::move(sample)); }
  // Work run at the start of the next evaluation, before its scheduled epochs (e.g. a checkpoint); its error is
  // that evaluation's.
  void ScheduleTask(std::function<absl::Status()> task) { tasks_.push_back(std::move(task)); }
  int epochs() const;       // the schedule's epochs (benchmark.train.epochs)
  int epochs_done() const;
  int64_t steps_per_epoch() const;
  double epoch_unit_s() const { return unit_s_; }
  std::string WeightsSha256() const;
  // What determines the supernet's run (its spec, seed, clock unit and truth table), for checkpoints.
  std::string Identity() const;
  // The run state (shared weights, optimiser, epochs, the next validation minibatch) for a checkpoint taken
  // between evaluations; Load restores it (errors name the entry).
  void Save(torch::serialize::OutputArchive& archive) const;
  absl::Status Load(torch::serialize::InputArchive& archive);
  // The shared-weight accuracy of `arch` on the whole validation split (charges nothing).
  absl::StatusOr<double> WholeSplitAccuracy(const Actions& arch) const;
  // The truth table and its dataset's name (null / empty without weight_sharing.table).
  const Table* truth_table() const { return table_.get(); }
  std::string truth_dataset() const;

 private:
  SupernetEvaluator() = default;

  const SearchSpace* space_ = nullptr;
  proto::SupernetSpec spec_;
  std::unique_ptr<SharedWeights> weights_;
  std::unique_ptr<Table> table_;
  const TableDataset* truth_ = nullptr;
  int truth_fidelity_ = 0;
  double unit_s_ = 1.0, best_test_ = NAN;
  uint64_t seed_ = 0;
  int64_t train_size_ = 0, valid_size_ = 0, batch_ = 0;
  std::string table_note_, method_table_path_;
  // Run state (evaluators owned by a run are used by its thread only).
  mutable int64_t next_minibatch_ = 0;
  mutable std::vector<SharedWeights::Sampler> scheduled_;
  mutable std::vector<std::function<absl::Status()>> tasks_;
};

}  // namespace nas

#endif  // NAS_TRAIN_SUPERNET_EVALUATOR_H_
