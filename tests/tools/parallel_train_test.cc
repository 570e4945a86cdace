// Real parallel training on one machine: a `train` experiment whose runs have 4 (simulated) workers trains
// their pending children concurrently on --threads worker threads; the log is the same for 1 and 2 threads
// in every field but wall times (Fashion-MNIST, 4 runs x 16 children, 1 epoch; skipped without Debian's
// dataset-fashion-mnist).
#include <gtest/gtest.h>

#include "nas/log/episode_log.h"
#include "nas/log/replay.h"
#include "nas/testing/nas_cli.h"
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

}  // namespace
}  // namespace nas
