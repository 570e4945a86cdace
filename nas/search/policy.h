// A stochastic policy over a search space's decision sequence, trained by REINFORCE (see reinforce.cc).
// Implementations: "per_edge" (independent softmax per decision, no LibTorch, per_edge_policy.cc) and "lstm"
// (Zoph & Le's controller in LibTorch, nas/search/torch/lstm_policy.cc). A policy draws every random number
// from the Rng it is handed; its initial weights come from `init_seed`.
#ifndef NAS_SEARCH_POLICY_H_
#define NAS_SEARCH_POLICY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/proto/experiment.pb.h"
#include "nas/space/space.h"
#include "nas/util/rng.h"

namespace nas {

struct PolicySample {
  Actions actions;
  double log_prob = 0;  // sum over decisions of log pi(a_t | a_<t)
  double entropy = 0;   // sum over decisions of the entropy of pi(. | a_<t)
};

class Policy {
 public:
  virtual ~Policy() = default;
  // Draws one architecture, decision by decision, with inverse-CDF sampling from `rng`.
  virtual PolicySample Sample(Rng& rng) = 0;
  // One optimiser step on  L = -(1/B) sum_b advantage_b * log pi(actions_b)  -  entropy_weight * (1/B) sum_b H_b
  // with B = batch.size(), using the params' Adam settings.
  virtual void Update(const std::vector<Actions>& batch, const std::vector<double>& advantages) = 0;
  // Probabilities of every choice at every decision given the greedy prefix (for inspection and tests).
  virtual std::vector<std::vector<double>> GreedyProbabilities() = 0;
};

// `params` is already resolved (defaults filled in, validated).
using PolicyFactory = std::function<std::unique_ptr<Policy>(const SearchSpace& space,
                                                            const proto::ReinforceParams& params,
                                                            uint64_t init_seed)>;
bool RegisterPolicy(proto::ReinforceParams::Policy kind, PolicyFactory factory);
// NotFound when this binary was built without that policy (e.g. LSTM without LibTorch).
absl::StatusOr<std::unique_ptr<Policy>> CreatePolicy(const SearchSpace& space, const proto::ReinforceParams& params,
                                                     uint64_t init_seed);
// Whether this binary was built with that policy.
bool HasPolicy(proto::ReinforceParams::Policy kind);

}  // namespace nas

#endif  // NAS_SEARCH_POLICY_H_
