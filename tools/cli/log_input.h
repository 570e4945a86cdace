// Reading a log given to a command (inspect, export, compare, replay): the log itself (nas/log) and the
// experiment config it stores, which must parse; a log that fails either is refused with one line.
#ifndef TOOLS_CLI_LOG_INPUT_H_
#define TOOLS_CLI_LOG_INPUT_H_

#include <string>

#include "absl/status/statusor.h"
#include "nas/log/episode_log.h"

namespace nas::cli {

absl::StatusOr<LogFile> ReadCheckedLog(const std::string& path);

// For runs of a log written without the per-episode fidelity field: every episode was evaluated at the
// config's search fidelity; this sets it (training: train.epochs; a table: the index of search_epochs among the
// logged table's fidelities, found as `nas replay` finds it). Runs stay kFidelityUnrecorded when the table
// cannot be found.
void ResolveUnrecordedFidelity(LogFile* log, const std::string& path);

}  // namespace nas::cli

#endif  // TOOLS_CLI_LOG_INPUT_H_
