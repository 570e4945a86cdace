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

// A user path: relative paths resolve against BUILD_WORKING_DIRECTORY under `bazel run`, else the cwd.
std::string ResolvePath(const std::string& path);

bool FileExists(const std::string& path);

}  // namespace nas::cli

#endif  // TOOLS_CLI_ARGS_H_
