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
  auto writer = EpisodeLogWriter::Create(path, kRootAttrs, kDecisions, /*overwrite=*/true);
  EXPECT_TRUE(writer.ok()) << writer.status();
  for (const RunLog& r : runs) EXPECT_TRUE((*writer)->WriteRun(r).ok());
  EXPECT_TRUE((*writer)->Close().ok());
  return path;
}

TEST(EpisodeLog, RoundTripIsBitExactAndOrdered) {
  // Interleaved, out of order; labels come back in the order first written, runs by number.
  const std::vector<RunLog> written = {MakeRun("reinforce", 1, 50), MakeRun("random", 0, 7),
                                       MakeRun("reinforce", 0, 3000), MakeRun("random", 1, 0),
                                       MakeRun("reinforce", 2, 1)};
  const std::string path = WriteLog("roundtrip_log.h5", written);
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_EQ(log->attributes, kRootAttrs);
  ASSERT_EQ(log->runs.size(), 5u);
  ExpectSameRun(log->runs[0], written[2]);
  ExpectSameRun(log->runs[1], written[0]);
  ExpectSameRun(log->runs[2], written[4]);
  ExpectSameRun(log->runs[3], written[1]);
  ExpectSameRun(log->runs[4], written[3]);

  // The documented layout.
  auto file = h5::File::Open(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file->ReadStringAttr("/", "format"), "nas-log");
  EXPECT_EQ(*file->ReadStringAttr("/", "format_version"), "1");
  EXPECT_EQ(*file->ReadInt64Attr("/runs/reinforce/0001", "episodes"), 50);
  EXPECT_EQ(*file->Shape("/runs/reinforce/0000/actions"), (std::vector<int64_t>{3000, kDecisions}));
  EXPECT_EQ(*file->Shape("/runs/random/0001/valid_acc"), (std::vector<int64_t>{0}));
}

TEST(EpisodeLog, RefusesToOverwriteUnlessAsked) {
  const std::string path = WriteLog("overwrite_log.h5", {MakeRun("random", 0, 5)});
  auto again = EpisodeLogWriter::Create(path, {}, kDecisions, /*overwrite=*/false);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  ExpectErrorNaming(again.status(), path, "already exists");
  ASSERT_EQ(ReadLog(path)->runs.size(), 1u);  // untouched
  auto replaced = EpisodeLogWriter::Create(path, {}, kDecisions, /*overwrite=*/true);
  ASSERT_TRUE(replaced.ok());
  ASSERT_TRUE((*replaced)->Close().ok());
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_TRUE(log->runs.empty());
  EXPECT_TRUE(log->attributes.empty());
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

  const std::string versioned = WriteLog("version_log.h5", {MakeRun("random", 0, 2)});
  {
    auto f = h5::File::Open(versioned, true);
    ASSERT_TRUE(f->WriteStringAttr("/", "format_version", "2").ok());
  }
  ExpectErrorNaming(ReadLog(versioned).status(), versioned, "format_version '2' is not supported");
}

TEST(EpisodeLog, IncompleteRunIsReported) {
  const std::string path = WriteLog("incomplete_log.h5", {MakeRun("random", 0, 2)});
  {
    auto f = h5::File::Open(path, true);
    ASSERT_TRUE(f.ok());
    ASSERT_GE(H5Adelete_by_name(f->id(), "/runs/random/0000", "episodes", H5P_DEFAULT), 0);
  }
  ExpectErrorNaming(ReadLog(path).status(), path, "/runs/random/0000 is incomplete");
}

TEST(EpisodeLog, WriterValidatesRuns) {
  const std::string path = TmpPath("validate_log.h5");
  auto writer = EpisodeLogWriter::Create(path, {}, kDecisions, true);
  ASSERT_TRUE(writer.ok());
  RunLog bad = MakeRun("random", 0, 3);
  bad.episodes[1].actions.pop_back();
  ExpectErrorNaming((*writer)->WriteRun(bad), path, "episode 1: 5 actions, expected 6");
  RunLog reserved = MakeRun("random", 1, 1);
  reserved.attributes["episodes"] = "7";
  ExpectErrorNaming((*writer)->WriteRun(reserved), path, "reserved");
  ExpectErrorNaming((*writer)->WriteRun(MakeRun("a/b", 0, 1)), path, "bad run label");
  ASSERT_TRUE((*writer)->WriteRun(MakeRun("random", 2, 1)).ok());
  ExpectErrorNaming((*writer)->WriteRun(MakeRun("random", 2, 1)), path, "already written");
  ASSERT_TRUE((*writer)->Close().ok());
  ExpectErrorNaming((*writer)->WriteRun(MakeRun("random", 3, 1)), path, "closed");
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->runs.size(), 1u);
  EXPECT_EQ(log->runs[0].run, 2);

  EXPECT_FALSE(EpisodeLogWriter::Create(TmpPath("zero.h5"), {}, 0, true).ok());
  EXPECT_FALSE(EpisodeLogWriter::Create(TmpPath("res.h5"), {{"format", "x"}}, kDecisions, true).ok());
}

}  // namespace
}  // namespace nas
