// The weight-sharing methods judged beside the table searches: an ENAS / RSPS log (truth: the embedded table) and
// a random-search log on that table, charged on the same clock, go into one `nas compare`. The weight-sharing
// runs are compared on the table's benchmark at their charge, and their final row is the derived architecture's
// table test accuracy and regret, computed here from the logs. The log records the truth table's SHA-256 (file
// and contents); `nas replay` of a log whose truth table differs is refused with one line naming the log.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nas/h5/h5.h"
#include "nas/log/episode_log.h"
#include "nas/table/table.h"
#include "nas/table/table_io.h"
#include "nas/util/sha256.h"
#include "tests/build/tiny_spec.h"

namespace nas {
namespace {

using testing_build::TmpPath;

constexpr char kTable[] = "datasets/nb201_fmnist/nb201_fmnist.h5";

int Shell(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string WeightSharingConfig() {
  const std::string ws = absl::StrCat("weight_sharing { controller_steps: 2 archs_per_step: 5 derive_samples: 4 table: \"",
                                      kTable, "\" }");
  return absl::StrCat(
      "name: \"ws_compare\"\n"
      "benchmark { train {\n"
      "  data { name: \"fashion-mnist\" train_size: 512 valid_size: 256 test_size: 256 image_size: 8 }\n"
      "  network { channels: 4 cells_per_stage: 1 bn_momentum: 0.5 }\n"
      "  epochs: 2 batch_size: 32 learning_rate: 0.1 nesterov: true weight_decay: 5e-4 threads: 1\n"
      "} }\n"
      "budget { evaluations: 100000 }\n"
      "seeds { experiment_seed: 5 runs: 3 }\n"
      "methods { name: \"enas\" ",
      ws, " }\nmethods { name: \"rsps\" ", ws, " }\n");
}

TEST(EnasCompare, WeightSharingRunsCompareBesideTableSearchesOnTheSameClock) {
  NAS_SKIP_WITHOUT_FMNIST();
  if (::access(kTable, R_OK) != 0) GTEST_SKIP() << "the embedded table " << kTable << " is not in the checkout";
  const std::string ws_cfg = testing_build::WriteFile("ws.textproto", WeightSharingConfig());
  const std::string ws_log = TmpPath("ws.h5");
  ASSERT_EQ(Shell("tools/nas run " + ws_cfg + " --out " + ws_log + " --overwrite --quiet --threads 1 > /dev/null"), 0);
  auto ws = ReadLog(ws_log);
  ASSERT_TRUE(ws.ok()) << ws.status();

  // Provenance: the truth table's digests and best test accuracy.
  auto sha = Sha256File(kTable);
  ASSERT_TRUE(sha.ok());
  auto table = ReadTable(kTable);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ(ws->attributes["truth_table_sha256"], *sha);
  EXPECT_EQ(ws->attributes["truth_table_values_sha256"], (*table)->values_sha256());
  EXPECT_EQ(ws->attributes["truth_table_path"], kTable);
  EXPECT_EQ(ws->attributes["truth_dataset"], "fashion-mnist-8px");
  EXPECT_EQ(ws->attributes["truth_epochs"], "2");

  // The charge of the longest weight-sharing run; the table searches get at least that.
  double charge = 0;
  std::map<std::string, std::vector<double>> derived;  // label -> each run's final incumbent (table) test acc
  for (const RunLog& r : ws->runs) {
    ASSERT_FALSE(r.episodes.empty());
    charge = std::max(charge, r.episodes.back().sim_time);
    derived[r.label].push_back(r.episodes.back().incumbent_test);
  }
  ASSERT_GT(charge, 0);
  const std::string base_cfg = testing_build::WriteFile(
      "base.textproto", absl::StrCat("name: \"ws_compare_baselines\"\n"
                                     "benchmark { table: \"", kTable, "\" dataset: \"fashion-mnist-8px\" search_epochs: 1 "
                                     "report_epochs: 2 seed_mode: SAMPLE }\n"
                                     "budget { simulated_seconds: ", charge * 1.25, " }\n"
                                     "seeds { experiment_seed: 5 runs: 10 }\n"
                                     "methods { name: \"random\" }\n"));
  const std::string base_log = TmpPath("base.h5");
  ASSERT_EQ(Shell("tools/nas run " + base_cfg + " --out " + base_log + " --overwrite --quiet > /dev/null"), 0);

  const std::string csv = TmpPath("compare.csv");
  ASSERT_EQ(Shell("tools/nas compare " + base_log + " " + ws_log + " --budgets 50,100 --csv " + csv +
                  " --overwrite > " + TmpPath("compare.md")),
            0);
  const std::string md = ReadText(TmpPath("compare.md"));
  EXPECT_EQ(md.find("## fashion-mnist-8px"), md.rfind("## fashion-mnist-8px")) << "one benchmark:\n" << md;
  std::vector<std::string> lines = absl::StrSplit(ReadText(csv), '\n', absl::SkipEmpty());
  ASSERT_GE(lines.size(), 2u);
  const std::vector<std::string> header = absl::StrSplit(lines[0], ',');
  auto col = [&](const std::string& name) {
    return static_cast<size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  std::map<std::string, int> rows;
  double best = NAN;
  ASSERT_TRUE(absl::SimpleAtod(ws->attributes["truth_best_test_acc"], &best));
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> f = absl::StrSplit(lines[i], ',');
    ASSERT_EQ(f.size(), header.size()) << lines[i];
    EXPECT_EQ(f[col("dataset")], "fashion-mnist-8px");
    EXPECT_EQ(f[col("unit")], "simulated seconds");
    double budget = 0;
    ASSERT_TRUE(absl::SimpleAtod(f[col("budget")], &budget));
    EXPECT_NEAR(budget, charge, 1e-9 * charge) << "aligned at the weight-sharing charge";
    ++rows[f[col("label")]];
    auto d = derived.find(f[col("label")]);
    if (d == derived.end() || f[col("percent")] != "100") continue;
    double mean = 0;
    for (double v : d->second) mean += v / d->second.size();
    double test = 0, regret = 0;
    ASSERT_TRUE(absl::SimpleAtod(f[col("test_mean")], &test));
    ASSERT_TRUE(absl::SimpleAtod(f[col("regret_mean")], &regret));
    EXPECT_NEAR(test, mean, 1e-6) << f[col("label")] << ": the derived architectures' table test accuracy";
    EXPECT_NEAR(regret, best - mean, 1e-6) << f[col("label")];
    EXPECT_EQ(f[col("n")], "3");
  }
  EXPECT_EQ(rows["random"], 2);
  EXPECT_EQ(rows["enas"], 2);
  EXPECT_EQ(rows["rsps"], 2);

  // Replay checks the truth table: a log that records other contents is refused with one line.
  const std::string other = TmpPath("other_truth.h5");
  ASSERT_EQ(Shell("cp " + ws_log + " " + other), 0);
  {
    auto f = h5::File::Open(other, /*writable=*/true);
    ASSERT_TRUE(f.ok()) << f.status();
    ASSERT_TRUE(f->WriteStringAttr("/", "truth_table_values_sha256", std::string(64, 'a')).ok());
  }
  const std::string err = TmpPath("replay.err");
  EXPECT_EQ(Shell("tools/nas replay " + other + " > /dev/null 2> " + err), 1);
  const std::string message = ReadText(err);
  EXPECT_EQ(message.find("nas: " + other + ": truth_table_values_sha256: the log was made with aaaaaaaaaaaaaaaa..., " +
                         kTable + " now has " + (*table)->values_sha256().substr(0, 16)),
            0u)
      << message;
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << message;
}

}  // namespace
}  // namespace nas
