#include "tools/cli/log_input.h"

#include "absl/strings/str_cat.h"
#include "nas/experiment/config.h"

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

}  // namespace nas::cli
