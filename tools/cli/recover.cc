// nas recover LOG.h5: makes the log of a killed `nas run` a normal HDF5 file again, without resuming it.
#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nas/h5/h5.h"
#include "nas/log/episode_log.h"
#include "nas/util/status.h"
#include "tools/cli/args.h"
#include "tools/cli/commands.h"

namespace nas::cli {
namespace {

// Writes `log` (its damaged runs empty and unfinished) under a temporary name and renames it over `path`.
absl::Status RewriteLog(const std::string& path, const LogFile& log) {
  std::vector<RunSlot> slots;
  for (const RunLog& r : log.runs) slots.push_back(RunSlot{r.label, r.method, r.run, r.attributes});
  LogWriterOptions options;
  options.overwrite = true;
  auto number = [&](const char* key) {
    auto it = log.attributes.find(key);
    int v = 0;
    return it != log.attributes.end() && absl::SimpleAtoi(it->second, &v) && v >= 0 ? v : 0;
  };
  options.flush_every = number("flush_every");  // the durability the log was written with
  options.flush_interval_ms = number("flush_interval_ms");
  if (log.num_decisions < 1) return absl::DataLossError(absl::StrCat(path, ": no run's layout can be read"));
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<EpisodeLogWriter> writer,
                       EpisodeLogWriter::Create(path, log.attributes, log.num_decisions, slots, options));
  NAS_RETURN_IF_ERROR(writer->SetFlushEvery(0));
  for (size_t slot = 0; slot < log.runs.size(); ++slot) {
    for (const Episode& e : log.runs[slot].episodes) NAS_RETURN_IF_ERROR(writer->Append(static_cast<int>(slot), e));
    if (log.runs[slot].complete) NAS_RETURN_IF_ERROR(writer->FinishRun(static_cast<int>(slot)));
  }
  return writer->Close();
}

}  // namespace

int RecoverCommand(int argc, char** argv) {
  Args args("recover", "LOG.h5",
            "Makes the log of a killed `nas run` a normal HDF5 file again: clears the \"open for writing\" mark\n"
            "that HDF5's SWMR mode leaves in the file (as `h5clear -s` does), so that plain readers such as\n"
            "h5py.File(LOG) open it. Nothing else changes: the acknowledged episodes stay, the log is not\n"
            "resumed (`nas run CONFIG --resume LOG` still completes it). Refuses a log that is being written.\n"
            "A run whose rows cannot be read (a chunk torn by a kill, a changed byte) is emptied and marked\n"
            "unfinished, every other run is kept: the log is rewritten under a temporary name and renamed over\n"
            "LOG, and `nas run CONFIG --resume LOG` re-runs the emptied runs. Episodes acknowledged only by the\n"
            "log's write-ahead journal (LOG.journal, written with --flush_every) are folded into the log the same way.");
  if (absl::Status s = args.Parse(argc, argv, 1, 1); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;
  const std::string path = ResolvePath(args.positional()[0]);
  if (!FileExists(path)) return Fail(absl::NotFoundError(absl::StrCat(path, ": no such file")));
  if (absl::Status s = CheckNotBeingWritten(path); !s.ok()) return Fail(s);
  auto log = ReadLogKeepingIntactRuns(path);  // only nas logs are touched
  if (!log.ok()) return Fail(log.status());
  if (absl::Status s = h5::File::ClearStatusFlags(path); !s.ok()) return Fail(s);
  int damaged = 0;
  for (const RunLog& r : log->runs)
    if (!r.damage.empty())
      ++damaged, std::fprintf(stderr, "nas: %s: run %s/%d cannot be read (%s); emptied, --resume re-runs it\n",
                              path.c_str(), r.label.c_str(), r.run, r.damage.c_str());
  // Damaged runs are emptied, and episodes only the write-ahead journal holds are folded into the HDF5 file (the
  // rewrite removes the journal), so that every reader, h5py included, sees every acknowledged episode.
  if (damaged > 0 || log->journal_episodes > 0) {
    if (absl::Status s = RewriteLog(path, *log); !s.ok()) return Fail(s);
  }
  int complete = 0;
  int64_t episodes = 0;
  for (const RunLog& r : log->runs) complete += r.complete, episodes += static_cast<int64_t>(r.episodes.size());
  std::printf("%s: a normal HDF5 file again (%zu runs, %d complete, %lld acknowledged episodes%s)%s\n", path.c_str(),
              log->runs.size(), complete, static_cast<long long>(episodes),
              damaged ? absl::StrCat("; ", damaged, " damaged run", damaged == 1 ? "" : "s", " emptied").c_str() : "",
              complete == static_cast<int>(log->runs.size()) ? "" : "; nas run CONFIG --resume LOG completes it");
  return 0;
}

}  // namespace nas::cli
