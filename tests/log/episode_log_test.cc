#include "nas/log/episode_log.h"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "nas/h5/h5.h"

namespace nas {
namespace {

constexpr int kDecisions = 6;

std::string TmpPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

RunLog MakeRun(const std::string& label, int32_t run, int episodes) {
  std::mt19937_64 rng(run * 1000 + label.size());
  std::uniform_real_distribution<double> u(-5, 100);
  RunLog r;
  r.label = label;
  r.method = label == "random" ? "RS" : "REINFORCE";
  r.run = run;
  r.attributes = {{"strategy_seed", std::to_string(1000 + run)}, {"eval_seed", std::to_string(run)},
                  {"lr", "0.0006"}};
  for (int i = 0; i < episodes; ++i) {
    Episode e;
    e.index = i;
    e.arch = static_cast<int64_t>(rng() % 15625);
    for (int k = 0; k < kDecisions; ++k) e.actions.push_back(static_cast<int32_t>(rng() % 5));
    e.log_prob = -u(rng);
    e.entropy = u(rng);
    e.reward = u(rng);
    e.valid_acc = u(rng);
    e.test_acc = i == 2 ? NAN : u(rng);
    e.sim_time = 1e6 * u(rng);
    e.wall_time = 1e-3 * u(rng);
    e.incumbent = (int64_t{1} << 40) + i;
    e.incumbent_valid = u(rng);
    e.incumbent_test = -0.0;
    e.table_slot = 3 - i % 4;
    e.fidelity = i % 3 == 0 ? 200 : i % 3;
    r.episodes.push_back(e);
  }
  return r;
}

void ExpectSameRun(const RunLog& a, const RunLog& b) {
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.method, b.method);
  EXPECT_EQ(a.run, b.run);
  EXPECT_EQ(a.attributes, b.attributes);
  ASSERT_EQ(a.episodes.size(), b.episodes.size());
  for (size_t i = 0; i < a.episodes.size(); ++i) {
    const Episode& x = a.episodes[i];
    const Episode& y = b.episodes[i];
    EXPECT_EQ(x.index, y.index);
    EXPECT_EQ(x.arch, y.arch);
    EXPECT_EQ(x.actions, y.actions);
    EXPECT_EQ(x.incumbent, y.incumbent);
    EXPECT_EQ(x.table_slot, y.table_slot);
    EXPECT_EQ(x.fidelity, y.fidelity);
    const double xs[] = {x.log_prob, x.entropy, x.reward, x.valid_acc, x.test_acc,
                         x.sim_time, x.wall_time, x.incumbent_valid, x.incumbent_test};
    const double ys[] = {y.log_prob, y.entropy, y.reward, y.valid_acc, y.test_acc,
                         y.sim_time, y.wall_time, y.incumbent_valid, y.incumbent_test};
    for (int k = 0; k < 9; ++k) EXPECT_TRUE(SameBits(xs[k], ys[k])) << "episode " << i << " field " << k;
  }
}

void ExpectErrorNaming(const absl::Status& status, const std::string& path, const std::string& fragment) {
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(absl::StrContains(status.message(), path)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), fragment)) << status;
  EXPECT_EQ(std::string(status.message()).find('\n'), std::string::npos) << status;
}

const std::map<std::string, std::string> kRootAttrs = {
    {"config", "strategy { name: \"reinforce\" }\nruns: 3\n"}, {"git_commit", "abc123"}, {"threads", "1"}};

std::string WriteLog(const std::string& name, const std::vector<RunLog>& runs) {
  const std::string path = TmpPath(name);
  EXPECT_TRUE(EpisodeLogWriter::WriteAll(path, kRootAttrs, kDecisions, runs, /*overwrite=*/true).ok());
  return path;
}

std::map<std::string, std::string> WithFlush(std::map<std::string, std::string> attrs, const std::string& n) {
  attrs["flush_every"] = n;
  attrs["flush_interval_ms"] = "0";
  return attrs;
}

TEST(EpisodeLog, RoundTripIsBitExactInSlotOrder) {
  const std::vector<RunLog> written = {MakeRun("reinforce", 1, 50), MakeRun("random", 0, 7),
                                       MakeRun("reinforce", 0, 3000), MakeRun("random", 1, 0),
                                       MakeRun("reinforce", 2, 1)};
  const std::string path = WriteLog("roundtrip_log.h5", written);
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->attributes, WithFlush(kRootAttrs, "0"));  // WriteAll commits each run at its end
  ASSERT_EQ(log->runs.size(), 5u);
  for (size_t i = 0; i < written.size(); ++i) {
    ExpectSameRun(log->runs[i], written[i]);
    EXPECT_TRUE(log->runs[i].complete);
  }
  // The documented layout.
  auto file = h5::File::Open(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file->ReadStringAttr("/", "format"), "nas-log");
  EXPECT_EQ(*file->ReadStringAttr("/", "format_version"), "4");
  EXPECT_EQ(*file->Shape("/slots"), (std::vector<int64_t>{5}));
  EXPECT_EQ(*file->Shape("/runs/reinforce/episodes"), (std::vector<int64_t>{50 + 3000 + 1}));
  EXPECT_EQ(*file->Shape("/runs/random/episodes"), (std::vector<int64_t>{7}));
  EXPECT_EQ(*file->Shape("/progress"), (std::vector<int64_t>{5}));
  EXPECT_FALSE(file->Exists("/completed"));
}

// LogStream (the reader of `nas run --resume`) gives every run's episodes as ReadLog does, with their curves,
// and the runs without episodes or attributes: of a format 4 log (a run left unfinished, a method with 3,000 rows over
// several chunks) and of a format 3 log.
std::vector<RunLog> Streamed(const std::string& path, std::vector<RunLog>* runs_only) {
  auto stream = LogStream::Open(path);
  EXPECT_TRUE(stream.ok()) << stream.status();
  if (!stream.ok()) return {};
  for (const RunLog& r : (*stream)->log().runs) {
    runs_only->push_back(r);
    runs_only->back().episodes.clear();
  }
  std::vector<RunLog> runs = *runs_only;
  EXPECT_TRUE((*stream)->ForEach([&](int slot, Episode&& e) {
    runs[slot].episodes.push_back(std::move(e));
    return absl::OkStatus();
  }).ok());
  return runs;
}

TEST(EpisodeLog, StreamedRunsAreTheReadRuns) {
  std::vector<RunLog> written = {MakeRun("reinforce", 1, 50), MakeRun("random", 0, 7), MakeRun("reinforce", 0, 3000),
                                 MakeRun("random", 1, 0), MakeRun("reinforce", 2, 1)};
  written[1].complete = false;
  for (int i = 0; i < 7; i += 3) written[1].episodes[i].curve = {CurvePoint{i, 1, 0.5, 0.25}, CurvePoint{i, 2, 0.125}};
  const std::string path = WriteLog("streamed_log.h5", written);
  std::vector<RunLog> runs_only;
  const std::vector<RunLog> streamed = Streamed(path, &runs_only);
  auto read = ReadLog(path);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(streamed.size(), read->runs.size());
  for (size_t s = 0; s < streamed.size(); ++s) {
    EXPECT_TRUE(runs_only[s].episodes.empty());
    EXPECT_EQ(runs_only[s].complete, read->runs[s].complete) << s;
    EXPECT_TRUE(runs_only[s].attributes.empty());  // the config's, not kept
    RunLog want = read->runs[s];
    want.attributes.clear();
    ExpectSameRun(streamed[s], want);
    for (size_t i = 0; i < streamed[s].episodes.size(); ++i) {
      ASSERT_EQ(streamed[s].episodes[i].curve.size(), read->runs[s].episodes[i].curve.size()) << s << " " << i;
      for (size_t k = 0; k < streamed[s].episodes[i].curve.size(); ++k)
        EXPECT_EQ(streamed[s].episodes[i].curve[k].train_loss, read->runs[s].episodes[i].curve[k].train_loss);
    }
  }
  EXPECT_FALSE(runs_only[1].complete);
  EXPECT_EQ(streamed[1].episodes[3].curve.size(), 2u);

  const std::string old = "tests/tools/testdata/embedded_before_fidelity.h5";
  if (!std::ifstream(old).good()) GTEST_SKIP() << "wanted " << old;
  runs_only.clear();
  const std::vector<RunLog> old_streamed = Streamed(old, &runs_only);
  auto old_read = ReadLogKeepingIntactRuns(old);
  ASSERT_TRUE(old_read.ok()) << old_read.status();
  ASSERT_EQ(old_streamed.size(), old_read->runs.size());
  for (size_t s = 0; s < old_streamed.size(); ++s) {
    RunLog want = old_read->runs[s];
    want.attributes.clear();
    ExpectSameRun(old_streamed[s], want);
  }
}

// A log written in the layout without the trailing fidelity field (tests/tools/testdata, made by a build that
// wrote it) reads with every episode kFidelityUnrecorded until FillUnrecordedFidelity.
TEST(EpisodeLog, LayoutWithoutFidelityReadsAsTheSearchFidelity) {
  const std::string path = "tests/tools/testdata/embedded_before_fidelity.h5";
  if (!std::ifstream(path).good()) GTEST_SKIP() << "wanted " << path;
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_FALSE(log->runs.empty());
  size_t episodes = 0;
  for (const RunLog& r : log->runs) {
    EXPECT_FALSE(r.has_fidelity);
    for (const Episode& e : r.episodes) {
      EXPECT_EQ(e.fidelity, kFidelityUnrecorded);
      ++episodes;
    }
  }
  ASSERT_GT(episodes, 0u);
  FillUnrecordedFidelity(&*log, 2);
  for (const RunLog& r : log->runs)
    for (const Episode& e : r.episodes) EXPECT_EQ(e.fidelity, 2);
  // Logs with the field keep their own values.
  const std::string fresh = WriteLog("fidelity_log.h5", {MakeRun("asha", 0, 9)});
  auto read = ReadLog(fresh);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->runs[0].has_fidelity);
  FillUnrecordedFidelity(&*read, 7);
  ExpectSameRun(read->runs[0], MakeRun("asha", 0, 9));
}

TEST(EpisodeLog, StreamingAcknowledgesEveryFlush) {
  const std::string path = TmpPath("stream_log.h5");
  auto w = EpisodeLogWriter::Create(path, {}, kDecisions, {RunSlot{"random", "random", 0, {}}, RunSlot{"x", "random", 3, {}}},
                                    true, /*flush_every=*/4);
  ASSERT_TRUE(w.ok()) << w.status();
  RunLog r = MakeRun("random", 0, 10);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE((*w)->Append(0, r.episodes[i]).ok());
  EXPECT_EQ((*w)->Acknowledged(0), 8);
  // A reader sees exactly the acknowledged episodes while the writer is running.
  auto partial = ReadLog(path);
  ASSERT_TRUE(partial.ok()) << partial.status();
  EXPECT_EQ(partial->runs[0].episodes.size(), 8u);
  EXPECT_FALSE(partial->runs[0].complete);
  EXPECT_TRUE(partial->runs[1].episodes.empty());
  // A second writer of the same file is refused, and so is taking it over with --overwrite.
  auto second = EpisodeLogWriter::Create(path, {}, kDecisions, {}, true);
  ExpectErrorNaming(second.status(), path, "another nas process is writing this log");
  ExpectErrorNaming(CheckNotBeingWritten(path), path, "another nas process");
  ASSERT_TRUE((*w)->FinishRun(0).ok());
  ASSERT_TRUE((*w)->Close().ok());
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->runs[0].episodes.size(), 10u);
  EXPECT_TRUE(log->runs[0].complete);
  EXPECT_FALSE(log->runs[1].complete);
  EXPECT_TRUE(CheckNotBeingWritten(path).ok());
}

TEST(EpisodeLog, RefusesToOverwriteUnlessAsked) {
  const std::string path = WriteLog("overwrite_log.h5", {MakeRun("random", 0, 5)});
  auto again = EpisodeLogWriter::Create(path, {}, kDecisions, {}, /*overwrite=*/false);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  ExpectErrorNaming(again.status(), path, "already exists");
  ASSERT_EQ(ReadLog(path)->runs.size(), 1u);  // untouched
  auto replaced = EpisodeLogWriter::Create(path, {}, kDecisions, {}, /*overwrite=*/true);
  ASSERT_TRUE(replaced.ok());
  ASSERT_TRUE((*replaced)->Close().ok());
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_TRUE(log->runs.empty());
}

TEST(EpisodeLog, TruncatedLog) {
  const std::string full = WriteLog("full_log.h5", {MakeRun("random", 0, 500), MakeRun("reinforce", 0, 500)});
  std::ifstream in(full, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string bytes = ss.str();
  const std::string path = TmpPath("truncated_log.h5");
  for (size_t keep : {bytes.size() / 2, bytes.size() - 1, size_t{50}}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, keep);
    auto log = ReadLog(path);
    ASSERT_FALSE(log.ok()) << "kept " << keep;
    ExpectErrorNaming(log.status(), path, "");
  }
}

TEST(EpisodeLog, RejectsOtherFiles) {
  const std::string missing = TmpPath("no_such_log.h5");
  EXPECT_EQ(ReadLog(missing).status().code(), absl::StatusCode::kNotFound);
  ExpectErrorNaming(ReadLog(missing).status(), missing, "no such file");

  const std::string text = TmpPath("log.txt");
  std::ofstream(text) << "not hdf5";
  ExpectErrorNaming(ReadLog(text).status(), text, "not an HDF5 file");

  const std::string other = TmpPath("other.h5");
  {
    auto f = h5::File::Create(other, true);
    ASSERT_TRUE(f.ok());
  }
  ExpectErrorNaming(ReadLog(other).status(), other, "not a nas log");
  {
    auto f = h5::File::Open(other, true);
    ASSERT_TRUE(f->WriteStringAttr("/", "format", "nas-table").ok());
  }
  ExpectErrorNaming(ReadLog(other).status(), other, "format is 'nas-table'");

  // A log of the older schema (version 1, before crash-safe streaming).
  const std::string old = TmpPath("v1_log.h5");
  {
    auto f = h5::File::Create(old, true);
    ASSERT_TRUE(f->WriteStringAttr("/", "format", "nas-log").ok());
    ASSERT_TRUE(f->WriteStringAttr("/", "format_version", "1").ok());
  }
  ExpectErrorNaming(ReadLog(old).status(), old, "format_version '1' is not supported: this build reads versions 2 to 4 (the log is from an older nas");
}

TEST(EpisodeLog, WriterValidatesRuns) {
  const std::string path = TmpPath("validate_log.h5");
  ExpectErrorNaming(EpisodeLogWriter::Create(path, {}, kDecisions, {RunSlot{"a/b", "m", 0, {}}}, true).status(), path,
                    "bad run label");
  ExpectErrorNaming(
      EpisodeLogWriter::Create(path, {}, kDecisions, {RunSlot{"r", "m", 0, {{"slot", "7"}}}}, true).status(), path,
      "reserved");
  ExpectErrorNaming(
      EpisodeLogWriter::Create(path, {}, kDecisions, {RunSlot{"r", "m", 0, {}}, RunSlot{"r", "m", 0, {}}}, true)
          .status(),
      path, "planned twice");
  auto writer = EpisodeLogWriter::Create(path, {}, kDecisions, {RunSlot{"random", "random", 0, {}}}, true);
  ASSERT_TRUE(writer.ok());
  RunLog bad = MakeRun("random", 0, 3);
  bad.episodes[1].actions.pop_back();
  ASSERT_TRUE((*writer)->Append(0, bad.episodes[0]).ok());
  ExpectErrorNaming((*writer)->Append(0, bad.episodes[1]), path, "episode 1: 5 actions, expected 6");
  ExpectErrorNaming((*writer)->Append(1, bad.episodes[0]), path, "no run slot 1");
  ASSERT_TRUE((*writer)->FinishRun(0).ok());
  ExpectErrorNaming((*writer)->Append(0, bad.episodes[2]), path, "already finished");
  ASSERT_TRUE((*writer)->Close().ok());
  ExpectErrorNaming((*writer)->FinishRun(0), path, "closed");
  EXPECT_FALSE(EpisodeLogWriter::Create(TmpPath("zero.h5"), {}, 0, {}, true).ok());
  EXPECT_FALSE(EpisodeLogWriter::Create(TmpPath("res.h5"), {{"format", "x"}}, kDecisions, {}, true).ok());
}

}  // namespace
}  // namespace nas
