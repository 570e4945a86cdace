// A log torn by a kill in the field (../shared/evidence/torn-commit.h5: a commit's rewrite of a partly filled
// chunk was cut short, so one run's Fletcher32 checksum fails): every reading command names the damaged run and
// the repair in one line; `nas recover` keeps every intact run and empties the damaged one; `nas run --resume`
// (of the recovered log, and of the damaged file itself) re-runs it and ends with the uninterrupted run's log.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/match.h"
#include "nas/log/episode_log.h"
#include "nas/log/replay.h"
#include "nas/testing/nas_cli.h"
#include "nas/testing/shared_data.h"

namespace nas {
namespace {

namespace fs = std::filesystem;
using testing::RunNas;
using testing::ScratchPath;

std::string EvidenceFile(const std::string& name) {
  for (const std::string& c : {"../shared_data/evidence/" + name, "external/shared_data/evidence/" + name})
    if (std::ifstream(c).good()) return c;
  return "";
}

void ExpectEqualsReference(const LogFile& ref, const std::string& path) {
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->runs.size(), ref.runs.size());
  // The field log's layout has no per-episode fidelity: its runs were evaluated at the search fidelity, which the
  // reference (a fresh run of the same config) records.
  ASSERT_FALSE(ref.runs.empty() || ref.runs[0].episodes.empty());
  FillUnrecordedFidelity(&*log, ref.runs[0].episodes[0].fidelity);
  // -1 is the search fidelity by definition (Evaluator::kSearchFidelity); the reference records its index.
  for (RunLog& run : log->runs)
    for (Episode& e : run.episodes)
      if (e.fidelity == -1) e.fidelity = ref.runs[0].episodes[0].fidelity;
  for (size_t i = 0; i < ref.runs.size(); ++i) {
    EXPECT_TRUE(log->runs[i].complete) << i;
    auto d = FirstDivergence(ref.runs[i], log->runs[i]);
    EXPECT_FALSE(d.has_value()) << d->ToString();
  }
}

TEST(TornLogCli, TheFieldLogIsRecoveredAndResumedKeepingEveryIntactRun) {
  const std::string evidence = EvidenceFile("torn-commit.h5");
  if (evidence.empty()) GTEST_SKIP() << "needs ../shared/evidence/torn-commit.h5 (absent on this machine)";
  NAS_REQUIRE_SHARED_FILE(csv, "nasbench201/nasbench201_cifar10.csv");
  const std::string table = ScratchPath("c10.h5"), cfg = "benchmarks/experiments/nb201_5methods.textproto";
  fs::remove(table);
  ASSERT_EQ(RunNas("import nb201-csv " + csv + " " + table).code, 0);
  const std::string torn = ScratchPath("torn.h5"), ref_path = ScratchPath("ref.h5");
  fs::copy_file(evidence, torn, fs::copy_options::overwrite_existing);
  fs::permissions(torn, fs::perms::owner_write, fs::perm_options::add);
  auto original = ReadLogKeepingIntactRuns(torn);
  ASSERT_TRUE(original.ok()) << original.status();
  int damaged = -1, complete = 0;
  for (size_t i = 0; i < original->runs.size(); ++i) {
    if (!original->runs[i].damage.empty()) {
      EXPECT_EQ(damaged, -1) << "a second damaged run: " << i;
      damaged = static_cast<int>(i);
    }
    complete += original->runs[i].complete;
  }
  ASSERT_GE(damaged, 0) << "the evidence file has no damaged run";
  EXPECT_EQ(original->runs[damaged].label, "regularized_evolution");
  EXPECT_EQ(original->runs[damaged].run, 17);
  EXPECT_EQ(complete, 77);

  for (const std::string cmd : {"inspect " + torn, "replay " + torn + " --table " + table}) {
    const testing::CliResult r = RunNas(cmd);
    EXPECT_NE(r.code, 0);
    EXPECT_TRUE(absl::StrContains(r.out, "/runs/regularized_evolution/0017/episodes: corrupt data")) << r.out;
    EXPECT_TRUE(absl::StrContains(r.out, "nas recover")) << r.out;
  }
  // Resume of the damaged file itself.
  const std::string direct = ScratchPath("direct.h5");
  fs::copy_file(torn, direct, fs::copy_options::overwrite_existing);
  ASSERT_EQ(RunNas("run " + cfg + " --table " + table + " --out " + ref_path + " --overwrite --quiet").code, 0);
  auto ref = ReadLog(ref_path);
  ASSERT_TRUE(ref.ok()) << ref.status();
  const testing::CliResult resumed = RunNas("run " + cfg + " --table " + table + " --resume " + direct + " --quiet");
  ASSERT_EQ(resumed.code, 0) << resumed.out;
  EXPECT_TRUE(absl::StrContains(resumed.out, "run regularized_evolution/17 cannot be read")) << resumed.out;
  ExpectEqualsReference(*ref, direct);

  // recover: the damaged run emptied, every other run as it was; then --resume completes it.
  const testing::CliResult recovered = RunNas("recover " + torn);
  ASSERT_EQ(recovered.code, 0) << recovered.out;
  EXPECT_TRUE(absl::StrContains(recovered.out, "1 damaged run emptied")) << recovered.out;
  auto after = ReadLog(torn);
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->runs.size(), original->runs.size());
  for (size_t i = 0; i < after->runs.size(); ++i) {
    const RunLog &a = after->runs[i], &o = original->runs[i];
    EXPECT_EQ(a.complete, o.complete) << i;
    EXPECT_EQ(a.attributes, o.attributes) << i;
    ASSERT_EQ(a.episodes.size(), o.episodes.size()) << i;
    auto d = FirstDivergence(o, a);
    EXPECT_FALSE(d.has_value()) << d->ToString();
  }
  EXPECT_TRUE(after->runs[damaged].episodes.empty());
  EXPECT_EQ(after->attributes, original->attributes);
  const testing::CliResult completed = RunNas("run " + cfg + " --table " + table + " --resume " + torn + " --quiet");
  ASSERT_EQ(completed.code, 0) << completed.out;
  ExpectEqualsReference(*ref, torn);
}

}  // namespace
}  // namespace nas
