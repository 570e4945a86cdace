// Commits torn at every page boundary (tear_shim, LD_PRELOAD): torn_writer commits every episode of 3 runs x 140
// episodes, and is killed in the middle of one of its writes to the log, at tear points spread over the whole
// write sequence. Every time, the log a kill leaves is read by ReadLogKeepingIntactRuns (never refused): every
// run that is not damaged holds at least the episodes acknowledged for it, each equal to what was written, and
// at most the runs with rows in the chunk the torn commit wrote are damaged (here at most two: the runs share
// one dataset and are written one after another), which `nas run --resume` re-runs. Commits write
// new chunk copies instead of rewriting acknowledged rows (nas/log/log_chunks.h); the printed counts show how
// many torn logs still have a damaged run and how many acknowledged episodes it held.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "nas/log/episode_log.h"
#include "tests/log/torn_episodes.h"

namespace nas {
namespace {

namespace fs = std::filesystem;

constexpr int kRuns = 3, kEpisodes = 140;  // every run fills several chunks (log_format::kChunkRows) and a part

std::string Tmp(const std::string& name) {
  const char* d = std::getenv("TEST_TMPDIR");
  return std::string(d ? d : "/tmp") + "/" + name;
}

std::string Absolute(const std::string& p) {
  char buf[PATH_MAX];
  return realpath(p.c_str(), buf) ? std::string(buf) : p;
}

struct Child {
  int signal = 0, code = -1;
  std::string out;
};

// Runs torn_writer under the shim; `tear_at` < 0: no tear.
Child RunWriter(const std::string& log, long long tear_at, const std::string& count_out) {
  const std::string out_path = Tmp("writer_out.txt");
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDOUT_FILENO);
    setenv("LD_PRELOAD", Absolute("tests/log/libtear_shim.so").c_str(), 1);
    setenv("TEAR_MATCH", fs::path(log).filename().c_str(), 1);
    setenv("TEAR_AT", std::to_string(tear_at).c_str(), 1);
    if (!count_out.empty()) setenv("TEAR_COUNT_OUT", count_out.c_str(), 1);
    execl("tests/log/torn_writer", "torn_writer", log.c_str(), std::to_string(kRuns).c_str(),
          std::to_string(kEpisodes).c_str(), nullptr);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  Child c;
  if (WIFSIGNALED(status)) c.signal = WTERMSIG(status);
  if (WIFEXITED(status)) c.code = WEXITSTATUS(status);
  std::ifstream in(out_path);
  std::stringstream ss;
  ss << in.rdbuf();
  c.out = ss.str();
  return c;
}

TEST(TornCommit, EveryTornCommitLeavesALogWhoseIntactRunsKeepTheirAcknowledgedEpisodes) {
  const std::string log = Tmp("torn.h5"), count_file = Tmp("points.txt");
  fs::remove(log);
  const Child whole = RunWriter(log, -1, count_file);
  ASSERT_EQ(whole.code, 0) << whole.out;
  long long points = 0;
  std::ifstream(count_file) >> points;
  ASSERT_GT(points, kRuns * kEpisodes) << "the shim saw no writes to the log (LD_PRELOAD not applied?)";
  auto full = ReadLog(log);
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_EQ(full->runs.size(), static_cast<size_t>(kRuns));

  const long long kTrials = 400;
  const long long stride = std::max(1LL, points / kTrials);
  int trials = 0, no_log = 0, damaged_logs = 0, unfinished_logs = 0;
  long long lost = 0;
  for (long long at = stride / 2; at < points; at += stride) {
    fs::remove(log);
    const Child c = RunWriter(log, at, "");
    ASSERT_EQ(c.signal, SIGKILL) << "tear point " << at << " of " << points << ": the writer was not torn";
    ++trials;
    std::map<int, int64_t> acked;
    std::map<int, bool> completed;
    for (absl::string_view line : absl::StrSplit(c.out, '\n')) {
      std::vector<std::string> f = absl::StrSplit(line, ' ');
      int slot;
      int64_t n;
      if (f.size() >= 3 && f[0] == "ack" && absl::SimpleAtoi(f[1], &slot) && absl::SimpleAtoi(f[2], &n)) {
        acked[slot] = std::max(acked[slot], n);
        if (f.size() == 4) completed[slot] = true;
      }
    }
    if (!fs::exists(log)) {  // killed before the new log was moved into place
      EXPECT_TRUE(acked.empty()) << "tear point " << at;
      ++no_log;
      continue;
    }
    auto read = ReadLogKeepingIntactRuns(log);
    ASSERT_TRUE(read.ok()) << "tear point " << at << ": the log is refused: " << read.status();
    ASSERT_EQ(read->runs.size(), static_cast<size_t>(kRuns));
    int damaged = 0;
    bool unfinished = false;
    for (int r = 0; r < kRuns; ++r) {
      const RunLog& run = read->runs[r];
      if (!run.damage.empty()) {
        ++damaged;
        lost += acked[r];
        continue;
      }
      ASSERT_GE(static_cast<int64_t>(run.episodes.size()), acked[r]) << "tear point " << at << ", run " << r;
      for (size_t i = 0; i < run.episodes.size(); ++i) {
        const Episode want = testing::TornEpisode(r, static_cast<int64_t>(i));
        ASSERT_EQ(run.episodes[i].arch, want.arch) << "tear point " << at << ", run " << r << ", episode " << i;
        ASSERT_EQ(run.episodes[i].reward, want.reward) << "tear point " << at;
        ASSERT_EQ(run.episodes[i].curve.size(), want.curve.size()) << "tear point " << at;
      }
      if (completed[r] && !run.complete) unfinished = true;  // only when /progress itself was torn
    }
    EXPECT_LE(damaged, 2) << "tear point " << at << ": one torn commit damaged more runs than one chunk holds";
    if (damaged == 0) {
      EXPECT_TRUE(ReadLog(log).ok()) << "tear point " << at << ": " << ReadLog(log).status();
    }
    damaged_logs += damaged > 0;
    unfinished_logs += unfinished;
  }
  std::printf("%lld tear points in %d acknowledged commits; %d torn at every %lld-th: %d left no log, %d a log "
              "with a damaged run (%lld acknowledged episodes in damaged runs), %d a log whose "
              "/progress was torn (runs kept, counted unfinished), 0 refused\n",
              points, kRuns * kEpisodes, trials, stride, no_log, damaged_logs, lost, unfinished_logs);
}

}  // namespace
}  // namespace nas
