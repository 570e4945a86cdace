// nas run CONFIG: runs every method x run of an experiment on a tabular benchmark into an HDF5 log.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nas/experiment/config.h"
#include "nas/experiment/experiment.h"
#include "nas/experiment/runner.h"
#include "nas/experiment/summary.h"
#include "nas/log/episode_log.h"
#include "nas/util/runtime.h"
#include "tools/cli/args.h"
#include "tools/cli/commands.h"

namespace nas::cli {

namespace {

class Progress {
 public:
  explicit Progress(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO)), start_(Clock::now()) {}
  void Update(int done, int total) {
    if (quiet_) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const double eta = done > 0 ? elapsed / done * (total - done) : 0;
    const int pct = total ? 100 * done / total : 100;
    if (!tty_ && done != total && pct / 10 == last_decile_) return;
    last_decile_ = pct / 10;
    std::fprintf(stderr, "%s[%d/%d runs] %3d%%  elapsed %.1fs  ETA %.1fs%s", tty_ ? "\r" : "", done, total, pct,
                 elapsed, eta, tty_ && done != total ? "" : "\n");
    std::fflush(stderr);
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool quiet_, tty_;
  Clock::time_point start_;
  int last_decile_ = -1;
};

}  // namespace

int RunCommand(int argc, char** argv) {
  Args args("run", "CONFIG.textproto [--table TABLE.h5] [--out LOG.h5] [--threads N]",
            "Runs every method x run of the experiment on its tabular benchmark, writes every episode to an HDF5\n"
            "log and prints a summary (final incumbent's test accuracy; incumbent = best by validation).");
  args.Option("table", "HDF5 table to use instead of the config's benchmark.table")
      .Option("out", "log to write (refused if it exists, unless --overwrite)", "<config name>.h5")
      .Option("threads", "runs executed in parallel (results do not depend on it)", "1")
      .Flag("overwrite", "replace an existing log")
      .Flag("quiet", "no progress line");
  if (absl::Status s = args.Parse(argc, argv, 1, 1); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;

  const std::string config_path = ResolvePath(args.positional()[0]);
  auto config = ReadExperimentFile(config_path);
  if (!config.ok()) return Fail(config.status());
  if (args.Has("table")) config->mutable_benchmark()->set_table(args.Get("table"));
  if (absl::Status s = ResolveExperiment(&*config, config_path); !s.ok()) return Fail(s);
  auto threads = args.GetInt("threads", 1);
  if (!threads.ok()) return Fail(threads.status());
  // Table paths in a config are relative to the directory nas was started in, like every other path.
  config->mutable_benchmark()->set_table(ResolvePath(config->benchmark().table()));

  std::string out = args.Get("out");
  if (!args.Has("out")) {
    std::string base = args.positional()[0];
    base = base.substr(base.find_last_of('/') + 1);
    out = base.substr(0, base.find('.')) + ".h5";
  }
  out = ResolvePath(out);
  if (FileExists(out) && !args.GetFlag("overwrite"))
    return Fail(absl::AlreadyExistsError(absl::StrCat(out, ": log exists; choose another --out or pass --overwrite")));

  auto prepared = PrepareExperiment(*config);
  if (!prepared.ok()) return Fail(prepared.status());
  const int compute_threads = 1;
  SetComputeThreads(compute_threads);
  auto writer = EpisodeLogWriter::Create(out, LogAttributes(*prepared, *threads, compute_threads),
                                         prepared->space->num_decisions(), args.GetFlag("overwrite"));
  if (!writer.ok()) return Fail(writer.status());

  Runner runner(prepared->config, *prepared->space, *prepared->evaluator, compute_threads);
  std::vector<RunLog> finished;
  Progress progress(args.GetFlag("quiet"));
  const std::vector<RunJob> jobs = runner.Jobs();
  const auto start = std::chrono::steady_clock::now();
  absl::Status status = runner.RunAll(
      jobs, *threads,
      [&](const RunLog& run) {
        NAS_RETURN_IF_ERROR((*writer)->WriteRun(run));
        finished.push_back(run);
        return absl::OkStatus();
      },
      [&](int done, int total) { progress.Update(done, total); });
  if (status.ok()) status = (*writer)->Close();
  if (!status.ok()) {
    std::remove(out.c_str());
    return Fail(status);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s: %zu runs, %s on %s (%s epochs search, %s epochs report; best test in table %.3f)\n",
              prepared->config.name().c_str(), jobs.size(),
              prepared->config.budget().limit_case() == proto::Budget::kEvaluations
                  ? absl::StrCat(prepared->config.budget().evaluations(), " evaluations").c_str()
                  : absl::StrCat(prepared->config.budget().simulated_seconds(), " simulated s").c_str(),
              prepared->config.benchmark().dataset().c_str(), std::to_string(prepared->evaluator->search_epochs()).c_str(),
              std::to_string(prepared->evaluator->report_epochs()).c_str(), prepared->evaluator->best_test_acc());
  std::printf("%s", FormatSummary(Summarize(finished)).c_str());
  std::printf("log: %s (%.2f s, %d thread%s)\n", out.c_str(), seconds, *threads, *threads == 1 ? "" : "s");
  return 0;
}

}  // namespace nas::cli
