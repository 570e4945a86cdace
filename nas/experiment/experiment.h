// Everything `nas run` and `nas replay` share: opening the table an experiment names, checking it against the
// config, and the attributes a log stores so that a replay can re-run it.
#ifndef NAS_EXPERIMENT_EXPERIMENT_H_
#define NAS_EXPERIMENT_EXPERIMENT_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "nas/experiment/table_evaluator.h"
#include "nas/proto/experiment.pb.h"
#include "nas/space/space.h"
#include "nas/table/table.h"

namespace nas {

struct PreparedExperiment {
  proto::Experiment config;  // resolved
  std::string table_path;
  std::string table_sha256;
  std::unique_ptr<Table> table;
  std::unique_ptr<SearchSpace> space;
  std::unique_ptr<Evaluator> evaluator;
  const TableEvaluator* table_evaluator = nullptr;  // set for table benchmarks
  // The provenance of the evaluators the methods own per run (Evaluator::Provenance), e.g. their truth table.
  std::map<std::string, std::string> owned_provenance;
};

// Opens `config.benchmark().table()` (already resolved to a usable path), hashes it and builds the evaluator.
absl::StatusOr<PreparedExperiment> PrepareExperiment(const proto::Experiment& resolved_config);

// Root attributes of a log: config (text), table_path (as given), table_abspath, table_sha256 (of the file),
// table_values_sha256 (of its contents, Table::values_sha256), space, provenance, worker and compute thread
// counts, and the owned evaluators' provenance (owned_provenance).
std::map<std::string, std::string> LogAttributes(const PreparedExperiment& experiment, int worker_threads,
                                                 int compute_threads);

// Whether the opened table is the one a log (its root attributes) was made with: the same file SHA-256, or,
// when the log records table_values_sha256, the same contents (a re-import or copy whose attributes differ;
// `note` then says so). Logs from before table_values_sha256 need the same file.
bool TableMatchesLog(const PreparedExperiment& experiment, const std::map<std::string, std::string>& log_attributes,
                     std::string* note);

// Whether the owned evaluators' inputs are the ones the log at `log_path` was made with: every *_sha256 of
// owned_provenance that the log records must be equal, or, where both record it, the matching *_values_sha256
// (the same contents in another file); a log without them is not checked. FailedPrecondition
// in one line naming the log, the attribute and both digests.
absl::Status OwnedProvenanceMatchesLog(const PreparedExperiment& experiment,
                                       const std::map<std::string, std::string>& log_attributes,
                                       const std::string& log_path);

}  // namespace nas

#endif  // NAS_EXPERIMENT_EXPERIMENT_H_
