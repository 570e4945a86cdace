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

  absl::StatusOr<Evaluation> EvaluateAt(const Actions& arch, int fidelity, Rng& rng) const override {
    return EvaluateDrawn(arch, Draw(rng), fidelity);
  }
  // Fidelities are epochs 1 .. train.epochs (index i: i + 1 epochs); the search fidelity is train.epochs. A
  // child asked for at a higher fidelity than before is trained afresh from its seed for that many epochs
  // (its learning-rate schedule spans them), not continued from a checkpoint: a promoted child's result is
  // then exactly the one a direct evaluation at that fidelity gives.
  std::vector<int> fidelity_epochs() const override {
    std::vector<int> e(spec_.epochs());
    for (int i = 0; i < spec_.epochs(); ++i) e[i] = i + 1;
    return e;
  }
  int search_fidelity() const override { return spec_.epochs() - 1; }
  int32_t LoggedFidelity(int fidelity) const override {
    return fidelity == kSearchFidelity ? spec_.epochs() : fidelity + 1;
  }
  bool deferrable() const override { return true; }
  // The child's training seed comes from the run's evaluation stream: runs are independent and replayable.
  uint64_t Draw(Rng& rng) const override { return rng.NextU64() >> 1; }
  // cost_per_evaluation_s for train.epochs epochs, in proportion for fewer.
  double deferred_cost_s(int fidelity) const override {
    if (fidelity == kSearchFidelity || fidelity == search_fidelity()) return cost_;
    return cost_ * (fidelity + 1) / spec_.epochs();
  }
  absl::StatusOr<Evaluation> EvaluateDrawn(const Actions& arch, uint64_t seed, int fidelity) const override {
    if (fidelity != kSearchFidelity && (fidelity < 0 || fidelity >= spec_.epochs()))
      return absl::InvalidArgumentError(absl::StrCat("fidelity index ", fidelity, " is not in [0, ", spec_.epochs(), ")"));
    proto::TrainSpec at = spec_;
    at.set_epochs(LoggedFidelity(fidelity));
    auto result = TrainChild(space_, arch, at, *data_, seed);
    if (!result.ok())
      return absl::Status(result.status().code(),
                          absl::StrCat("training ", space_.ToString(arch), ": ", result.status().message()));
    Evaluation e;
    const EpochMetrics& last = result->epochs.back();
    e.valid_acc = last.valid_acc;
    e.test_acc = last.test_acc;
    e.cost_s = deferred_cost_s(fidelity);
    e.slot = static_cast<int64_t>(seed);
    e.fidelity = LoggedFidelity(fidelity);
    e.params_m = result->params_m;
    e.flops_m = result->flops_m;
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
      // The space's child network (its registration's check, e.g. memory), before any data is read.
      absl::Status trainable = CheckTrainable(space, spec);
      if (!trainable.ok()) return absl::Status(trainable.code(), absl::StrCat("benchmark.", trainable.message()));
      // Before any log or data exists: a CUDA run on a machine without CUDA fails here, not at its first child.
      if (spec.device() == "cuda" && !CudaAvailable())
        return absl::FailedPreconditionError(
            "benchmark.train.device: \"cuda\" requested but torch::cuda::is_available() is false (this LibTorch "
            "has no CUDA support or no GPU is visible); use device \"cpu\"");
      NAS_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> data, LoadDataset(spec.data()));
      return std::unique_ptr<Evaluator>(
          std::make_unique<TrainEvaluator>(spec, std::move(data), space, benchmark.cost_per_evaluation_s()));
    });

}  // namespace
}  // namespace nas
