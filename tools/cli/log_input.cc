#include "tools/cli/log_input.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "nas/experiment/config.h"
#include "nas/table/table_io.h"
#include "tools/cli/logged_table.h"

namespace nas::cli {

absl::StatusOr<LogFile> ReadCheckedLog(const std::string& path) {
  absl::StatusOr<LogFile> log = ReadLog(path);
  if (!log.ok()) return log.status();
  auto it = log->attributes.find("config");
  if (it == log->attributes.end())
    return absl::InvalidArgumentError(absl::StrCat(path, ": the log has no 'config' attribute (not a nas run log)"));
  absl::StatusOr<proto::Experiment> config = ParseExperiment(it->second, path + " (attribute config)");
  if (!config.ok()) return config.status();
  return log;
}

void ResolveUnrecordedFidelity(LogFile* log, const std::string& path) {
  bool unrecorded = false;
  for (const RunLog& r : log->runs) unrecorded = unrecorded || !r.has_fidelity;
  if (!unrecorded) return;
  absl::StatusOr<proto::Experiment> config = ParseExperiment(log->attributes["config"], path + " (attribute config)");
  if (!config.ok()) return;
  const proto::Benchmark& b = config->benchmark();
  if (b.has_train()) {
    if (b.train().epochs() > 0) FillUnrecordedFidelity(log, b.train().epochs());
    return;
  }
  absl::StatusOr<std::string> table_path = FindLoggedTable(b.table(), path, log->attributes);
  if (!table_path.ok()) return;
  absl::StatusOr<std::unique_ptr<Table>> table = ReadTable(*table_path);
  if (!table.ok()) return;
  absl::StatusOr<const TableDataset*> d = (*table)->dataset(b.dataset());
  if (!d.ok() || (*d)->fidelities().empty()) return;
  const std::vector<int>& f = (*d)->fidelities();
  absl::StatusOr<int> index = (*d)->FidelityIndex(b.search_epochs() ? b.search_epochs() : *std::max_element(f.begin(), f.end()));
  if (index.ok()) FillUnrecordedFidelity(log, *index);
}

}  // namespace nas::cli
