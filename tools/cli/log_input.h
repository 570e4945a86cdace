// Reading a log given to a command (inspect, export, compare, replay): the log itself (nas/log) and the
// experiment config it stores, which must parse; a log that fails either is refused with one line.
#ifndef TOOLS_CLI_LOG_INPUT_H_
#define TOOLS_CLI_LOG_INPUT_H_

#include <string>

#include "absl/status/statusor.h"
#include "nas/log/episode_log.h"

namespace nas::cli {

absl::StatusOr<LogFile> ReadCheckedLog(const std::string& path);

}  // namespace nas::cli

#endif  // TOOLS_CLI_LOG_INPUT_H_
