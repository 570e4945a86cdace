// The write-ahead journal of a log written with commits by count (nas/log/log_journal.h): an episode is
// acknowledged by one journal record, the HDF5 datasets are committed in groups, and every reader applies the
// journal's rows beyond /progress. A writer that dies without closing (here: a forked child that _exits) leaves
// its acknowledged episodes readable; a torn or changed record ends what is applied; a journal of another
// log is ignored; Close folds everything into the HDF5 file and removes the journal.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nas/h5/h5.h"
#include "nas/log/episode_log.h"
#include "tests/log/torn_episodes.h"

namespace nas {
namespace {

namespace fs = std::filesystem;
using testing::TornEpisode;

constexpr int kRuns = 3, kEpisodes = 50;

std::string Tmp(const std::string& name) {
  const char* d = std::getenv("TEST_TMPDIR");
  return std::string(d ? d : "/tmp") + "/" + name;
}

std::vector<RunSlot> Slots() {
  std::vector<RunSlot> slots;
  for (int r = 0; r < kRuns; ++r) slots.push_back(RunSlot{"j", "random", r, {{"strategy_seed", "1"}}});
  return slots;
}

// In a child that _exits without closing (as a kill would leave it): run r gets kEpisodes - r episodes, runs
// 0 and 1 are finished. Returns the acknowledged counts the child reported.
std::vector<int64_t> WriteAndDie(const std::string& path, const std::string& config = "x") {
  fs::remove(path);
  fs::remove(path + ".journal");
  int pipe_fd[2];
  EXPECT_EQ(pipe(pipe_fd), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fd[0]);
    LogWriterOptions options;
    options.flush_every = 1;
    options.flush_interval_ms = 0;
    auto w = EpisodeLogWriter::Create(path, {{"config", config}}, testing::kTornDecisions, Slots(), options);
    if (!w.ok()) _exit(1);
    for (int r = 0; r < kRuns; ++r) {
      for (int i = 0; i < kEpisodes - r; ++i)
        if (!(*w)->Append(r, TornEpisode(r, i)).ok()) _exit(2);
      if (r < 2 && !(*w)->FinishRun(r).ok()) _exit(3);
    }
    int64_t acked[kRuns];
    for (int r = 0; r < kRuns; ++r) acked[r] = (*w)->Acknowledged(r);
    if (write(pipe_fd[1], acked, sizeof acked) != sizeof acked) _exit(4);
    _exit(0);  // no Close, no destructor: what a SIGKILL leaves
  }
  close(pipe_fd[1]);
  std::vector<int64_t> acked(kRuns, -1);
  EXPECT_EQ(read(pipe_fd[0], acked.data(), sizeof(int64_t) * kRuns), static_cast<ssize_t>(sizeof(int64_t) * kRuns));
  close(pipe_fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return acked;
}

void ExpectEpisodes(const RunLog& run, int r, int64_t n) {
  ASSERT_EQ(static_cast<int64_t>(run.episodes.size()), n) << "run " << r;
  for (int64_t i = 0; i < n; ++i) {
    const Episode want = TornEpisode(r, i);
    ASSERT_EQ(run.episodes[i].index, i);
    ASSERT_EQ(run.episodes[i].arch, want.arch);
    ASSERT_EQ(run.episodes[i].actions, want.actions);
    ASSERT_EQ(run.episodes[i].reward, want.reward);
    ASSERT_EQ(run.episodes[i].curve.size(), want.curve.size());
    if (!want.curve.empty()) EXPECT_EQ(run.episodes[i].curve[0].train_loss, want.curve[0].train_loss);
  }
}

TEST(LogJournal, AWriterThatDiesKeepsEveryAcknowledgedEpisodeInTheJournal) {
  const std::string path = Tmp("journal.h5");
  const std::vector<int64_t> acked = WriteAndDie(path);
  for (int r = 0; r < kRuns; ++r) EXPECT_EQ(acked[r], kEpisodes - r);  // each episode acknowledged at once
  ASSERT_TRUE(fs::exists(path + ".journal"));
  {
    auto file = h5::File::Open(path);
    ASSERT_TRUE(file.ok()) << file.status();
    EXPECT_EQ(*file->Shape("/runs/j/episodes"), (std::vector<int64_t>{0}));  // not yet group-committed
  }
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->runs.size(), static_cast<size_t>(kRuns));
  EXPECT_EQ(log->journal_episodes, 3 * kEpisodes - 3);
  for (int r = 0; r < kRuns; ++r) {
    ExpectEpisodes(log->runs[r], r, kEpisodes - r);
    EXPECT_EQ(log->runs[r].complete, r < 2) << "run " << r;
  }
}

TEST(LogJournal, ATornOrChangedRecordEndsWhatIsApplied) {
  const std::string path = Tmp("journal_torn.h5");
  WriteAndDie(path);
  const std::string journal = path + ".journal";
  const auto size = fs::file_size(journal);
  // Cut into the last record (run 2's last episode): run 2 loses exactly that episode, unacknowledged.
  fs::resize_file(journal, size - 3);
  auto cut = ReadLog(path);
  ASSERT_TRUE(cut.ok()) << cut.status();
  ExpectEpisodes(cut->runs[0], 0, kEpisodes);
  ExpectEpisodes(cut->runs[1], 1, kEpisodes - 1);
  ExpectEpisodes(cut->runs[2], 2, kEpisodes - 3);
  // A changed byte in the middle of the journal: its record's CRC fails, nothing from there on applies.
  {
    std::fstream f(journal, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(size / 2));
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  auto changed = ReadLogKeepingIntactRuns(path);
  ASSERT_TRUE(changed.ok()) << changed.status();
  int64_t total = 0;
  for (int r = 0; r < kRuns; ++r) {
    const RunLog& run = changed->runs[r];
    for (size_t i = 0; i < run.episodes.size(); ++i) ASSERT_EQ(run.episodes[i].arch, TornEpisode(r, i).arch);
    total += static_cast<int64_t>(run.episodes.size());
  }
  EXPECT_GT(total, 0);
  EXPECT_LT(total, 3 * kEpisodes / 2 + 2);
}

TEST(LogJournal, AJournalOfAnotherFileIsIgnored) {
  const std::string path = Tmp("journal_foreign.h5"), other = Tmp("journal_other.h5");
  WriteAndDie(path);
  WriteAndDie(other, "another config");
  // `path`'s journal replaced by `other`'s: its header names another log (other root attributes): ignored.
  fs::rename(other + ".journal", path + ".journal");
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->journal_episodes, 0);
  for (const RunLog& run : log->runs) EXPECT_TRUE(run.episodes.empty());
}

TEST(LogJournal, CloseFoldsTheJournalIntoTheLogAndRemovesIt) {
  const std::string path = Tmp("journal_closed.h5");
  fs::remove(path);
  LogWriterOptions options;
  options.flush_every = 1;
  options.flush_interval_ms = 0;
  auto w = EpisodeLogWriter::Create(path, {{"config", "x"}}, testing::kTornDecisions, Slots(), options);
  ASSERT_TRUE(w.ok()) << w.status();
  for (int r = 0; r < kRuns; ++r) {
    for (int i = 0; i < kEpisodes; ++i) ASSERT_TRUE((*w)->Append(r, TornEpisode(r, i)).ok());
    ASSERT_TRUE((*w)->FinishRun(r).ok());
  }
  EXPECT_TRUE(fs::exists(path + ".journal"));
  ASSERT_TRUE((*w)->Close().ok());
  EXPECT_FALSE(fs::exists(path + ".journal"));
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->journal_episodes, 0);
  for (int r = 0; r < kRuns; ++r) {
    ExpectEpisodes(log->runs[r], r, kEpisodes);
    EXPECT_TRUE(log->runs[r].complete);
  }
}

}  // namespace
}  // namespace nas
