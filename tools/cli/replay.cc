// nas replay LOG.h5: re-runs every run of a log from the config stored in it and compares every episode field
// but wall_time bit for bit.
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/experiment/config.h"
#include "nas/experiment/experiment.h"
#include "nas/experiment/provenance.h"
#include "nas/experiment/runner.h"
#include "nas/log/episode_log.h"
#include "nas/log/replay.h"
#include "nas/util/runtime.h"
#include "tools/cli/args.h"
#include "tools/cli/commands.h"
#include "tools/cli/log_input.h"
#include "tools/cli/logged_table.h"
#include "tools/cli/full_binary.h"

namespace nas::cli {

int ReplayCommand(int argc, char** argv) {
  Args args("replay", "LOG.h5 [--table TABLE.h5] [--threads N]",
            "Re-runs every run in the log from the resolved config stored in it and compares every episode\n"
            "field except wall_time bit for bit. Exit 0 when identical; exit 1 naming the first divergence\n"
            "(run, episode, field, both values). Bit-exactness is promised for the same binary, BLAS and\n"
            "thread counts; differences in those are reported first.");
  args.Option("table", "table to use instead of the logged table_path (its SHA-256 must match)")
      .Option("threads", "runs replayed in parallel", "1");
  if (absl::Status s = args.Parse(argc, argv, 1, 1); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;
  auto threads = args.GetInt("threads", 1, kMaxThreads);
  if (!threads.ok()) return Fail(threads.status());

  const std::string path = ResolvePath(args.positional()[0]);
  auto log = ReadCheckedLog(path);
  if (!log.ok()) return Fail(log.status());
  auto attr = [&](const std::string& k) {
    auto it = log->attributes.find(k);
    return it == log->attributes.end() ? std::string() : it->second;
  };
  auto config = ParseExperiment(attr("config"), path + " (attribute config)");
  if (!config.ok()) return Fail(config.status());
  if (args.Has("table")) {
    config->mutable_benchmark()->set_table(ResolvePath(args.Get("table")));
  } else if (!config->benchmark().table().empty()) {  // also from another directory than the run's
    auto found = FindLoggedTable(config->benchmark().table(), path, log->attributes);
    if (!found.ok()) return Fail(found.status());
    config->mutable_benchmark()->set_table(*found);
  }
  if (absl::Status s = ResolveExperiment(&*config, path + " (attribute config)"); !s.ok()) return Fail(s);
  if (auto missing = MissingComponents(*config); !missing.empty())  // the LSTM or training: hand over to nas-torch
    return ExecFullBinary(path, absl::StrJoin(missing, ", "));

  auto prepared = PrepareExperiment(*config);
  if (!prepared.ok()) return Fail(prepared.status());
  std::string note;
  if (prepared->table && !TableMatchesLog(*prepared, log->attributes, &note)) {
    std::fprintf(stderr, "nas: %s: table %s has SHA-256 %s, the log was made with %s (give the right one with --table)\n",
                 path.c_str(), prepared->table_path.c_str(), prepared->table_sha256.c_str(), attr("table_sha256").c_str());
    return 1;
  }
  std::fprintf(stderr, "%s", note.c_str());
  if (absl::Status s = OwnedProvenanceMatchesLog(*prepared, log->attributes, path); !s.ok()) return Fail(s);
  // A log written without the fidelity field was evaluated at the search fidelity throughout.
  FillUnrecordedFidelity(&*log, prepared->evaluator->LoggedFidelity(Evaluator::kSearchFidelity));
  const int compute_threads = 1;
  SetComputeThreads(compute_threads);
  std::map<std::string, std::string> now = LogAttributes(*prepared, *threads, compute_threads);
  for (const auto& [k, v] : now)
    // Without LibTorch (`nas`), the experiment uses no LibTorch and no BLAS: their versions cannot matter.
    if (AffectsResults(k) && attr(k) != v && (HasLibTorch() || (k != "torch" && k != "blas")))
      std::fprintf(stderr, "note: %s differs: logged '%s', now '%s'; bit-exact replay may not hold\n", k.c_str(),
                   attr(k).c_str(), v.c_str());

  std::map<std::string, int> method_index;
  for (int m = 0; m < prepared->config.methods_size(); ++m) method_index[prepared->config.methods(m).label()] = m;
  std::vector<RunJob> jobs;
  for (const RunLog& r : log->runs) {
    auto it = method_index.find(r.label);
    if (it == method_index.end()) {
      std::fprintf(stderr, "nas: %s: run %s/%d has a label the stored config does not define\n", path.c_str(),
                   r.label.c_str(), r.run);
      return 1;
    }
    jobs.push_back(RunJob{it->second, r.run});
  }
  Runner runner(prepared->config, *prepared->space, *prepared->evaluator, compute_threads);
  std::mutex mu;
  std::map<int, Divergence> divergences;  // by job index: report the first in log order
  int64_t episodes = 0;
  Runner::Callbacks callbacks;
  callbacks.finished = [&](int j, const RunLog& replayed) -> absl::Status {
    const RunLog& logged = log->runs[j];
    std::optional<Divergence> d;
    if (!logged.complete) {
      d = Divergence{absl::StrCat(logged.label, "/", logged.run), -1, "completeness", "unfinished run",
                     "finished run (resume the log with nas run --resume first)"};
    } else {
      d = FirstDivergence(logged, replayed);
    }
    std::lock_guard<std::mutex> lock(mu);
    episodes += static_cast<int64_t>(logged.episodes.size());
    if (d) divergences.emplace(j, *d);
    return absl::OkStatus();
  };
  absl::Status status = runner.RunAll(jobs, *threads, callbacks);
  if (!status.ok()) return Fail(status);
  if (!divergences.empty()) {
    std::printf("DIVERGED: %s\n", divergences.begin()->second.ToString().c_str());
    return 1;
  }
  std::printf("identical: %zu runs, %lld episodes, every field but wall_time bit for bit\n", jobs.size(),
              static_cast<long long>(episodes));
  const int expected = prepared->config.methods_size() * prepared->config.seeds().runs();
  if (static_cast<int>(jobs.size()) != expected) {
    std::printf("incomplete: the log holds %zu of the %d runs its config defines\n", jobs.size(), expected);
    return 1;
  }
  return 0;
}

}  // namespace nas::cli
