// nas: the harness's command-line tool. `nas --help` lists the subcommands; `nas CMD --help` explains one.
#include <cstdio>
#include <cstring>
#include <map>
#include <string>

#include "absl/strings/str_join.h"
#include "nas/h5/h5.h"
#include "tools/cli/commands.h"

namespace nas::cli {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "nas: %s\n", std::string(status.message()).c_str());
  return 1;
}

}  // namespace nas::cli

int main(int argc, char** argv) {
  using namespace nas::cli;
  struct Command {
    int (*fn)(int, char**);
    const char* help;
  };
  const std::map<std::string, Command> commands = {
      {"run", {RunCommand, "run an experiment config on a tabular benchmark into an HDF5 log"}},
      {"replay", {ReplayCommand, "re-run a log and check that every episode is bit-identical"}},
      {"inspect", {InspectCommand, "summarise a table or a log"}},
      {"import", {ImportCommand, "import a published benchmark (nb201-csv) into the table format"}},
      {"compare", {CompareCommand, "compare logged runs offline: statistics, tests, CSV, anytime plot"}},
      {"export", {ExportCommand, "write every episode of a log as CSV"}},
      {"build-table", {BuildTableCommand, "train a space's architectures into a table (resumable, shardable)"}},
      {"merge-tables", {MergeTablesCommand, "merge the shard tables of one build-table spec"}},
      {"transfer", {TransferCommand, "rank correlation of architectures between datasets; incumbents on other datasets"}},
  };
  nas::h5::DisableErrorPrinting();
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    std::printf("usage: nas COMMAND [ARGS] (nas COMMAND --help for details)\n\ncommands:\n");
    for (const auto& [name, c] : commands) std::printf("  %-8s %s\n", name.c_str(), c.help);
    return argc < 2 ? 2 : 0;
  }
  auto it = commands.find(argv[1]);
  if (it == commands.end()) {
    std::vector<std::string> names;
    for (const auto& [name, c] : commands) names.push_back(name);
    std::fprintf(stderr, "nas: unknown command '%s'; known commands: %s\n", argv[1], absl::StrJoin(names, ", ").c_str());
    return 2;
  }
  return it->second.fn(argc - 2, argv + 2);
}
