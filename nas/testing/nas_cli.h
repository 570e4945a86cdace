// Running the `nas` binary (a data dependency, at tools/nas in the test's runfiles) from end-to-end tests.
#ifndef NAS_TESTING_NAS_CLI_H_
#define NAS_TESTING_NAS_CLI_H_

#include <string>
#include <vector>

namespace nas::testing {

struct CliResult {
  int code = -1;    // exit status (-1 when killed by a signal)
  std::string out;  // stdout and stderr together
};

// Runs `tools/nas <args>` through the shell.
CliResult RunNas(const std::string& args);
// Runs a shell command line, capturing stdout and stderr together.
CliResult RunShell(const std::string& command);

// One run of `tools/nas` with its arguments as given (no shell), stdout and stderr apart, under a time limit.
struct CliRun {
  int code = -1;           // exit status; -1 when it did not exit normally
  int signal = 0;          // the signal that ended it (0: none)
  bool timed_out = false;  // still running after the limit (then killed with SIGKILL)
  double seconds = 0;
  std::string out, err;
};
CliRun RunNasArgv(const std::vector<std::string>& args, double timeout_s);

// A path in the test's scratch directory ($TEST_TMPDIR, else /tmp).
std::string ScratchPath(const std::string& name);

}  // namespace nas::testing

#endif  // NAS_TESTING_NAS_CLI_H_
