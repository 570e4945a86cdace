// The `nas` subcommands. Each returns the process exit code and prints one clear error line on failure.
#ifndef TOOLS_CLI_COMMANDS_H_
#define TOOLS_CLI_COMMANDS_H_

#include "absl/status/status.h"

namespace nas::cli {

int RunCommand(int argc, char** argv);
int ReplayCommand(int argc, char** argv);
int InspectCommand(int argc, char** argv);
int ImportCommand(int argc, char** argv);
int CompareCommand(int argc, char** argv);
int ExportCommand(int argc, char** argv);
int BuildTableCommand(int argc, char** argv);
int MergeTablesCommand(int argc, char** argv);
int RecoverCommand(int argc, char** argv);
int TransferCommand(int argc, char** argv);
int TauCommand(int argc, char** argv);

// Prints "nas: <message>" to stderr and returns 1 (2 for usage errors).
int Fail(const absl::Status& status);

}  // namespace nas::cli

#endif  // TOOLS_CLI_COMMANDS_H_
