// The strategies enas and rsps (nas/search/weight_sharing.h) over the run's supernet evaluator
// (supernet_evaluator.h). One run: for each of benchmark.train.epochs epochs, one supernet epoch (a fresh
// architecture per minibatch: ENAS from its controller, RSPS uniform), then controller_steps x archs_per_step
// proposals at the minibatch fidelity (ENAS: one controller update per archs_per_step rewards); then
// derive_samples proposals at the whole-split fidelity, sampled the same way; then the run ends (AskBatch
// returns none with nothing pending). The run's incumbent (best validation accuracy at the highest fidelity)
// is the derived architecture.
//
// ENAS's reward is the NB201 authors': r = accuracy / 100 + entropy_weight * entropy; baseline b = r for the
// first reward, then b <- b - (1 - baseline_decay) (b - r); the controller's gradient accumulates
// -(r - b) log pi(arch) / archs_per_step over a step. The random streams: controller weights
// DeriveSeed(seed, 0, "enas/controller-init"); sampling DeriveSeed(seed, 0, "weight-sharing/sample") for the
// proposals and DeriveSeed(seed, epoch, "weight-sharing/supernet-arch") for each supernet epoch.
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nas/search/torch/enas_controller.h"
#include "nas/search/weight_sharing.h"
#include "nas/train/supernet_evaluator.h"
#include "nas/util/rng.h"
#include "nas/util/status.h"

namespace nas {
namespace {

class WeightSharingStrategy : public BatchStrategy {
 public:
  WeightSharingStrategy(const StrategyContext& c, SupernetEvaluator* supernet, bool with_controller)
      : params_(c.method->weight_sharing()),
        supernet_(supernet),
        seed_(c.seed),
        rng_(DeriveSeed(c.seed, 0, "weight-sharing/sample")) {
    for (int d = 0; d < c.space->num_decisions(); ++d) num_choices_.push_back(c.space->num_choices(d));
    if (with_controller)
      controller_ = std::make_unique<EnasController>(num_choices_, params_, DeriveSeed(c.seed, 0, "enas/controller-init"));
  }

  std::vector<Proposal> AskBatch(int k) override {
    if (k <= 0 || pending_ || finished_) return {};
    if (!deriving_ && step_ == 0 && in_step_ == 0) {
      // Trained before this proposal is evaluated (the controller does not change in between).
      auto arch_rng = std::make_shared<Rng>(DeriveSeed(seed_, epoch_, "weight-sharing/supernet-arch"));
      supernet_->ScheduleEpoch([this, arch_rng](int64_t) { return Draw(*arch_rng).arch; });
    }
    EnasController::Sample s = Draw(rng_);
    Proposal p;
    p.actions = s.arch;
    p.log_prob = s.log_prob;
    p.entropy = s.entropy;
    p.id = NextId();
    p.fidelity = deriving_ ? SupernetEvaluator::kWholeSplit : SupernetEvaluator::kMinibatch;
    pending_ = true;
    last_ = s;
    return {p};
  }

  void TellResult(int64_t, double reward) override {
    NAS_CHECK(pending_);
    pending_ = false;
    if (deriving_) {
      if (++derived_ == params_.derive_samples()) finished_ = true;
      return;
    }
    if (controller_) {
      const double r = reward / 100.0 + params_.entropy_weight() * last_.entropy;
      baseline_ = have_baseline_ ? baseline_ - (1 - params_.baseline_decay()) * (baseline_ - r) : r;
      have_baseline_ = true;
      controller_->Accumulate(last_.arch, r - baseline_, 1.0 / params_.archs_per_step());
    }
    if (++in_step_ < params_.archs_per_step()) return;
    in_step_ = 0;
    if (controller_) controller_->Step();
    if (++step_ < params_.controller_steps()) return;
    step_ = 0;
    if (++epoch_ == supernet_->epochs()) deriving_ = true;
  }

 private:
  EnasController::Sample Draw(Rng& rng) {
    if (controller_) return controller_->Draw(rng);
    EnasController::Sample s;
    for (int n : num_choices_) s.arch.push_back(static_cast<int>(rng.UniformInt(n)));
    return s;
  }

  proto::WeightSharingParams params_;
  SupernetEvaluator* supernet_;
  uint64_t seed_;
  Rng rng_;
  std::vector<int> num_choices_;
  std::unique_ptr<EnasController> controller_;
  int epoch_ = 0, step_ = 0, in_step_ = 0, derived_ = 0;
  bool deriving_ = false, finished_ = false, pending_ = false;
  bool have_baseline_ = false;
  double baseline_ = 0;
  EnasController::Sample last_;
};

const bool kRegistered = RegisterWeightSharingFactory(
    [](const StrategyContext& c, bool controller) -> absl::StatusOr<std::unique_ptr<Strategy>> {
      auto* supernet = dynamic_cast<SupernetEvaluator*>(c.evaluator);
      if (supernet == nullptr) return absl::FailedPreconditionError("the weight-sharing methods need their supernet");
      return std::unique_ptr<Strategy>(std::make_unique<WeightSharingStrategy>(c, supernet, controller));
    });

}  // namespace
}  // namespace nas
