// The weight-sharing methods `enas` (Pham et al. 2018, with the NB201 authors' schedule) and `rsps` (random
// sampling with parameter sharing, Li & Talwalkar 2019), params `weight_sharing { ... }` (WeightSharingParams in
// nas/proto/supernet.proto). Their names, defaults and validation are registered here without LibTorch, so
// every binary resolves their configs; the strategies themselves and their supernet evaluator live with
// LibTorch (nas/train/weight_sharing_strategy.cc) and register a factory here.
#ifndef NAS_SEARCH_WEIGHT_SHARING_H_
#define NAS_SEARCH_WEIGHT_SHARING_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "nas/proto/experiment.pb.h"
#include "nas/search/strategy.h"

namespace nas {

// The name of the per-run evaluator the methods own (the supernet), registered with LibTorch.
inline constexpr char kSupernetEvaluator[] = "supernet";

// Fills the documented defaults of `p` and validates every field; errors name the field
// ("weight_sharing.controller_steps: 0 is not in [1, 100000]").
absl::Status ResolveWeightSharingParams(proto::WeightSharingParams* p);

// `controller`: true for enas, false for rsps.
using WeightSharingFactory =
    std::function<absl::StatusOr<std::unique_ptr<Strategy>>(const StrategyContext& context, bool controller)>;
bool RegisterWeightSharingFactory(WeightSharingFactory factory);
// Whether this binary holds the LibTorch implementation.
bool HasWeightSharing();
// True for the method names registered here.
bool IsWeightSharingMethod(const std::string& name);

}  // namespace nas

#endif  // NAS_SEARCH_WEIGHT_SHARING_H_
