// nas run CONFIG: runs every method x run of an experiment on a tabular benchmark into an HDF5 log, streaming
// episodes into the log (crash-safe, see nas/log/episode_log.h); --resume continues an interrupted log.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nas/experiment/config.h"
#include "nas/experiment/experiment.h"
#include "nas/experiment/runner.h"
#include "nas/analysis/transfer.h"
#include "nas/experiment/summary.h"
#include "nas/log/episode_log.h"
#include "nas/log/replay.h"
#include "nas/util/cluster.h"
#include "nas/util/runtime.h"
#include "tools/cli/args.h"
#include "tools/cli/commands.h"
#include "tools/cli/output_guard.h"
#include "tools/cli/full_binary.h"
#include "nas/util/path.h"

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

// Copies every acknowledged episode of `old` (its runs, without episodes; the episodes streamed from `stream`,
// each also given to `copied`) into a new log (under a temporary name), commits it, then renames it over `path`
// (atomic: at every moment `path` holds at least what was acknowledged). The caller holds `path`'s lock from
// before it opened `stream` until the process ends, so no other writer or resume can interleave.
// Returns the writer, open on the renamed file.
absl::StatusOr<std::unique_ptr<EpisodeLogWriter>> RestartLog(const std::string& path, const LogFile& old,
                                                             LogStream& stream,
                                                             const std::function<void(int, Episode&)>& copied,
                                                             const std::map<std::string, std::string>& attributes,
                                                             int num_decisions, const SlotSource& slots,
                                                             LogWriterOptions options) {
  if (static_cast<int64_t>(old.runs.size()) != slots.count)
    return absl::FailedPreconditionError(absl::StrCat(path, ": holds ", old.runs.size(), " runs, the config plans ",
                                                      slots.count));
  for (size_t i = 0; i < old.runs.size(); ++i) {
    const RunSlot planned = slots.at(static_cast<int64_t>(i));
    if (old.runs[i].label != planned.label || old.runs[i].run != planned.run)
      return absl::FailedPreconditionError(absl::StrCat(path, ": run slot ", i, " is ", old.runs[i].label, "/",
                                                        old.runs[i].run, ", the config plans ", planned.label, "/",
                                                        planned.run));
  }
  options.replace_on_publish = true;
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<EpisodeLogWriter> writer,
                       EpisodeLogWriter::Create(path, attributes, num_decisions, slots, options));
  NAS_RETURN_IF_ERROR(writer->SetFlushEvery(0));  // copy in bulk (committed every few thousand episodes)
  NAS_RETURN_IF_ERROR(stream.ForEach([&](int slot, Episode&& e) {
    copied(slot, e);
    return writer->Append(slot, e);
  }));
  for (size_t slot = 0; slot < old.runs.size(); ++slot)
    if (old.runs[slot].complete) NAS_RETURN_IF_ERROR(writer->FinishRun(static_cast<int>(slot)));
  NAS_RETURN_IF_ERROR(writer->SetFlushEvery(options.flush_every));
  NAS_RETURN_IF_ERROR(writer->Publish());  // commits the copy, then replaces `path`
  return writer;
}

}  // namespace

int RunCommand(int argc, char** argv) {
  Args args("run", "CONFIG.textproto [--table TABLE.h5] [--out LOG.h5 | --resume LOG.h5] [--threads N]",
            "Runs every method x run of the experiment on its benchmark (lookups in a table, or every child\n"
            "trained for real with benchmark.train), streams every episode into an\n"
            "HDF5 log (committed every --flush_interval_ms and every --flush_every episodes of a run: a killed\n"
            "run loses nothing committed, i.e. at most the last interval's episodes) and\n"
            "prints a summary (final incumbent's test accuracy; incumbent = best by validation). --resume\n"
            "continues an interrupted log: finished runs are kept, unfinished ones are re-run deterministically\n"
            "(their logged episodes must be reproduced bit for bit) and completed; the result equals an\n"
            "uninterrupted run in every field but wall times.");
  args.Option("table", "HDF5 table to use instead of the config's benchmark.table")
      .Option("out", "log to write (refused if it exists, unless --overwrite)", "<config name>.h5")
      .Option("resume", "an interrupted log of this config to complete")
      .Option("threads", "runs (and children to train) executed in parallel (results do not depend on it)", "1")
      .Option("flush_every", "also acknowledge a run's episodes every N episodes, each time with one record "
              "appended to the log's write-ahead journal LOG.journal (0: by time only)", "0")
      .Option("flush_interval_ms", "commit every pending episode to the log this often (0: only by --flush_every "
              "and at each run's end)", "1000")
      .Flag("overwrite", "replace an existing log")
      .Flag("print_acks", "print 'ack <label>/<run> <episodes>[ complete]' on stdout after every commit")
      .Flag("quiet", "no progress line");
  if (absl::Status s = args.Parse(argc, argv, 1, 1); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;

  const std::string config_path = ResolvePath(args.positional()[0]);
  auto config = ReadExperimentFile(config_path);
  if (!config.ok()) return Fail(config.status());
  if (args.Has("table")) config->mutable_benchmark()->set_table(args.Get("table"));
  if (absl::Status s = ResolveExperiment(&*config, config_path); !s.ok()) return Fail(s);
  if (auto missing = MissingComponents(*config); !missing.empty())  // the LSTM or training: hand over to nas-torch
    return ExecFullBinary(config_path, absl::StrJoin(missing, ", "));
  auto threads = args.GetInt("threads", 1, kMaxThreads);
  if (!threads.ok()) return Fail(threads.status());
  auto flush_every = args.GetInt("flush_every", 0);
  if (!flush_every.ok()) return Fail(flush_every.status());
  auto flush_interval_ms = args.GetInt("flush_interval_ms", 0);
  if (!flush_interval_ms.ok()) return Fail(flush_interval_ms.status());
  if (*flush_every < 0 || *flush_interval_ms < 0 || (*flush_every == 0 && *flush_interval_ms == 0))
    return Fail(absl::InvalidArgumentError(
        "nas run: --flush_every and --flush_interval_ms must be >= 0, and not both 0"));
  // Paths in a config are relative to the directory nas was started in, like every other path.
  if (!config->benchmark().table().empty())
    config->mutable_benchmark()->set_table(ResolvePath(config->benchmark().table()));
  if (config->benchmark().has_train() && !config->benchmark().train().data().path().empty())
    config->mutable_benchmark()->mutable_train()->mutable_data()->set_path(
        ResolvePath(config->benchmark().train().data().path()));
  for (proto::Method& m : *config->mutable_methods())
    if (m.has_weight_sharing() && !m.weight_sharing().table().empty())
      m.mutable_weight_sharing()->set_table(ResolvePath(m.weight_sharing().table()));

  // MPI worker ranks train the children rank 0 sends them and write nothing.
  Cluster* cluster = GetCluster();
  if (cluster != nullptr && cluster->rank() > 0) {
    if (!config->benchmark().has_train()) return cluster->Idle();  // lookups stay on rank 0
    auto prepared = PrepareExperiment(*config);
    if (!prepared.ok()) return cluster->Idle();  // rank 0 reports the same error
    const Evaluator* evaluator = prepared->evaluator.get();
    RemoteHandler handler = EvaluationHandler(*evaluator);
    return cluster->Serve(
        [&handler](const std::string& request) {
          thread_local const bool fixed = (SetComputeThreads(1), true);
          (void)fixed;
          return handler(request);
        },
        *threads);
  }

  const bool resume = args.Has("resume");
  if (resume && (args.Has("out") || args.GetFlag("overwrite")))
    return Fail(absl::InvalidArgumentError("nas run: --resume LOG writes to LOG; do not combine it with --out or --overwrite"));
  std::string out = args.Get(resume ? "resume" : "out");
  if (!resume && !args.Has("out")) {
    const std::string base = Basename(args.positional()[0]);
    out = base.substr(0, base.find('.')) + ".h5";
  }
  out = ResolvePath(out);
  // On resume: the old log's runs, without episodes (streamed into the new log by RestartLog).
  std::unique_ptr<LogStream> old_stream;
  LogFile no_log;
  std::optional<LogLock> resume_lock;  // held for the whole resume
  if (resume) {
    auto lock = LogLock::Take(out);
    if (!lock.ok()) return Fail(lock.status());
    resume_lock.emplace(std::move(*lock));
    auto read = LogStream::Open(out);  // a damaged run is re-run from its start like an unfinished one
    if (!read.ok()) return Fail(read.status());
    old_stream = std::move(*read);
  }
  LogFile& old = old_stream ? old_stream->log() : no_log;
  if (resume) {
    for (const RunLog& r : old.runs)
      if (!r.damage.empty())
        std::fprintf(stderr, "nas: %s: run %s/%d cannot be read (%s); re-running it\n", out.c_str(), r.label.c_str(),
                     r.run, r.damage.c_str());
    // Same config as the interrupted run, after resolution (the table path may be given differently).
    proto::Experiment stored_check = *config;
    auto stored = ParseExperiment(old.attributes["config"], out + " (attribute config)");
    if (!stored.ok()) return Fail(stored.status());
    stored->mutable_benchmark()->set_table(config->benchmark().table());
    if (ExperimentToText(*stored) != ExperimentToText(stored_check))
      return Fail(absl::FailedPreconditionError(
          absl::StrCat(out, ": was started with a different config than ", config_path, "; cannot resume")));
  }
  // Never over one of the run's inputs; --overwrite replaces only a previous nas log.
  const std::vector<std::string> inputs = {config_path, config->benchmark().table()};
  if (absl::Status s = resume ? CheckNotAnInput(out, inputs)
                              : CheckOutput(out, NasLogOutput(), inputs, args.GetFlag("overwrite"),
                                            "choose another --out, pass --overwrite, or --resume it");
      !s.ok())
    return Fail(s);

  auto prepared = PrepareExperiment(*config);
  // A field the evaluator refuses (benchmark.train.*, benchmark.reward.*), or a method's own evaluator refuses
  // (weight_sharing.*, its truth table), is the config's: name the file.
  if (!prepared.ok() && (absl::StartsWith(prepared.status().message(), "benchmark.") ||
                         absl::StartsWith(prepared.status().message(), "method")))
    prepared = absl::Status(prepared.status().code(), absl::StrCat(config_path, ": ", prepared.status().message()));
  if (!prepared.ok() && resume && prepared.status().code() == absl::StatusCode::kNotFound)
    return Fail(absl::NotFoundError(absl::StrCat(prepared.status().message(), " (give the table with --table)")));
  if (!prepared.ok()) return Fail(prepared.status());
  // A log written without the fidelity field was evaluated at the search fidelity throughout.
  const int32_t unrecorded_fidelity = prepared->evaluator->LoggedFidelity(Evaluator::kSearchFidelity);
  std::string table_note;
  if (resume && !TableMatchesLog(*prepared, old.attributes, &table_note))
    return Fail(absl::FailedPreconditionError(absl::StrCat(prepared->table_path, ": its SHA-256 differs from the table ",
                                                           out, " was started with; cannot resume (--table)")));
  std::fprintf(stderr, "%s", table_note.c_str());
  if (resume)
    if (absl::Status s = OwnedProvenanceMatchesLog(*prepared, old.attributes, out); !s.ok()) return Fail(s);
  const int compute_threads = 1;
  SetComputeThreads(compute_threads);
  Runner runner(prepared->config, *prepared->space, *prepared->evaluator, compute_threads);
  // Strategies with epochs of their own (enas, rsps) keep their state there after each epoch; --resume
  // continues their unfinished runs from it. Removed once the log is complete.
  const std::string checkpoint_dir = out + ".ckpt";
  runner.set_checkpoint_dir(checkpoint_dir);
  // Children to train run on --threads worker threads (also several of one run at once with budget.workers).
  // Under MPI they go to the worker ranks (--threads each), and rank 0 runs as many runs at once as they hold.
  std::unique_ptr<EvalExecutor> executor;
  int run_threads = *threads;
  if (prepared->evaluator->deferrable()) {
    if (cluster != nullptr) {
      cluster->set_slots_per_worker(*threads);
      executor = MakeClusterExecutor(cluster);
      run_threads = (cluster->size() - 1) * *threads;
    } else {
      executor = MakeThreadExecutor(*prepared->evaluator, *threads, compute_threads);
    }
    runner.set_executor(executor.get());
  }
  const std::vector<RunJob> all_jobs = runner.Jobs();
  // The planned runs, made one at a time when the log is created (not held: memory independent of their number).
  SlotSource slots;
  slots.count = static_cast<int64_t>(all_jobs.size());
  slots.at = [&](int64_t s) {
    const RunJob& j = all_jobs[s];
    const proto::Method& m = prepared->config.methods(j.method_index);
    return RunSlot{m.label(), m.name(), j.run, runner.RunAttributes(j)};
  };
  auto label_of = [&](int slot) -> const std::string& {
    return prepared->config.methods(all_jobs[slot].method_index).label();
  };
  std::map<std::string, std::string> attributes = LogAttributes(*prepared, *threads, compute_threads);
  if (cluster != nullptr) attributes["mpi_ranks"] = std::to_string(cluster->size());
  if (resume) {
    attributes["resumed_utc"] = attributes["created_utc"];
    attributes["created_utc"] = old.attributes["created_utc"];
  }
  std::mutex print_mu;
  const bool print_acks = args.GetFlag("print_acks");
  LogWriterOptions log_options;
  log_options.overwrite = args.GetFlag("overwrite");
  log_options.flush_every = *flush_every;
  log_options.flush_interval_ms = *flush_interval_ms;
  if (print_acks)
    log_options.on_ack = [&](int slot, int64_t acknowledged, bool complete) {
      std::lock_guard<std::mutex> lock(print_mu);
      std::printf("ack %s/%d %lld%s\n", label_of(slot).c_str(), all_jobs[slot].run,
                  static_cast<long long>(acknowledged), complete ? " complete" : "");
      std::fflush(stdout);
    };
  // The closing summary needs only each run's outcome (its episode count and final incumbent): keep that,
  // not the episodes, so that memory does not grow with the number of runs. Of a resumed log, only the
  // unfinished runs' episodes are kept (to check their re-runs against); the finished runs' outcomes are
  // taken as their episodes stream into the new log.
  std::vector<RunOutcome> finished(all_jobs.size());
  auto copied = [&](int slot, Episode& e) {
    RunLog& r = old.runs[slot];
    if (!r.has_fidelity) e.fidelity = unrecorded_fidelity;  // a log without the field: the search fidelity
    if (!r.complete) return r.episodes.push_back(e);
    RunOutcome& o = finished[slot];
    o.label = label_of(slot);
    ++o.episodes;
    o.has_final = true;
    o.final_incumbent = e.incumbent, o.final_test = e.incumbent_test, o.final_valid = e.incumbent_valid;
  };
  auto writer = resume ? RestartLog(out, old, *old_stream, copied, attributes, prepared->space->num_decisions(),
                                    slots, log_options)
                       : EpisodeLogWriter::Create(out, attributes, prepared->space->num_decisions(), slots,
                                                  log_options);
  if (!writer.ok()) return Fail(writer.status());

  // Jobs still to run: all, or on resume those not finished (partial ones are re-run from their start).
  std::vector<RunJob> jobs;
  std::vector<int> slot_of;
  for (size_t s = 0; s < all_jobs.size(); ++s)
    if (!resume || !old.runs[s].complete) jobs.push_back(all_jobs[s]), slot_of.push_back(static_cast<int>(s));

  Progress progress(args.GetFlag("quiet"));
  const auto start = std::chrono::steady_clock::now();
  Runner::Callbacks callbacks;
  callbacks.episode = [&](int j, const Episode& e) -> absl::Status {
    const int slot = slot_of[j];
    if (resume && e.index < static_cast<int64_t>(old.runs[slot].episodes.size())) {
      // Re-running an interrupted run: the logged episodes must come out again, bit for bit.
      RunLog logged, again;
      logged.label = again.label = label_of(slot);
      logged.run = again.run = all_jobs[slot].run;
      logged.episodes = {old.runs[slot].episodes[e.index]};
      again.episodes = {e};
      if (auto d = FirstDivergence(logged, again))
        return absl::FailedPreconditionError(absl::StrCat(out, ": cannot resume: the re-run differs from the log: ",
                                                          d->ToString()));
      return absl::OkStatus();
    }
    return (*writer)->Append(slot, e);
  };
  callbacks.finished = [&](int j, const RunLog& run) -> absl::Status {
    const int slot = slot_of[j];
    NAS_RETURN_IF_ERROR((*writer)->FinishRun(slot));
    finished[slot] = OutcomeOf(run);  // the run's episodes go with `run` when the runner drops it
    finished[slot].label = label_of(slot);  // (and its label string)
    return absl::OkStatus();
  };
  callbacks.progress = [&](int done, int total) { progress.Update(done, total); };
  if (resume)
    callbacks.logged = [&](int j) -> const std::vector<Episode>* { return &old.runs[slot_of[j]].episodes; };
  absl::Status status = runner.RunAll(jobs, run_threads, callbacks);
  if (status.ok()) status = (*writer)->Close();
  if (!status.ok()) return Fail(status);  // the log keeps every acknowledged episode: --resume completes it
  std::error_code ignored;
  std::filesystem::remove_all(checkpoint_dir, ignored);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double best = prepared->evaluator->best_test_acc();
  std::printf("%s: %zu runs, %s on %s (%d epochs search, %d epochs report%s)\n",
              prepared->config.name().c_str(), all_jobs.size(),
              prepared->config.budget().limit_case() == proto::Budget::kEvaluations
                  ? absl::StrCat(prepared->config.budget().evaluations(), " evaluations").c_str()
                  : absl::StrCat(prepared->config.budget().simulated_seconds(), " simulated s").c_str(),
              prepared->config.benchmark().dataset().c_str(), prepared->evaluator->search_epochs(),
              prepared->evaluator->report_epochs(),
              std::isnan(best) ? "; children trained" : absl::StrFormat("; best test in table %.3f", best).c_str());
  std::printf("%s", FormatSummary(Summarize(finished)).c_str());
  const auto& report = prepared->config.benchmark().report_datasets();
  if (prepared->table && !report.empty())
    std::printf("%s", analysis::FormatReportDatasets(*prepared->table, {report.begin(), report.end()}, finished).c_str());
  std::printf("log: %s (%.2f s, %d thread%s%s)\n", out.c_str(), seconds, *threads, *threads == 1 ? "" : "s",
              resume ? absl::StrCat(", resumed ", jobs.size(), " unfinished runs").c_str() : "");
  return 0;
}

}  // namespace nas::cli
