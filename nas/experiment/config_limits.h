// The ranges every numeric and text field of an experiment config must lie in (checked by ResolveExperiment,
// after the defaults are filled in; the strategies check their own params in their `resolve`). They keep a
// valid-looking config from exhausting memory or running without end; the "Bad input"
// table of tools/cli/README.md lists them.
#ifndef NAS_EXPERIMENT_CONFIG_LIMITS_H_
#define NAS_EXPERIMENT_CONFIG_LIMITS_H_

#include <cstdint>

#include "absl/status/status.h"
#include "nas/proto/experiment.pb.h"

namespace nas {

inline constexpr int64_t kMaxEvaluationsPerRun = 1'000'000;
inline constexpr int64_t kMaxRuns = 100'000;
inline constexpr int64_t kMaxFirstRun = 1'000'000'000;
inline constexpr int64_t kMaxMethods = 100;
// Episodes of a whole experiment (methods x runs x evaluations per run): each costs about 250 bytes of memory
// until the summary is printed, so this keeps a run within a few GB.
inline constexpr int64_t kMaxTotalEvaluations = 10'000'000;
inline constexpr int64_t kMaxEpochs = 100'000;
inline constexpr double kMaxSimulatedSeconds = 1e12;
inline constexpr double kMaxCostPerEvaluationS = 1e9;

// The text fields (valid UTF-8, no control characters, at most kMaxNameBytes / kMaxPathBytes) and the enums
// of a config as parsed: checked first, so that no later message quotes a huge or binary string.
absl::Status CheckExperimentText(const proto::Experiment& experiment);

// Every field of a resolved experiment (but the methods' params) against its range, and the experiment's
// total size; errors are one line naming the field.
absl::Status CheckExperimentLimits(const proto::Experiment& resolved);

}  // namespace nas

#endif  // NAS_EXPERIMENT_CONFIG_LIMITS_H_
