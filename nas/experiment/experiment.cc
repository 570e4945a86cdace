#include "nas/experiment/experiment.h"

#include <limits.h>
#include <stdlib.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nas/experiment/config.h"
#include "nas/experiment/provenance.h"
#include "nas/experiment/reward.h"
#include "nas/search/strategy.h"
#include "nas/table/table_io.h"
#include "nas/util/sha256.h"
#include "nas/util/status.h"

namespace nas {
namespace {

// Builds, once, the evaluator each method that owns one (StrategyInfo::evaluator) will build per run, so that
// what it refuses (a space without a supernet, a truth table that does not match) is refused before any
// output is written.
// Their provenance goes to p.owned_provenance; two methods whose evaluators record different values for one
// attribute (e.g. two truth tables) are refused: a log is judged by one truth.
absl::Status CheckOwnedEvaluators(PreparedExperiment& p) {
  std::map<std::string, std::string> from;  // attribute -> the label that set it
  for (const proto::Method& m : p.config.methods()) {
    NAS_ASSIGN_OR_RETURN(const StrategyInfo* info, FindStrategy(m.name()));
    if (info->evaluator.empty()) continue;
    NAS_ASSIGN_OR_RETURN(const EvaluatorInfo* einfo, FindEvaluator(info->evaluator));
    EvaluatorContext ec;
    ec.benchmark = &p.config.benchmark();
    ec.space = p.space.get();
    ec.benchmark_evaluator = p.evaluator.get();
    ec.method = &m;
    NAS_ASSIGN_OR_RETURN(std::unique_ptr<Evaluator> evaluator, einfo->create(ec));
    NAS_ASSIGN_OR_RETURN(auto provenance, evaluator->Provenance());
    for (const auto& [key, value] : provenance) {
      auto [it, fresh] = p.owned_provenance.emplace(key, value);
      if (!fresh && it->second != value)
        return absl::InvalidArgumentError(absl::StrCat("methods '", from[key], "' and '", m.label(), "' differ in ", key,
                                                       " (\"", it->second, "\" vs \"", value,
                                                       "\"); one experiment is judged by one truth"));
      if (fresh) from[key] = m.label();
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<PreparedExperiment> Prepare(const proto::Experiment& resolved_config);

}  // namespace

absl::StatusOr<PreparedExperiment> PrepareExperiment(const proto::Experiment& resolved_config) {
  NAS_ASSIGN_OR_RETURN(PreparedExperiment p, Prepare(resolved_config));
  NAS_RETURN_IF_ERROR(CheckOwnedEvaluators(p));
  return p;
}

namespace {

absl::StatusOr<PreparedExperiment> Prepare(const proto::Experiment& resolved_config) {
  PreparedExperiment p;
  p.config = resolved_config;
  const proto::Benchmark& b = resolved_config.benchmark();
  if (b.has_train()) {
    const TrainEvaluatorFactory* factory = FindTrainEvaluator();
    if (factory == nullptr)
      return absl::UnimplementedError("this nas binary was built without LibTorch training (benchmark.train)");
    NAS_ASSIGN_OR_RETURN(p.space, CreateSpace(b.space(), SpaceOptionsOf(b)));
    NAS_ASSIGN_OR_RETURN(p.evaluator, (*factory)(b, *p.space));
    // Trained children count their own parameters and FLOPs; latency would be wall time (not replayable).
    NAS_RETURN_IF_ERROR(CheckRewardCost(b, true, true, false, "a trained child (latency is wall time)"));
    return p;
  }
  p.table_path = b.table();
  NAS_ASSIGN_OR_RETURN(p.table, ReadTable(p.table_path));
  NAS_ASSIGN_OR_RETURN(p.table_sha256, Sha256File(p.table_path));
  NAS_ASSIGN_OR_RETURN(p.space, CreateSpace(p.table->space()));
  const bool by_seconds = resolved_config.budget().limit_case() == proto::Budget::kSimulatedSeconds;
  auto evaluator = TableEvaluator::Create(*p.table, *p.space, b, by_seconds);
  if (!evaluator.ok())
    return absl::Status(evaluator.status().code(), absl::StrCat(p.table_path, ": ", evaluator.status().message()));
  absl::Status cost = CheckRewardCost(b, evaluator->has_params(), evaluator->has_flops(), false,
                                      absl::StrCat("the table (", p.table->space(), ", costs: ", evaluator->cost_source(), ")"));
  if (!cost.ok()) return absl::Status(cost.code(), absl::StrCat(p.table_path, ": ", cost.message()));
  for (const std::string& name : b.report_datasets())
    if (auto d = p.table->dataset(name); !d.ok())
      return absl::Status(d.status().code(),
                          absl::StrCat(p.table_path, ": benchmark.report_datasets: ", d.status().message()));
  auto owned = std::make_unique<TableEvaluator>(std::move(*evaluator));
  p.table_evaluator = owned.get();
  p.evaluator = std::move(owned);
  return p;
}

}  // namespace

std::map<std::string, std::string> LogAttributes(const PreparedExperiment& e, int worker_threads,
                                                 int compute_threads) {
  std::map<std::string, std::string> a = CollectProvenance();
  a["config"] = ExperimentToText(e.config);
  a["experiment"] = e.config.name();
  a["table_path"] = e.table_path;
  a["table_sha256"] = e.table_sha256;
  if (e.table) {
    char abs[PATH_MAX];
    a["table_abspath"] = realpath(e.table_path.c_str(), abs) != nullptr ? std::string(abs) : e.table_path;
    a["table_values_sha256"] = e.table->values_sha256();
  }
  a["evaluator"] = e.evaluator->Describe();
  a["space"] = e.space->name();
  a["num_decisions"] = std::to_string(e.space->num_decisions());
  a["search_epochs"] = std::to_string(e.evaluator->search_epochs());
  a["report_epochs"] = std::to_string(e.evaluator->report_epochs());
  a["best_test_acc"] = absl::StrCat(e.evaluator->best_test_acc());
  a["worker_threads"] = std::to_string(worker_threads);
  a["compute_threads"] = std::to_string(compute_threads);
  for (const auto& [key, value] : e.owned_provenance) a[key] = value;
  return a;
}

bool TableMatchesLog(const PreparedExperiment& e, const std::map<std::string, std::string>& log_attributes,
                     std::string* note) {
  auto attr = [&](const char* k) {
    auto it = log_attributes.find(k);
    return it == log_attributes.end() ? std::string() : it->second;
  };
  if (e.table_sha256 == attr("table_sha256")) return true;
  if (e.table && !attr("table_values_sha256").empty() && e.table->values_sha256() == attr("table_values_sha256")) {
    if (note != nullptr)
      *note = absl::StrCat("note: ", e.table_path, " is not the logged file (SHA-256 ", e.table_sha256.substr(0, 12),
                           "... vs ", attr("table_sha256").substr(0, 12), "...) but holds the same values (",
                           "values_sha256 ", e.table->values_sha256().substr(0, 12), "...)\n");
    return true;
  }
  return false;
}

absl::Status OwnedProvenanceMatchesLog(const PreparedExperiment& e,
                                       const std::map<std::string, std::string>& log_attributes,
                                       const std::string& log_path) {
  auto logged = [&](const std::string& key) {
    auto it = log_attributes.find(key);
    return it == log_attributes.end() ? std::string() : it->second;
  };
  for (const auto& [key, value] : e.owned_provenance) {
    // X_sha256 (a file's digest); X_values_sha256 (its contents'), where both sides have it, decides.
    if (!absl::EndsWith(key, "_sha256") || absl::EndsWith(key, "_values_sha256")) continue;
    const std::string what = key.substr(0, key.size() - 7);
    std::string checked = key;
    if (e.owned_provenance.count(what + "_values_sha256") && !logged(what + "_values_sha256").empty())
      checked = what + "_values_sha256";
    const std::string then = logged(checked), now = e.owned_provenance.at(checked);
    if (then.empty() || then == now) continue;
    auto path = e.owned_provenance.find(what + "_path");
    return absl::FailedPreconditionError(absl::StrCat(
        log_path, ": ", checked, ": the log was made with ", then.substr(0, 16), "..., ",
        path != e.owned_provenance.end() ? path->second : what, " now has ", now.substr(0, 16),
        "... (a different truth table)"));
  }
  return absl::OkStatus();
}

}  // namespace nas
