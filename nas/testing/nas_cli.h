// Running the `nas` binary (a data dependency, at tools/nas in the test's runfiles) from end-to-end tests.
#ifndef NAS_TESTING_NAS_CLI_H_
#define NAS_TESTING_NAS_CLI_H_

#include <string>

namespace nas::testing {

struct CliResult {
  int code = -1;    // exit status (-1 when killed by a signal)
  std::string out;  // stdout and stderr together
};

// Runs `tools/nas <args>` through the shell.
CliResult RunNas(const std::string& args);

// Runs a shell command line, stdout and stderr together.
CliResult RunShell(const std::string& command);

// A path in the test's scratch directory ($TEST_TMPDIR, else /tmp).
std::string ScratchPath(const std::string& name);

}  // namespace nas::testing

#endif  // NAS_TESTING_NAS_CLI_H_
