// Real parallel training on one machine: a `train` experiment whose runs have 4 (simulated) workers trains
// their pending children concurrently on --threads worker threads; the log is the same for 1 and 2 threads
// in every field but wall times (Fashion-MNIST, 4 runs x 16 children, 1 epoch; skipped without Debian's
// dataset-fashion-mnist).
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "nas/log/episode_log.h"
#include "nas/log/replay.h"
#include "nas/testing/nas_cli.h"
#include "nas/testing/synthetic_table.h"
#include "tests/tools/train_config.h"

namespace nas {
namespace {

TEST(ParallelTrain, SameLogForOneAndTwoThreads) {
  NAS_SKIP_WITHOUT_FASHION_MNIST();
  const std::string cfg = testing::WriteTrainConfig(testing::ScratchPath("par_train.textproto"));
  const std::string a = testing::ScratchPath("par_train_1.h5"), b = testing::ScratchPath("par_train_2.h5");
  auto r1 = testing::RunNas("run " + cfg + " --out " + a + " --overwrite --quiet --threads 1");
  ASSERT_EQ(r1.code, 0) << r1.out;
  auto r2 = testing::RunNas("run " + cfg + " --out " + b + " --overwrite --quiet --threads 2");
  ASSERT_EQ(r2.code, 0) << r2.out;
  testing::ExpectSameLogs(a, b);
  auto log = ReadLog(b);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->runs.size(), 4u);
  for (const RunLog& run : log->runs) {
    ASSERT_EQ(run.episodes.size(), 16u);
    bool parallel = false;
    for (const Episode& e : run.episodes) {
      EXPECT_EQ(e.curve.size(), 1u);
      parallel |= e.worker > 0;
    }
    EXPECT_TRUE(parallel) << run.label << ": 4 workers should share the children";
  }
}

// `nas compare` of one experiment run with 1 and with 4 workers: in simulated wall-clock, with the speed-up.
TEST(ParallelCompare, SpeedUpOfFourWorkersOverOne) {
  const std::string table = testing::WriteSyntheticNb201Table(testing::ScratchPath("synthetic.h5"));
  auto config = [&](const std::string& workers) {
    return "name: \"par\"\nbenchmark { table: \"" + table +
           "\" dataset: \"toy\" search_epochs: 12 }\nbudget { evaluations: 100" + workers +
           " }\nseeds { experiment_seed: 3 runs: 4 }\nmethods { name: \"random\" }\n"
           "methods { name: \"regularized_evolution\" }\n";
  };
  const std::string c1 = testing::ScratchPath("par1.textproto"), c4 = testing::ScratchPath("par4.textproto");
  std::ofstream(c1) << config("");
  std::ofstream(c4) << config(" workers: 4");
  const std::string l1 = testing::ScratchPath("par1.h5"), l4 = testing::ScratchPath("par4.h5");
  ASSERT_EQ(testing::RunNas("run " + c1 + " --out " + l1 + " --overwrite --quiet").code, 0);
  ASSERT_EQ(testing::RunNas("run " + c4 + " --out " + l4 + " --overwrite --quiet").code, 0);
  auto r = testing::RunNas("compare " + l1 + " " + l4);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("sim. seconds"), std::string::npos) << r.out;
  for (const char* label : {"random", "regularized_evolution"}) {
    // | label@4 | 4 | 4 | <seconds> | <speed-up>x | ...
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex(std::string("\\| ") + label +
                                                         "@4 \\| 4 \\| 4 \\| [0-9.e+]+ \\| ([0-9.]+)x")))
        << r.out;
    const double speedup = std::stod(m[1]);
    EXPECT_GT(speedup, 3.0) << label;  // 4 workers, asynchronous: nearly 4x
    EXPECT_LE(speedup, 4.0 + 1e-9) << label;
  }
}

}  // namespace
}  // namespace nas
