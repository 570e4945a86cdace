// The `train` evaluator: every proposed child is really trained (nas/train/trainer.h); reward = validation
// accuracy after the last epoch, reported = its test accuracy, the whole per-epoch curve goes to the log.
// Registered with the experiment core (nas/experiment/evaluator.h) so that the core stays free of LibTorch.
#include <memory>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "nas/experiment/evaluator.h"
#include "nas/train/trainer.h"
#include "nas/util/status.h"

namespace nas {
namespace {

class TrainEvaluator : public Evaluator {
 public:
  TrainEvaluator(proto::TrainSpec spec, std::shared_ptr<const Dataset> data, const SearchSpace& space,
                 double cost_per_evaluation)
      : spec_(std::move(spec)), data_(std::move(data)), space_(space), cost_(cost_per_evaluation) {}

  absl::StatusOr<Evaluation> Evaluate(const Actions& arch, Rng& rng) const override {
    return EvaluateDrawn(arch, Draw(rng));
  }
  bool deferrable() const override { return true; }
  // The child's training seed comes from the run's evaluation stream: runs are independent and replayable.
  uint64_t Draw(Rng& rng) const override { return rng.NextU64() >> 1; }
  double deferred_cost_s() const override { return cost_; }
  absl::StatusOr<Evaluation> EvaluateDrawn(const Actions& arch, uint64_t seed) const override {
    auto result = TrainChild(space_, arch, spec_, *data_, seed);
    if (!result.ok())
      return absl::Status(result.status().code(),
                          absl::StrCat("training ", space_.ToString(arch), ": ", result.status().message()));
    Evaluation e;
    const EpochMetrics& last = result->epochs.back();
    e.valid_acc = last.valid_acc;
    e.test_acc = last.test_acc;
    e.cost_s = cost_;
    e.slot = static_cast<int64_t>(seed);
    for (const EpochMetrics& m : result->epochs) {
      CurvePoint c;
      c.epoch = m.epoch;
      c.train_loss = m.train_loss;
      c.train_acc = m.train_acc;
      c.valid_loss = m.valid_loss;
      c.valid_acc = m.valid_acc;
      c.test_loss = m.test_loss;
      c.test_acc = m.test_acc;
      c.train_time = m.train_time_s;
      e.curve.push_back(c);
    }
    return e;
  }

  int search_epochs() const override { return spec_.epochs(); }
  int report_epochs() const override { return spec_.epochs(); }
  std::string Describe() const override {
    std::string text;
    google::protobuf::TextFormat::PrintToString(spec_, &text);
    return absl::StrCat("training (LibTorch, ", spec_.device(), "): ", text);
  }

 private:
  proto::TrainSpec spec_;
  std::shared_ptr<const Dataset> data_;
  const SearchSpace& space_;
  double cost_;
};

const bool kRegistered = RegisterTrainEvaluator(
    [](const proto::Benchmark& benchmark, const SearchSpace& space) -> absl::StatusOr<std::unique_ptr<Evaluator>> {
      proto::TrainSpec spec = benchmark.train();
      absl::Status s = ResolveTrainSpec(&spec);
      if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("benchmark.train.", s.message()));
      if (space.name() != "nb201")
        return absl::InvalidArgumentError(absl::StrCat("benchmark.space: training supports nb201, not ", space.name()));
      NAS_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> data, LoadDataset(spec.data()));
      return std::unique_ptr<Evaluator>(
          std::make_unique<TrainEvaluator>(spec, std::move(data), space, benchmark.cost_per_evaluation_s()));
    });

}  // namespace
}  // namespace nas
