// Finding the table a log was made with, from wherever `nas replay` / `nas run --resume` is started.
#ifndef TOOLS_CLI_LOGGED_TABLE_H_
#define TOOLS_CLI_LOGGED_TABLE_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"

namespace nas::cli {

// The first existing file of: `logged` (the log's table_path; relative paths against the working directory,
// ResolvePath), the log's table_abspath attribute (absolute, recorded since logs have it), `logged` relative
// to the log's own directory, and the table's file name in the log's directory. NotFound naming every place
// tried and suggesting --table when none exists. (Which file is right is then decided by its SHA-256.)
absl::StatusOr<std::string> FindLoggedTable(const std::string& logged, const std::string& log_path,
                                            const std::map<std::string, std::string>& log_attributes);

}  // namespace nas::cli

#endif  // TOOLS_CLI_LOGGED_TABLE_H_
