// The log's safety promises at the library level (nas/log/README.md): group commit by time, checksums on
// the raw data, refused inconsistent records, overwrite that keeps the old log until the new one is complete,
// racing creators of one path (forked, 50 times), and a file-size limit (RLIMIT_FSIZE) hit mid-run.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nas/h5/h5.h"
#include "nas/log/episode_log.h"
#include "nas/testing/nas_cli.h"

namespace nas {
namespace {

constexpr int kDecisions = 6;

std::string TmpPath(const std::string& name) { return testing::ScratchPath(name); }

Episode MakeEpisode(int64_t i, int curve_points = 0) {
  Episode e;
  e.index = i;
  e.arch = (i * 7919) % 15625;
  e.actions = {static_cast<int32_t>(i % 5), 1, 2, 3, 4, static_cast<int32_t>(i % 3)};
  e.reward = e.valid_acc = 50 + 0.01 * i;
  e.test_acc = e.valid_acc - 1;
  e.sim_time = 100.0 * (i + 1);
  e.incumbent = e.arch;
  for (int k = 0; k < curve_points; ++k) {
    CurvePoint c;
    c.episode = i;
    c.epoch = k + 1;
    c.train_loss = 1.0 / (k + 1);
    e.curve.push_back(c);
  }
  return e;
}

void ExpectOneLineNaming(const absl::Status& status, const std::string& path, const std::string& fragment) {
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(absl::StrContains(status.message(), path)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), fragment)) << status;
  EXPECT_EQ(std::string(status.message()).find('\n'), std::string::npos) << status;
}

std::vector<RunSlot> Slots(int n) {
  std::vector<RunSlot> slots;
  for (int i = 0; i < n; ++i) slots.push_back(RunSlot{"random", "random", i, {}});
  return slots;
}

TEST(LogSafety, GroupCommitAcknowledgesWithinTheInterval) {
  const std::string path = TmpPath("group_commit.h5");
  std::mutex mu;
  std::vector<std::tuple<int, int64_t, bool>> acks;
  LogWriterOptions options;
  options.overwrite = true;
  options.flush_interval_ms = 50;
  options.on_ack = [&](int slot, int64_t n, bool complete) {
    std::lock_guard<std::mutex> lock(mu);
    acks.emplace_back(slot, n, complete);
  };
  auto w = EpisodeLogWriter::Create(path, {}, kDecisions, Slots(2), options);
  ASSERT_TRUE(w.ok()) << w.status();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*w)->Append(0, MakeEpisode(i)).ok());
  ASSERT_TRUE((*w)->FinishRun(0).ok());
  // Without another call, the timer commits within the interval (here: well within 5 s).
  for (int waited = 0; waited < 500 && (*w)->Acknowledged(0) < 10; ++waited)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ((*w)->Acknowledged(0), 10);
  auto live = ReadLog(path);
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(live->runs[0].episodes.size(), 10u);
  EXPECT_TRUE(live->runs[0].complete);
  EXPECT_FALSE(live->runs[1].complete);
  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_FALSE(acks.empty());
    EXPECT_EQ(acks.back(), std::make_tuple(0, int64_t{10}, true));
  }
  ASSERT_TRUE((*w)->Close().ok());
  auto file = h5::File::Open(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file->ReadStringAttr("/", "flush_interval_ms"), "50");
}

// One group commit of hundreds of unfinished runs (each with open datasets) and then of the same runs finished.
TEST(LogSafety, AGroupCommitOfManyRuns) {
  const std::string path = TmpPath("many_runs.h5");
  LogWriterOptions options;
  options.overwrite = true;
  options.flush_interval_ms = 100000;  // commits only when asked
  auto w = EpisodeLogWriter::Create(path, {}, kDecisions, Slots(600), options);
  ASSERT_TRUE(w.ok()) << w.status();
  for (int round = 0; round < 3; ++round) {
    for (int slot = 0; slot < 600; ++slot)
      for (int i = 0; i < 5; ++i) ASSERT_TRUE((*w)->Append(slot, MakeEpisode(round * 5 + i)).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  for (int slot = 0; slot < 600; ++slot) ASSERT_TRUE((*w)->FinishRun(slot).ok());
  ASSERT_TRUE((*w)->Close().ok());
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  for (const RunLog& r : log->runs) {
    ASSERT_EQ(r.episodes.size(), 15u);
    ASSERT_TRUE(r.complete);
  }
}

// Byte offset in the file of the first chunk of `dataset`.
// The file address of the chunk of `dataset` that holds `row`.
int64_t ChunkAddress(const std::string& path, const std::string& dataset, hsize_t row = 0) {
  h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  h5::Handle ds(H5Dopen2(f.get(), dataset.c_str(), H5P_DEFAULT));
  h5::Handle dcpl(H5Dget_create_plist(ds.get()));
  hsize_t chunk = 1;
  if (H5Pget_chunk(dcpl.get(), 1, &chunk) != 1) return -1;
  const hsize_t offset[1] = {row / chunk * chunk};
  unsigned mask = 0;
  haddr_t addr = HADDR_UNDEF;
  hsize_t size = 0;
  if (H5Dget_chunk_info_by_coord(ds.get(), offset, &mask, &addr, &size) < 0 || addr == HADDR_UNDEF) return -1;
  return static_cast<int64_t>(addr);
}
int64_t FirstChunkAddress(const std::string& path, const std::string& dataset) {
  return ChunkAddress(path, dataset, 0);
}

void FlipByte(const std::string& path, int64_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(at);
  char c = 0;
  f.read(&c, 1);
  c ^= 0x01;
  f.seekp(at);
  f.write(&c, 1);
}

TEST(LogSafety, AFlippedByteInTheRawDataIsReportedAsCorruptionNamingTheDataset) {
  RunLog run;
  run.label = "random";
  run.method = "random";
  for (int i = 0; i < 300; ++i) run.episodes.push_back(MakeEpisode(i, 2));
  for (const char* dataset : {"/runs/random/episodes", "/runs/random/curves", "/progress", "/slots"}) {
    const std::string path = TmpPath("flipped.h5");
    ASSERT_TRUE(EpisodeLogWriter::WriteAll(path, {{"config", "x"}}, kDecisions, {run}, true).ok());
    ASSERT_TRUE(ReadLog(path).ok());
    const int64_t at = FirstChunkAddress(path, dataset);
    ASSERT_GT(at, 0) << dataset;
    FlipByte(path, at + 9);
    const absl::Status status = ReadLog(path).status();
    ExpectOneLineNaming(status, path, dataset);
    EXPECT_TRUE(absl::StrContains(status.message(), "corrupt")) << status;
  }
}

// A run whose rows cannot be read (a chunk torn by a killed write) fails ReadLog with a line naming the dataset
// and the repair; ReadLogKeepingIntactRuns keeps every run without rows in that chunk and returns the others
// empty and unfinished. With the /progress record unreadable, every run keeps the rows its datasets hold and
// counts as unfinished.
TEST(LogSafety, ADamagedRunIsDroppedAloneByTheSalvagingReader) {
  // WriteAll commits whole runs: run r holds rows [r * kRows, (r + 1) * kRows) of the method's datasets, whole
  // chunks (log_format::kGroupChunkRows), so a chunk of run 1 holds no row of another run.
  constexpr int kRows = 2048;
  std::vector<RunLog> runs(3);
  for (int r = 0; r < 3; ++r) {
    runs[r].label = "random";
    runs[r].method = "random";
    runs[r].run = r;
    runs[r].attributes["strategy_seed"] = std::to_string(100 + r);
    for (int i = 0; i < kRows; ++i) runs[r].episodes.push_back(MakeEpisode(i, 1)), runs[r].episodes.back().arch += r;
  }
  runs[2].complete = false;
  const std::string path = TmpPath("damaged_run.h5");
  ASSERT_TRUE(EpisodeLogWriter::WriteAll(path, {{"config", "x"}}, kDecisions, runs, true).ok());
  FlipByte(path, ChunkAddress(path, "/runs/random/episodes", kRows + 5) + 100);
  ExpectOneLineNaming(ReadLog(path).status(), path, "/runs/random/episodes: corrupt data");
  EXPECT_TRUE(absl::StrContains(ReadLog(path).status().message(), "nas recover")) << ReadLog(path).status();
  auto kept = ReadLogKeepingIntactRuns(path);
  ASSERT_TRUE(kept.ok()) << kept.status();
  ASSERT_EQ(kept->runs.size(), 3u);
  EXPECT_EQ(kept->num_decisions, kDecisions);
  for (int r : {0, 2}) {
    EXPECT_TRUE(kept->runs[r].damage.empty()) << kept->runs[r].damage;
    EXPECT_EQ(kept->runs[r].complete, runs[r].complete);
    ASSERT_EQ(kept->runs[r].episodes.size(), static_cast<size_t>(kRows));
    EXPECT_EQ(kept->runs[r].episodes[kRows - 1].arch, runs[r].episodes[kRows - 1].arch);
    EXPECT_EQ(kept->runs[r].episodes[kRows - 1].curve.size(), 1u);
  }
  EXPECT_TRUE(absl::StrContains(kept->runs[1].damage, "/runs/random/episodes")) << kept->runs[1].damage;
  EXPECT_EQ(kept->runs[1].attributes["strategy_seed"], "101");
  EXPECT_TRUE(kept->runs[1].episodes.empty());
  EXPECT_FALSE(kept->runs[1].complete);

  ASSERT_TRUE(EpisodeLogWriter::WriteAll(path, {{"config", "x"}}, kDecisions, runs, true).ok());
  FlipByte(path, FirstChunkAddress(path, "/progress") + 3);
  ExpectOneLineNaming(ReadLog(path).status(), path, "/progress");
  auto unfinished = ReadLogKeepingIntactRuns(path);
  ASSERT_TRUE(unfinished.ok()) << unfinished.status();
  for (const RunLog& r : unfinished->runs) {
    EXPECT_TRUE(r.damage.empty());
    EXPECT_FALSE(r.complete);
    EXPECT_EQ(r.episodes.size(), static_cast<size_t>(kRows));
  }
}

// Rewrites a log's completion record: a /progress of `rows` rows, or (a log of run groups) format 2 with
// `completed`.
void ReplaceRecord(const std::string& path, int rows, const std::vector<int64_t>* completed) {
  h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
  ASSERT_GE(H5Ldelete(f.get(), "/progress", H5P_DEFAULT), 0);
  ASSERT_GE(H5Fclose(f.release()), 0);
  auto file = h5::File::Open(path, /*writable=*/true);
  ASSERT_TRUE(file.ok());
  if (completed != nullptr) {
    ASSERT_TRUE(file->WriteStringAttr("/", "format_version", "2").ok());
    ASSERT_TRUE(file->WriteInt64s("/completed", *completed).ok());
  } else {
    ASSERT_TRUE(file->WriteInt64s("/progress", std::vector<int64_t>(rows, 0)).ok());
  }
}

TEST(LogSafety, InconsistentCompletionRecordsAreRefusedAndFormat2IsStillRead) {
  std::vector<RunLog> runs(2);
  for (int r = 0; r < 2; ++r) {
    runs[r].label = "random";
    runs[r].method = "random";
    runs[r].run = r;
    for (int i = 0; i < 5; ++i) runs[r].episodes.push_back(MakeEpisode(i));
  }
  runs[1].complete = false;
  const std::string path = TmpPath("records.h5");
  ASSERT_TRUE(EpisodeLogWriter::WriteAll(path, {}, kDecisions, runs, true).ok());
  ReplaceRecord(path, 3, nullptr);
  ExpectOneLineNaming(ReadLog(path).status(), path, "/progress");

  // Format 2 (run groups and a /completed list): a copy of a log of run groups (format 3) made format 2.
  const std::string old = "tests/tools/testdata/embedded_before_fidelity.h5";
  if (!std::ifstream(old).good()) GTEST_SKIP() << "wanted " << old;
  const std::string v2_path = TmpPath("records_v2.h5");
  std::filesystem::copy_file(old, v2_path, std::filesystem::copy_options::overwrite_existing);
  auto original = ReadLog(v2_path);
  ASSERT_TRUE(original.ok()) << original.status();
  ASSERT_GE(original->runs.size(), 2u);
  ReplaceRecord(v2_path, 0, new std::vector<int64_t>{0});
  auto v2 = ReadLog(v2_path);
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_TRUE(v2->runs[0].complete);
  EXPECT_FALSE(v2->runs[1].complete);
  EXPECT_EQ(v2->runs[1].episodes.size(), original->runs[1].episodes.size());

  std::filesystem::copy_file(old, v2_path, std::filesystem::copy_options::overwrite_existing);
  const std::vector<int64_t> bad = {0, 7};
  ReplaceRecord(v2_path, 0, &bad);
  ExpectOneLineNaming(ReadLog(v2_path).status(), v2_path,
                      absl::StrCat("/completed lists slot 7, but the log has ", original->runs.size(), " runs"));
}

TEST(LogSafety, OverwriteKeepsTheOldLogUntilTheNewOneIsClosed) {
  const std::string path = TmpPath("overwritten.h5");
  RunLog old;
  old.label = "old";
  old.method = "random";
  for (int i = 0; i < 3; ++i) old.episodes.push_back(MakeEpisode(i));
  ASSERT_TRUE(EpisodeLogWriter::WriteAll(path, {}, kDecisions, {old}, true).ok());
  LogWriterOptions options;
  options.overwrite = true;
  options.flush_every = 1;
  auto w = EpisodeLogWriter::Create(path, {}, kDecisions, Slots(1), options);
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_TRUE((*w)->Append(0, MakeEpisode(0)).ok());
  ASSERT_EQ((*w)->Acknowledged(0), 1);
  auto during = ReadLog(path);
  ASSERT_TRUE(during.ok()) << during.status();
  EXPECT_EQ(during->runs[0].label, "old");
  ASSERT_TRUE((*w)->Close().ok());
  auto after = ReadLog(path);
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->runs[0].label, "random");
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(path).parent_path()))
    EXPECT_FALSE(absl::EndsWith(entry.path().string(), ".partial")) << entry.path();
}

// Two processes create the same new log at the same moment, 50 times: exactly one wins each time, the other
// gets one line, the log is whole and no temporary file is left.
TEST(LogSafety, RacingCreatorsOfOnePathExactlyOneWins) {
  const std::string dir = TmpPath("race");
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/raced.h5";
  int one_winner = 0;
  for (int trial = 0; trial < 50; ++trial) {
    std::filesystem::remove(path);
    int go[2];
    ASSERT_EQ(pipe(go), 0);
    pid_t pids[2];
    for (pid_t& pid : pids) {
      pid = fork();
      if (pid == 0) {
        close(go[1]);
        char c;
        (void)!read(go[0], &c, 1);  // both start when the parent closes the pipe
        auto w = EpisodeLogWriter::Create(path, {{"writer", std::to_string(getpid())}}, kDecisions, Slots(20), false, 1);
        if (!w.ok()) {
          const bool one_line = std::string(w.status().message()).find('\n') == std::string::npos;
          _exit(w.status().code() == absl::StatusCode::kAlreadyExists && one_line ? 3 : 4);
        }
        for (int i = 0; i < 20; ++i)
          if (!(*w)->Append(i % 20, MakeEpisode(i / 20)).ok()) _exit(5);
        _exit((*w)->Close().ok() ? 0 : 6);
      }
    }
    close(go[0]);
    close(go[1]);
    int codes[2];
    for (int k = 0; k < 2; ++k) {
      int status = 0;
      waitpid(pids[k], &status, 0);
      codes[k] = WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
    }
    std::sort(codes, codes + 2);
    EXPECT_EQ(codes[0], 0) << "trial " << trial;
    EXPECT_EQ(codes[1], 3) << "trial " << trial;
    auto log = ReadLog(path);
    ASSERT_TRUE(log.ok()) << "trial " << trial << ": " << log.status();
    EXPECT_EQ(log->runs.size(), 20u);
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      EXPECT_EQ(entry.path().string(), path) << "trial " << trial << ": left behind";
    one_winner += codes[0] == 0 && codes[1] == 3;
  }
  std::printf("racing creators: exactly one winner in %d of 50 trials\n", one_winner);
}

// A file-size limit reached mid-run: the writer stops with one line naming the log and the OS error; the log
// opens and holds exactly the acknowledged episodes; a new writer can continue once the limit is lifted.
TEST(LogSafety, AFileSizeLimitStopsTheLogWithTheAcknowledgedEpisodesIntact) {
  const std::string path = TmpPath("fsize.h5");
  std::filesystem::remove(path);
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(out[0]);
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {300 << 10, 300 << 10};
    setrlimit(RLIMIT_FSIZE, &limit);
    FILE* report = fdopen(out[1], "w");
    LogWriterOptions options;
    options.flush_every = 7;
    options.flush_interval_ms = 0;
    options.on_ack = [&](int slot, int64_t n, bool) { std::fprintf(report, "ack %d %lld\n", slot, (long long)n), std::fflush(report); };
    auto w = EpisodeLogWriter::Create(path, {}, kDecisions, Slots(4), options);
    if (!w.ok()) std::fprintf(report, "error %s\n", std::string(w.status().message()).c_str()), _exit(1);
    for (int i = 0; i < 100000; ++i) {
      absl::Status s = (*w)->Append(i % 4, MakeEpisode(i / 4, 1));
      if (!s.ok()) {
        std::fprintf(report, "error %s\n", std::string(s.message()).c_str());
        std::fflush(report);
        _exit(1);  // as `nas run` exits after the error (the writer's destructor is not needed)
      }
    }
    _exit(0);
  }
  close(out[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof buf)) > 0;) text.append(buf, n);
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::map<int, int64_t> acked;
  std::string error;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits(' ', 2));
    if (f[0] == "ack") acked[std::stoi(f[1])] = std::stoll(f[2]);
    if (f[0] == "error") error = f[1] + " " + f[2];
  }
  EXPECT_TRUE(absl::StrContains(error, path)) << error;
  EXPECT_TRUE(absl::StrContains(error, "File too large")) << error;
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  int64_t total = 0;
  for (int slot = 0; slot < 4; ++slot) {
    const RunLog& r = log->runs[slot];
    EXPECT_EQ(static_cast<int64_t>(r.episodes.size()), acked[slot]) << "slot " << slot;
    for (size_t i = 0; i < r.episodes.size(); ++i) {
      ASSERT_EQ(r.episodes[i].index, static_cast<int64_t>(i));
      ASSERT_EQ(r.episodes[i].arch, MakeEpisode(i).arch);
      ASSERT_EQ(r.episodes[i].curve.size(), 1u);
    }
    total += r.episodes.size();
  }
  EXPECT_GT(total, 100);
  std::printf("RLIMIT_FSIZE 300 KiB: stopped after %lld acknowledged episodes: %s\n", (long long)total, error.c_str());
}

// A log whose writer died (still marked "open for write", so it is read in SWMR mode) with bytes of its
// metadata changed: reading it gives an error (one line) or the data, and never hangs (HDF5's SWMR reader
// retried each failed checksum 100 times with a growing sleep: minutes per read).
TEST(LogSafety, ACorruptLogOfADeadWriterNeverHangsAReader) {
  const std::string good = TmpPath("dead_writer.h5");
  std::filesystem::remove(good);
  const pid_t writer = fork();
  if (writer == 0) {
    auto w = EpisodeLogWriter::Create(good, {{"config", "x"}}, kDecisions, Slots(8), false, 5);
    for (int i = 0; i < 800 && w.ok(); ++i) (void)(*w)->Append(i % 8, MakeEpisode(i / 8));
    _exit(w.ok() ? 0 : 1);  // no Close: the file stays marked as being written
  }
  int status = 0;
  waitpid(writer, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_TRUE(ReadLog(good).ok()) << ReadLog(good).status();
  std::ifstream in(good, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string bad = TmpPath("dead_writer_bad.h5");
  uint64_t state = 12345;
  int errors = 0, read_ok = 0;
  for (int trial = 0; trial < 30; ++trial) {
    std::string copy = bytes;
    for (int k = 0; k < 3; ++k) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      copy[(state >> 33) % std::min<size_t>(copy.size(), 40000)] ^= 0x5a;
    }
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << copy;
    const pid_t reader = fork();
    if (reader == 0) {
      alarm(20);
      auto log = ReadLog(bad);
      _exit(log.ok() ? 0 : std::string(log.status().message()).find('\n') == std::string::npos ? 1 : 2);
    }
    waitpid(reader, &status, 0);
    ASSERT_FALSE(WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) << "trial " << trial << ": hung";
    if (WIFEXITED(status)) {
      EXPECT_NE(WEXITSTATUS(status), 2) << "trial " << trial << ": a message of several lines";
      read_ok += WEXITSTATUS(status) == 0;
      errors += WEXITSTATUS(status) == 1;
    }
  }
  std::printf("30 corrupted logs of a dead writer: %d errors, %d read, none hung\n", errors, read_ok);
}

}  // namespace
}  // namespace nas
