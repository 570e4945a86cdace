// nas: the harness's command-line tool. `nas --help` lists the subcommands; `nas CMD --help` explains one;
// `nas --version` prints the commit and the build. Exit status: 0 on success, 1 on any error (one line
// `nas: ...` on stderr), for every command and for a malformed command line alike.
#include <csignal>
#include <unistd.h>

#include <algorithm>
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
#include "nas/util/build_info.h"
#include "tools/cli/full_binary.h"

namespace nas::cli {

// The release (CITATION.cff holds the same); the commit comes from nas/util/build_info.h.
constexpr char kVersion[] = "0.1.0";

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
      {"run", {RunCommand, "run an experiment config (table lookups or real child training) into an HDF5 log; "
                           "--resume completes an interrupted one"}},
      {"replay", {ReplayCommand, "re-run every run of a log and check that every episode is bit-identical"}},
      {"inspect", {InspectCommand, "summarise a table (datasets, best architectures) or a log (provenance, results)"}},
      {"import", {ImportCommand, "convert a published benchmark into a table: nb201-csv, nats-tss, nb101-tfrecord"}},
      {"compare", {CompareCommand, "compare logs offline: per-budget statistics, Mann-Whitney tests, CSV, anytime and "
                                   "Pareto plots"}},
      {"export", {ExportCommand, "write every episode of a log as CSV"}},
      {"build-table", {BuildTableCommand, "train a space's architectures into a table (resumable, shardable)"}},
      {"merge-tables", {MergeTablesCommand, "merge the shard tables of one build-table spec"}},
      {"tau", {TauCommand, "rank correlation of a weight-sharing run's supernet with its truth table"}},
      {"recover", {RecoverCommand, "make the log of a killed run a normal HDF5 file again (h5py), without resuming"}},
      {"transfer", {TransferCommand, "rank correlation of architectures between datasets; incumbents on other datasets"}},
  };
  SetProcessArgs(argc, argv);  // a command that needs LibTorch re-executes as nas-torch (full_binary.h)
  nas::h5::DisableErrorPrinting();
  std::signal(SIGXFSZ, SIG_IGN);  // past RLIMIT_FSIZE a write fails with EFBIG (reported) instead of killing nas
  std::vector<std::string> names;
  size_t width = 0;
  for (const auto& [name, c] : commands) names.push_back(name), width = std::max(width, name.size());
  if (argc < 2) {
    std::fprintf(stderr, "nas: no command given; usage: nas COMMAND [ARGS] with COMMAND one of %s (nas --help)\n",
                 absl::StrJoin(names, ", ").c_str());
    return 1;
  }
  if (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    std::printf("usage: nas COMMAND [ARGS]      nas COMMAND --help explains one\n"
                "       nas --version           the commit and the build\n\ncommands:\n");
    for (const auto& [name, c] : commands)
      std::printf("  %-*s  %s\n", static_cast<int>(width), name.c_str(), c.help);
    std::printf("\nexit status: 0 on success; 1 on any error, with one line `nas: ...` on stderr.\n");
    return 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    const char* slash = std::strrchr(argv[0], '/');
#ifdef NDEBUG
    const char* mode = "optimized";
#else
    const char* mode = "debug";
#endif
    std::printf("%s %s (built from commit %s; gcc %s, %s)\n", slash ? slash + 1 : argv[0], kVersion,
                NAS_BUILD_GIT_COMMIT, __VERSION__, mode);
    return 0;
  }
  auto it = commands.find(argv[1]);
  if (it == commands.end()) {
    std::fprintf(stderr, "nas: unknown command '%s'; known commands: %s\n", argv[1], absl::StrJoin(names, ", ").c_str());
    return 1;
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
