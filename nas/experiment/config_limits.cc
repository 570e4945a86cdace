#include "nas/experiment/config_limits.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "nas/util/field_check.h"
#include "nas/util/status.h"

namespace nas {

absl::Status CheckExperimentText(const proto::Experiment& e) {
  NAS_RETURN_IF_ERROR(CheckText("name", e.name()));
  const proto::Benchmark& b = e.benchmark();
  NAS_RETURN_IF_ERROR(CheckText("benchmark.table", b.table(), kMaxPathBytes));
  NAS_RETURN_IF_ERROR(CheckText("benchmark.dataset", b.dataset()));
  NAS_RETURN_IF_ERROR(CheckText("benchmark.space", b.space()));
  if (b.has_train()) {
    NAS_RETURN_IF_ERROR(CheckText("benchmark.train.data.name", b.train().data().name()));
    NAS_RETURN_IF_ERROR(CheckText("benchmark.train.data.path", b.train().data().path(), kMaxPathBytes));
    NAS_RETURN_IF_ERROR(CheckText("benchmark.train.device", b.train().device()));
  }
  if (!proto::SeedMode_IsValid(b.seed_mode()))
    return absl::InvalidArgumentError(
        absl::StrCat("benchmark.seed_mode: ", b.seed_mode(), " is not a known value (MEAN or SAMPLE)"));
  for (const proto::Method& m : e.methods()) {
    NAS_RETURN_IF_ERROR(CheckText("methods.name", m.name()));
    NAS_RETURN_IF_ERROR(CheckText("methods.label", m.label()));
  }
  return absl::OkStatus();
}

absl::Status CheckExperimentLimits(const proto::Experiment& e) {
  NAS_RETURN_IF_ERROR(CheckExperimentText(e));
  const proto::Benchmark& b = e.benchmark();
  NAS_RETURN_IF_ERROR(CheckIntRange("benchmark.search_epochs", b.search_epochs(), 0, kMaxEpochs));
  NAS_RETURN_IF_ERROR(CheckIntRange("benchmark.report_epochs", b.report_epochs(), 0, kMaxEpochs));
  NAS_RETURN_IF_ERROR(
      CheckRealRange("benchmark.cost_per_evaluation_s", b.cost_per_evaluation_s(), {0, kMaxCostPerEvaluationS}));

  NAS_RETURN_IF_ERROR(CheckIntRange("seeds.runs", e.seeds().runs(), 1, kMaxRuns));
  NAS_RETURN_IF_ERROR(CheckIntRange("seeds.first_run", e.seeds().first_run(), 0, kMaxFirstRun));
  NAS_RETURN_IF_ERROR(CheckIntRange("methods (count)", e.methods_size(), 1, kMaxMethods));

  // Evaluations per run: exact for a count, known in advance for seconds at a fixed cost; with the table's
  // training times as costs the runner stops a run at kMaxEvaluationsPerRun.
  const proto::Budget& budget = e.budget();
  double per_run = 0;
  if (budget.limit_case() == proto::Budget::kEvaluations) {
    NAS_RETURN_IF_ERROR(CheckIntRange("budget.evaluations", budget.evaluations(), 1, kMaxEvaluationsPerRun));
    per_run = static_cast<double>(budget.evaluations());
  } else {
    NAS_RETURN_IF_ERROR(CheckRealRange("budget.simulated_seconds", budget.simulated_seconds(),
                                       {0, kMaxSimulatedSeconds, /*lo_open=*/true}));
    if (b.cost_per_evaluation_s() > 0) {
      per_run = std::floor(budget.simulated_seconds() / b.cost_per_evaluation_s());
      if (per_run > kMaxEvaluationsPerRun)
        return absl::InvalidArgumentError(absl::StrCat(
            "budget.simulated_seconds: ", budget.simulated_seconds(), " s at benchmark.cost_per_evaluation_s ",
            b.cost_per_evaluation_s(), " is ", per_run, " evaluations per run; at most ", kMaxEvaluationsPerRun,
            " are accepted"));
    }
  }
  const double total = per_run * e.seeds().runs() * e.methods_size();
  if (total > kMaxTotalEvaluations)
    return absl::InvalidArgumentError(absl::StrCat(
        "budget x seeds.runs x methods: ", static_cast<int64_t>(per_run), " x ", e.seeds().runs(), " x ",
        e.methods_size(), " evaluations exceed the ", kMaxTotalEvaluations,
        " one experiment may hold; split it into several (seeds.first_run) and merge them with `nas compare`"));
  return absl::OkStatus();
}

}  // namespace nas
