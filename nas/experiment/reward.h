// Reward design (benchmark.reward in the experiment config, nas/proto/experiment.proto `Reward`): what the
// strategies are told for an evaluated architecture. Without a reward block the reward is the validation
// accuracy itself (bit for bit, as before). Also the resolution of benchmark.space_params.
#ifndef NAS_EXPERIMENT_REWARD_H_
#define NAS_EXPERIMENT_REWARD_H_

#include <string>

#include "absl/status/statusor.h"
#include "nas/experiment/evaluator.h"
#include "nas/proto/experiment.pb.h"
#include "nas/space/space.h"

namespace nas {

// zoph_le_cnn: fills space_params.layers (default 6); other spaces refuse space_params. Errors are prefixed
// with `origin` and name the field.
absl::Status ResolveSpaceParams(proto::Benchmark* benchmark, const std::string& origin);
// The SpaceOptions of a resolved benchmark.
SpaceOptions SpaceOptionsOf(const proto::Benchmark& benchmark);

// Fills defaults (transform ACCURACY, max_last_epochs 1, exponent -0.07 with a cost) and validates.
absl::Status ResolveReward(proto::Reward* reward, const std::string& origin);

// Whether the source of evaluations has the reward's cost: `has_params` etc. say which costs it provides
// (a table's non-NaN columns, or what a trained child measures). The error names the field and the source.
absl::Status CheckRewardCost(const proto::Benchmark& benchmark, bool has_params, bool has_flops, bool has_latency,
                             const std::string& source);

struct RewardValue {
  double reward = 0;    // what the strategy is told
  double accuracy = 0;  // the accuracy the reward was computed from (percent)
  double cost = NAN;    // the reward's cost of this architecture; NaN without a cost term
};

// The reward of an evaluation under a resolved benchmark. Without a reward block: reward = accuracy =
// e.valid_acc. A cost that is missing (NaN) for this architecture is an error naming it.
absl::StatusOr<RewardValue> ComputeReward(const proto::Benchmark& benchmark, const Evaluation& e);

// The cost named by a Reward.Cost value ("params_m", "flops_m", "latency_ms") of an evaluation.
double CostOf(proto::Reward::Cost cost, const Evaluation& e);
const char* CostFieldName(proto::Reward::Cost cost);

}  // namespace nas

#endif  // NAS_EXPERIMENT_REWARD_H_
