// The `train` evaluator: every proposed child is really trained (nas/train/trainer.h); reward = validation
// accuracy after the last epoch, reported = its test accuracy, the whole per-epoch curve goes to the log.
// Registered with the experiment core (nas/experiment/evaluator.h) so that the core stays free of LibTorch.
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nas/space/zoph_le_space.h"
#include "nas/train/macro_network.h"
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

// Refuses, before any data is read or child trained, a macro space whose largest child would not fit in this
// machine's memory at the configured batch (nas/train/macro_network.h's estimate; the image size and class
// count are the dataset's, known from the resolved spec without reading it).
absl::Status CheckMacroMemory(const SearchSpace& space, const proto::TrainSpec& spec) {
  const auto& macro = dynamic_cast<const ZophLeSpace&>(space);
  const proto::DatasetSpec& d = spec.data();
  const bool cifar = d.name() == "cifar10";
  const int64_t size = d.image_size() > 0 ? d.image_size() : (cifar ? 32 : 28);
  const int64_t channels = cifar ? 3 : 1;
  // Training batches keep activations and their gradients; evaluation batches (at least 512, no gradients)
  // about half as much per image.
  const int64_t batch = spec.batch_size();
  MacroMemoryEstimate m = EstimateMacroTrainingMemory(macro.layers(), batch, channels, size, 10);
  MacroMemoryEstimate eval = EstimateMacroTrainingMemory(macro.layers(), std::max<int64_t>(batch, 512), channels, size, 10);
  eval.activation_bytes /= 2;
  if (eval.total() > m.total()) m = eval;
  const double physical = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  // Two workers may train at once and the dataset, LibTorch and the log need room too: allow a quarter.
  if (m.total() > physical / 4)
    return absl::ResourceExhaustedError(absl::StrFormat(
        "benchmark.space_params.layers: the largest child of a %d-layer zoph_le_cnn at batch %d on %dx%dx%d "
        "images needs about %.1f GiB (activations %.1f, weights %.2f), more than a quarter of this machine's "
        "%.1f GiB; lower benchmark.train.batch_size, train.data.image_size or space_params.layers",
        macro.layers(), batch, channels, size, size, m.total() / (1 << 30), m.activation_bytes / (1 << 30),
        m.weight_bytes / (1 << 30), physical / (1 << 30)));
  return absl::OkStatus();
}

const bool kRegistered = RegisterTrainEvaluator(
    [](const proto::Benchmark& benchmark, const SearchSpace& space) -> absl::StatusOr<std::unique_ptr<Evaluator>> {
      proto::TrainSpec spec = benchmark.train();
      absl::Status s = ResolveTrainSpec(&spec);
      if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("benchmark.train.", s.message()));
      if (space.name() != "nb201" && space.name() != "zoph_le_cnn")
        return absl::InvalidArgumentError(
            absl::StrCat("benchmark.space: training supports nb201 and zoph_le_cnn, not ", space.name()));
      if (space.name() == "zoph_le_cnn") NAS_RETURN_IF_ERROR(CheckMacroMemory(space, spec));
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
