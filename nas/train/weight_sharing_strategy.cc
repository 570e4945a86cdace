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
//
// Checkpoints (weight_sharing_checkpoint.h): with a StrategyContext::checkpoint_prefix, the state after each
// completed epoch is written at the start of the next evaluation (before the next supernet epoch); on resume
// the newest checkpoint consistent with the logged episodes is restored and the run continues after it.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "nas/search/torch/enas_controller.h"
#include "nas/search/weight_sharing.h"
#include "nas/train/supernet_evaluator.h"
#include "nas/train/weight_sharing_checkpoint.h"
#include "nas/util/rng.h"
#include "nas/util/status.h"

namespace nas {
namespace {

// "label/run" from the prefix DIR/label.run.
std::string RunName(const std::string& prefix) {
  std::string name = prefix.substr(prefix.rfind('/') + 1);
  const size_t dot = name.rfind('.');
  if (dot != std::string::npos) name[dot] = '/';
  return name;
}

class WeightSharingStrategy : public BatchStrategy {
 public:
  WeightSharingStrategy(const StrategyContext& c, SupernetEvaluator* supernet, bool with_controller)
      : params_(c.method->weight_sharing()),
        supernet_(supernet),
        seed_(c.seed),
        rng_(DeriveSeed(c.seed, 0, "weight-sharing/sample")),
        prefix_(c.checkpoint_prefix),
        who_(RunName(c.checkpoint_prefix)) {
    for (int d = 0; d < c.space->num_decisions(); ++d) num_choices_.push_back(c.space->num_choices(d));
    if (with_controller)
      controller_ = std::make_unique<EnasController>(num_choices_, params_, DeriveSeed(c.seed, 0, "enas/controller-init"));
    identity_ = absl::StrCat("label ", c.method->label(), "\nmethod ", c.method->ShortDebugString(), "\nstrategy seed ",
                             c.seed, "\n", supernet_->Identity());
    chain_ = ChainStart(identity_);
  }

  int64_t restored_episodes() const override { return restored_; }

  // Resume: restores the newest checkpoint under the prefix that the logged episodes confirm (one line on
  // stderr for each refused one and for the one used). An error only when restoring a confirmed one fails.
  absl::Status RestoreFrom(const std::vector<Episode>& logged) {
    bool refused = false;
    for (int k = supernet_->epochs(); k >= 1; --k) {
      const std::string path = CheckpointPath(prefix_, k);
      if (::access(path.c_str(), F_OK) != 0) continue;
      auto refuse = [&](const std::string& why) {
        std::fprintf(stderr, "nas: %s: not used for run %s: %s\n", path.c_str(), who_.c_str(), why.c_str());
        refused = true;
      };
      auto opened = WeightSharingCheckpoint::Open(path);
      if (!opened.ok()) {
        std::string why(opened.status().message());
        if (why.rfind(path + ": ", 0) == 0) why = why.substr(path.size() + 2);
        refuse(why);
        continue;
      }
      const WeightSharingCheckpoint& c = **opened;
      const WeightSharingState& st = c.state();
      if (c.identity() != identity_) {
        refuse("it was written by another configuration or run (its method, seed or supernet differ)");
        continue;
      }
      if (st.epoch != k || st.episodes != static_cast<int64_t>(k) * params_.controller_steps() * params_.archs_per_step()) {
        refuse(absl::StrCat("it holds epoch ", st.epoch, " after ", st.episodes, " episodes, not epoch ", k));
        continue;
      }
      if (st.episodes > static_cast<int64_t>(logged.size())) {
        refuse(absl::StrCat("it is ahead of the log (", st.episodes, " episodes, the log holds ", logged.size(), ")"));
        continue;
      }
      if (ChainOf(identity_, logged, st.episodes) != st.chain) {
        refuse(absl::StrCat("its ", st.episodes, " episodes differ from the log's (a checkpoint of another log)"));
        continue;
      }
      NAS_RETURN_IF_ERROR(c.Restore(supernet_, controller_.get()));
      epoch_ = st.epoch;
      chain_ = st.chain;
      next_id_ = st.next_id;
      rng_.set_state(st.rng);
      have_baseline_ = st.have_baseline;
      baseline_ = st.baseline;
      told_ = restored_ = st.episodes;
      if (epoch_ == supernet_->epochs()) deriving_ = true;
      std::fprintf(stderr, "nas: run %s resumes after epoch %d (%lld episodes) from %s (sha256 %s)\n", who_.c_str(),
                   k, static_cast<long long>(st.episodes), path.c_str(), c.sha256().c_str());
      return absl::OkStatus();
    }
    if (refused) std::fprintf(stderr, "nas: run %s resumes from its start\n", who_.c_str());
    return absl::OkStatus();
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
    p.id = next_id_++;
    p.fidelity = deriving_ ? SupernetEvaluator::kWholeSplit : SupernetEvaluator::kMinibatch;
    pending_ = true;
    last_ = s;
    return {p};
  }

  void TellResult(int64_t, double reward) override {
    NAS_CHECK(pending_);
    pending_ = false;
    ++told_;
    chain_ = ChainNext(chain_, std::vector<int32_t>(last_.arch.begin(), last_.arch.end()), last_.log_prob,
                       last_.entropy, reward);
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
    if (!prefix_.empty()) {
      WeightSharingState st;
      st.epoch = epoch_;
      st.episodes = told_;
      st.chain = chain_;
      st.next_id = next_id_;
      st.rng = rng_.state();
      st.have_baseline = have_baseline_;
      st.baseline = baseline_;
      // Written before the next evaluation changes anything (the controller does not change in between).
      supernet_->ScheduleTask([this, st]() -> absl::Status {
        return WriteWeightSharingCheckpoint(prefix_, identity_, st, *supernet_, controller_.get()).status();
      });
    }
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
  std::string prefix_, who_, identity_, chain_;
  int64_t next_id_ = 0, told_ = 0, restored_ = 0;
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
      auto strategy = std::make_unique<WeightSharingStrategy>(c, supernet, controller);
      if (!c.checkpoint_prefix.empty() && c.logged != nullptr && !c.logged->empty())
        NAS_RETURN_IF_ERROR(strategy->RestoreFrom(*c.logged));
      return std::unique_ptr<Strategy>(std::move(strategy));
    });

}  // namespace
}  // namespace nas
