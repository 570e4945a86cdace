#include "nas/experiment/reward.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "nas/util/status.h"

namespace nas {

absl::Status ResolveSpaceParams(proto::Benchmark* b, const std::string& origin) {
  auto bad = [&](const std::string& why) { return absl::InvalidArgumentError(absl::StrCat(origin, ": ", why)); };
  // The space's registration owns its parameters: their defaults and ranges (nas/space/space.h).
  auto space = CreateSpace(b->space(), SpaceOptionsOf(*b));
  if (!space.ok())
    return bad(absl::StrCat(absl::IsNotFound(space.status()) ? "benchmark.space: " : "benchmark.",
                            space.status().message()));
  const SpaceOptions resolved = (*space)->options();
  if (resolved.layers == 0) {  // a space of fixed shape
    if (b->has_space_params())
      return bad(absl::StrCat("benchmark.space_params: space '", b->space(), "' takes no parameters"));
    return absl::OkStatus();
  }
  b->mutable_space_params()->set_layers(resolved.layers);
  return absl::OkStatus();
}

SpaceOptions SpaceOptionsOf(const proto::Benchmark& b) {
  SpaceOptions o;
  o.layers = b.space_params().layers();
  return o;
}

absl::Status ResolveReward(proto::Reward* r, const std::string& origin) {
  auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ": benchmark.reward.", why));
  };
  // Enums take only their named values (a text-format number without a name parses but means nothing).
  if (!proto::Reward::Transform_IsValid(r->transform()))
    return bad(absl::StrCat("transform: ", r->transform(), " is not a known value (ACCURACY or CUBE)"));
  if (!proto::Reward::Cost_IsValid(r->cost()))
    return bad(absl::StrCat("cost: ", r->cost(), " is not a known value (PARAMS, FLOPS or LATENCY)"));
  if (r->transform() == proto::Reward::TRANSFORM_UNSPECIFIED) r->set_transform(proto::Reward::ACCURACY);
  if (r->max_last_epochs() < 0) return bad(absl::StrCat("max_last_epochs: ", r->max_last_epochs(), " (must be >= 1)"));
  if (r->max_last_epochs() == 0) r->set_max_last_epochs(1);
  if (r->cost() == proto::Reward::COST_UNSPECIFIED) {
    if (r->target() != 0 || r->exponent() != 0) return bad("target/exponent need a `cost` (PARAMS, FLOPS, LATENCY)");
    return absl::OkStatus();
  }
  if (!(r->target() > 0) || !std::isfinite(r->target()))
    return bad(absl::StrCat("target: ", r->target(), " (required with a cost, finite and > 0)"));
  if (!std::isfinite(r->exponent())) return bad("exponent: must be finite");
  if (r->exponent() == 0) r->set_exponent(-0.07);
  return absl::OkStatus();
}

const char* CostFieldName(proto::Reward::Cost cost) {
  switch (cost) {
    case proto::Reward::PARAMS: return "params_m";
    case proto::Reward::FLOPS: return "flops_m";
    case proto::Reward::LATENCY: return "latency_ms";
    default: return "";
  }
}

double CostOf(proto::Reward::Cost cost, const Evaluation& e) {
  switch (cost) {
    case proto::Reward::PARAMS: return e.params_m;
    case proto::Reward::FLOPS: return e.flops_m;
    case proto::Reward::LATENCY: return e.latency_ms;
    default: return NAN;
  }
}

absl::Status CheckRewardCost(const proto::Benchmark& b, bool has_params, bool has_flops, bool has_latency,
                             const std::string& source) {
  if (!b.has_reward()) return absl::OkStatus();
  const proto::Reward& r = b.reward();
  if (r.max_last_epochs() > 1 && !b.has_train())
    return absl::InvalidArgumentError(absl::StrCat(
        "benchmark.reward.max_last_epochs: ", r.max_last_epochs(), " needs trained children (benchmark.train)"));
  const bool has[] = {false, has_params, has_flops, has_latency};
  if (r.cost() != proto::Reward::COST_UNSPECIFIED && !has[r.cost()])
    return absl::InvalidArgumentError(absl::StrCat("benchmark.reward.cost: ", proto::Reward::Cost_Name(r.cost()),
                                                   " needs ", CostFieldName(r.cost()), ", which ", source,
                                                   " does not have"));
  return absl::OkStatus();
}

absl::StatusOr<RewardValue> ComputeReward(const proto::Benchmark& b, const Evaluation& e) {
  RewardValue v;
  v.reward = v.accuracy = e.valid_acc;
  if (!b.has_reward()) return v;
  const proto::Reward& r = b.reward();
  if (r.max_last_epochs() > 1 && !e.curve.empty()) {
    const size_t k = std::min<size_t>(r.max_last_epochs(), e.curve.size());
    double best = e.curve[e.curve.size() - k].valid_acc;
    for (size_t i = e.curve.size() - k; i < e.curve.size(); ++i) best = std::max(best, e.curve[i].valid_acc);
    v.accuracy = best;
  }
  v.reward = r.transform() == proto::Reward::CUBE ? 100.0 * std::pow(v.accuracy / 100.0, 3) : v.accuracy;
  if (r.cost() != proto::Reward::COST_UNSPECIFIED) {
    v.cost = CostOf(r.cost(), e);
    if (!(v.cost > 0) || !std::isfinite(v.cost))
      return absl::FailedPreconditionError(absl::StrCat("benchmark.reward.cost: ", CostFieldName(r.cost()), " is ",
                                                        v.cost, " for this architecture (must be > 0)"));
    v.reward *= std::pow(v.cost / r.target(), r.exponent());
  }
  return v;
}

}  // namespace nas
