// nas: the harness's command-line tool. `nas --help` lists the subcommands; `nas CMD --help` explains one.
#include <csignal>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <map>
#include <string>

#include "absl/strings/str_join.h"
#include "nas/h5/h5.h"
#include "nas/util/exception_status.h"
#include "nas/util/cluster.h"
#include "tools/cli/commands.h"
#include "tools/cli/full_binary.h"

namespace nas::cli {

int Fail(const absl::Status& status) {
  // Under MPI every rank parses the same command line: rank 0 alone reports.
  if (nas::Cluster* c = nas::GetCluster(); c != nullptr && c->rank() > 0) return 1;
  std::fprintf(stderr, "nas: %s\n", std::string(status.message()).c_str());
  return 1;
}

namespace {

// Last resort for an exception that leaves a thread other than main's (threads that run our code convert
// exceptions at their boundary; this is for any other): one line and exit 1 instead of SIGABRT.
[[noreturn]] void OnTerminate() {
  std::exception_ptr e = std::current_exception();
  const std::string what = e ? nas::ExceptionMessage(e) : "terminate called without an active exception";
  std::fprintf(stderr, "nas: internal error: %s\n", what.c_str());
  std::fflush(stderr);
  _exit(1);
}

}  // namespace

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
      {"recover", {RecoverCommand, "make the log of a killed run a normal HDF5 file again (h5py), without resuming"}},
      {"transfer", {TransferCommand, "rank correlation of architectures between datasets; incumbents on other datasets"}},
  };
  SetProcessArgs(argc, argv);  // a command that needs LibTorch re-executes as nas-torch (full_binary.h)
  nas::h5::DisableErrorPrinting();
  std::signal(SIGXFSZ, SIG_IGN);  // past RLIMIT_FSIZE a write fails with EFBIG (reported) instead of killing nas
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
  std::set_terminate(OnTerminate);
  nas::StartCluster();  // MPI ranks, when built with it and started by mpirun
  // No C++ or LibTorch exception (std::bad_alloc, c10::Error, anything thrown) escapes main: one line, exit 1.
  try {
    return nas::FinishCluster(it->second.fn(argc - 2, argv + 2));
  } catch (...) {
    std::fflush(stdout);
    std::fprintf(stderr, "nas: %s\n", nas::ExceptionMessage(std::current_exception()).c_str());
    return nas::FinishCluster(1);
  }
}
