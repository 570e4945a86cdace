// Minimal per-subcommand argument parsing for the `nas` CLI: positionals, `--name value` / `--name=value`
// options and boolean `--flag`s, each declared with its help text; unknown options list the known ones.
#ifndef TOOLS_CLI_ARGS_H_
#define TOOLS_CLI_ARGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace nas::cli {

class Args {
 public:
  Args(std::string command, std::string usage, std::string description)
      : command_(std::move(command)), usage_(std::move(usage)), description_(std::move(description)) {}

  Args& Option(const std::string& name, const std::string& help, const std::string& default_value = "");
  Args& Flag(const std::string& name, const std::string& help);

  // Parses argv (after the subcommand). `--help` sets help(). Errors say which argument is wrong.
  absl::Status Parse(int argc, char** argv, int min_positional, int max_positional);

  bool help() const { return help_; }
  std::string HelpText() const;
  const std::vector<std::string>& positional() const { return positional_; }
  std::string Get(const std::string& name) const;
  bool Has(const std::string& name) const;  // given explicitly on the command line
  bool GetFlag(const std::string& name) const;
  absl::StatusOr<int> GetInt(const std::string& name, int min_value, int max_value = 1 << 30) const;

 private:
  struct Spec {
    std::string help;
    std::string default_value;
    bool is_flag;
  };
  std::string command_, usage_, description_;
  std::vector<std::string> order_;
  std::map<std::string, Spec> specs_;
  std::map<std::string, std::string> values_;
  std::vector<std::string> positional_;
  bool help_ = false;
};

// The most worker threads --threads accepts (runs are independent; more threads than this are refused).
constexpr int kMaxThreads = 256;

// A user path: a relative path resolves against the directory `bazel run` was invoked from when this process is
// the program `bazel run` started, else against the working directory.
std::string ResolvePath(const std::string& path);

// The directory relative paths resolve against under `bazel run` ("" when they resolve against the working
// directory). `bazel run` starts its program in the program's runfiles tree (<dir>/<name>.runfiles/<workspace>)
// with BUILD_WORKING_DIRECTORY (`working_directory`) set to the user's directory. Every process started below it
// inherits that variable (a benchmark's or a test's child `nas`), and such a process's relative paths are its
// own working directory's, so the variable counts only when `cwd` is the runfiles tree of `self_exe` (the real
// path of this executable) or of the `nas` beside it, whose commands continue in `nas-torch` in place.
std::string BazelRunDirectory(const std::string& self_exe, const std::string& cwd, const char* working_directory);

bool FileExists(const std::string& path);

// "nas COMMAND ARG..." exactly as invoked (argv after the command), arguments with spaces or shell
// metacharacters single-quoted: the `command` a table records.
std::string CommandLine(const std::string& command, int argc, char** argv);

}  // namespace nas::cli

#endif  // TOOLS_CLI_ARGS_H_
