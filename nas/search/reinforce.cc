// REINFORCE (Williams 1992) over a decision-sequence policy, as Zoph & Le (2017) and the NB201 authors use it:
// sample an architecture, reward = validation accuracy * reward_scale, baseline = bias-corrected exponential
// moving average of the rewards (updated with the current reward first, as NB201's reinforce.py), advantage =
// reward - baseline; one policy update per `batch_size` episodes.
// In batches it is synchronous, as Zoph & Le's m children trained in parallel: all batch_size architectures
// of a batch are sampled from the same policy, and the update waits for all of their rewards (the baseline
// takes them in proposal order, so the order results arrive in does not matter).
#include <cmath>

#include "nas/search/reinforce.h"

#include "absl/strings/str_cat.h"
#include "nas/search/policy.h"
#include "nas/search/strategy.h"
#include "nas/util/field_check.h"
#include "nas/util/rng.h"
#include "nas/util/status.h"

namespace nas {
namespace {

class Reinforce : public BatchStrategy {
 public:
  Reinforce(std::unique_ptr<Policy> policy, const proto::ReinforceParams& params, uint64_t seed)
      : policy_(std::move(policy)), params_(params), rng_(DeriveSeed(seed, 0, "policy-sample")) {}

  std::vector<Proposal> AskBatch(int k) override {
    std::vector<Proposal> out;
    while (static_cast<int>(out.size()) < k && static_cast<int>(batch_.size()) < params_.batch_size()) {
      PolicySample s = policy_->Sample(rng_);
      batch_.push_back(s.actions);
      rewards_.push_back(0);
      told_.push_back(false);
      out.push_back(Proposal{std::move(s.actions), s.log_prob, s.entropy, NextId()});
    }
    return out;
  }

  void TellResult(int64_t id, double reward) override {
    const int64_t i = id - first_id_;
    NAS_CHECK(i >= 0 && i < static_cast<int64_t>(batch_.size()) && !told_[i]);
    rewards_[i] = reward;
    told_[i] = true;
    if (++num_told_ < params_.batch_size()) return;
    std::vector<double> advantages;
    for (double told : rewards_) {
      const double r = told * params_.reward_scale();
      const double m = params_.baseline_decay();
      numerator_ = m * numerator_ + (1 - m) * r;
      denominator_ = m * denominator_ + (1 - m);
      advantages.push_back(r - numerator_ / denominator_);
    }
    policy_->Update(batch_, advantages);
    first_id_ += static_cast<int64_t>(batch_.size());
    batch_.clear();
    rewards_.clear();
    told_.clear();
    num_told_ = 0;
  }

 private:
  std::unique_ptr<Policy> policy_;
  proto::ReinforceParams params_;
  Rng rng_;
  double numerator_ = 0, denominator_ = 0;
  // The current batch, in proposal order (ids first_id_ ...).
  int64_t first_id_ = 0;
  std::vector<Actions> batch_;
  std::vector<double> rewards_;
  std::vector<bool> told_;
  int num_told_ = 0;
};

absl::Status Resolve(proto::Method* m) {
  auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat("method '", m->label(), "' (reinforce): ", why));
  };
  if (m->params_case() != proto::Method::PARAMS_NOT_SET && !m->has_reinforce())
    return bad("takes `reinforce { ... }` params");
  proto::ReinforceParams* p = m->mutable_reinforce();
  if (p->policy() == proto::ReinforceParams::POLICY_UNSPECIFIED) p->set_policy(proto::ReinforceParams::LSTM);
  const bool lstm = p->policy() == proto::ReinforceParams::LSTM;
  if (p->learning_rate() == 0) p->set_learning_rate(lstm ? 6e-4 : 0.01);
  if (p->baseline_decay() == 0) p->set_baseline_decay(lstm ? 0.95 : 0.9);
  if (p->batch_size() == 0) p->set_batch_size(1);
  if (p->lstm_hidden() == 0) p->set_lstm_hidden(35);
  if (p->lstm_layers() == 0) p->set_lstm_layers(2);
  if (p->init_range() == 0) p->set_init_range(0.08);
  if (p->per_edge_init_std() == 0) p->set_per_edge_init_std(1e-3);
  if (p->reward_scale() == 0) p->set_reward_scale(1.0);
  if (p->adam_beta1() == 0) p->set_adam_beta1(0.9);
  if (p->adam_beta2() == 0) p->set_adam_beta2(0.999);
  if (p->adam_eps() == 0) p->set_adam_eps(1e-8);
  // Ranges (tools/cli/README.md, "Bad input"): finite, and sizes that keep a controller within memory and time.
  auto check = [&](absl::Status s) { return s.ok() ? s : bad(std::string(s.message())); };
  if (!proto::ReinforceParams::Policy_IsValid(p->policy()))
    return bad(absl::StrCat("reinforce.policy: ", p->policy(), " is not a known value (LSTM or PER_EDGE)"));
  const RealRange unit_open{0, 1, true, true};
  NAS_RETURN_IF_ERROR(check(CheckRealRange("reinforce.learning_rate", p->learning_rate(), {0, 10, true})));
  NAS_RETURN_IF_ERROR(check(CheckRealRange("reinforce.baseline_decay", p->baseline_decay(), unit_open)));
  NAS_RETURN_IF_ERROR(check(CheckRealRange("reinforce.entropy_weight", p->entropy_weight(), {0, 100})));
  NAS_RETURN_IF_ERROR(check(CheckIntRange("reinforce.batch_size", p->batch_size(), 1, 100000)));
  NAS_RETURN_IF_ERROR(check(CheckIntRange("reinforce.lstm_hidden", p->lstm_hidden(), 1, 512)));
  NAS_RETURN_IF_ERROR(check(CheckIntRange("reinforce.lstm_layers", p->lstm_layers(), 1, 8)));
  NAS_RETURN_IF_ERROR(check(CheckRealRange("reinforce.init_range", p->init_range(), {0, 1, true})));
  NAS_RETURN_IF_ERROR(check(CheckRealRange("reinforce.per_edge_init_std", p->per_edge_init_std(), {0, 10, true})));
  NAS_RETURN_IF_ERROR(check(CheckRealRange("reinforce.reward_scale", p->reward_scale(), {0, 1e6, true})));
  NAS_RETURN_IF_ERROR(check(CheckRealRange("reinforce.adam_beta1", p->adam_beta1(), unit_open)));
  NAS_RETURN_IF_ERROR(check(CheckRealRange("reinforce.adam_beta2", p->adam_beta2(), unit_open)));
  NAS_RETURN_IF_ERROR(check(CheckRealRange("reinforce.adam_eps", p->adam_eps(), {0, 1, true})));
  return absl::OkStatus();
}

StrategyInfo ReinforceInfo() {
  StrategyInfo info{
      "reinforce", "REINFORCE with an LSTM controller (Zoph & Le 2017) or per-decision softmax (NB201)", Resolve,
      [](const StrategyContext& c) -> absl::StatusOr<std::unique_ptr<Strategy>> {
        const proto::ReinforceParams& params = c.method->reinforce();
        NAS_ASSIGN_OR_RETURN(std::unique_ptr<Policy> policy,
                             CreatePolicy(*c.space, params, DeriveSeed(c.seed, 0, "policy-init")));
        return std::unique_ptr<Strategy>(std::make_unique<Reinforce>(std::move(policy), params, c.seed));
      }};
  // Policies register themselves (the LSTM one only in binaries linked with LibTorch).
  info.missing_components = [](const proto::Method& m) -> std::vector<std::string> {
    if (HasPolicy(m.reinforce().policy())) return {};
    return {absl::StrCat("reinforce policy ", proto::ReinforceParams::Policy_Name(m.reinforce().policy()))};
  };
  return info;
}

const bool kRegistered = RegisterStrategy(ReinforceInfo());

}  // namespace

proto::ReinforceParams DefaultReinforceParams(proto::ReinforceParams::Policy policy) {
  proto::Method m;
  m.mutable_reinforce()->set_policy(policy);
  NAS_CHECK(Resolve(&m).ok());
  return m.reinforce();
}

}  // namespace nas
