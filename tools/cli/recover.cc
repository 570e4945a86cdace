// nas recover LOG.h5: makes the log of a killed `nas run` a normal HDF5 file again, without resuming it.
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "nas/h5/h5.h"
#include "nas/log/episode_log.h"
#include "tools/cli/args.h"
#include "tools/cli/commands.h"

namespace nas::cli {

int RecoverCommand(int argc, char** argv) {
  Args args("recover", "LOG.h5",
            "Makes the log of a killed `nas run` a normal HDF5 file again: clears the \"open for writing\" mark\n"
            "that HDF5's SWMR mode leaves in the file (as `h5clear -s` does), so that plain readers such as\n"
            "h5py.File(LOG) open it. Nothing else changes: the acknowledged episodes stay, the log is not\n"
            "resumed (`nas run CONFIG --resume LOG` still completes it). Refuses a log that is being written.");
  if (absl::Status s = args.Parse(argc, argv, 1, 1); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;
  const std::string path = ResolvePath(args.positional()[0]);
  if (!FileExists(path)) return Fail(absl::NotFoundError(absl::StrCat(path, ": no such file")));
  if (absl::Status s = CheckNotBeingWritten(path); !s.ok()) return Fail(s);
  auto log = ReadLog(path);  // only nas logs are touched
  if (!log.ok()) return Fail(log.status());
  if (absl::Status s = h5::File::ClearStatusFlags(path); !s.ok()) return Fail(s);
  int complete = 0;
  int64_t episodes = 0;
  for (const RunLog& r : log->runs) complete += r.complete, episodes += static_cast<int64_t>(r.episodes.size());
  std::printf("%s: a normal HDF5 file again (%zu runs, %d complete, %lld acknowledged episodes)%s\n", path.c_str(),
              log->runs.size(), complete, static_cast<long long>(episodes),
              complete == static_cast<int>(log->runs.size()) ? "" : "; nas run CONFIG --resume LOG completes it");
  return 0;
}

}  // namespace nas::cli
