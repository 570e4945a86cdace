// Multi-fidelity search with real child training: successive halving and Hyperband (eta 3) on a tiny
// Fashion-MNIST `train` experiment (8x8 images, 256 / 128 / 128, C=4, N=1, fidelities 1..3 epochs). Every
// episode is a child trained for the epochs its proposal named (its curve has that many points, its cost is
// its share of cost_per_evaluation_s), the schedule promotes children to 3 epochs, the log replays bit for
// bit, and two runs with 1 and 2 threads give the same log. A promoted child is retrained from scratch for the
// higher fidelity (nas/search/README.md). Skipped without Debian's dataset-fashion-mnist.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "nas/log/episode_log.h"
#include "nas/testing/nas_cli.h"
#include "tests/tools/train_config.h"

namespace nas {
namespace {

std::string WriteConfig(const std::string& path) {
  std::ofstream(path) << R"(name: "mf_train"
benchmark {
  dataset: "fashion-mnist-8px"
  space: "nb201"
  cost_per_evaluation_s: 30
  train {
    data { name: "fashion-mnist" train_size: 256 valid_size: 128 test_size: 128 image_size: 8 split_seed: 1 }
    network { channels: 4 cells_per_stage: 1 bn_momentum: 0.5 }
    epochs: 3
    batch_size: 64
    learning_rate: 0.1
    momentum: 0.9
    nesterov: true
    device: "cpu"
    threads: 1
  }
}
budget { evaluations: 16 workers: 2 }
seeds { experiment_seed: 5 runs: 1 }
methods { name: "successive_halving" multi_fidelity { eta: 3 min_epochs: 1 } }
methods { name: "hyperband" multi_fidelity { eta: 3 min_epochs: 1 } }
)";
  return path;
}

TEST(MultiFidelityTrain, PromotesTrainsAtEachFidelityAndReplays) {
  NAS_SKIP_WITHOUT_FASHION_MNIST();
  const std::string cfg = WriteConfig(testing::ScratchPath("mf_train.textproto"));
  const std::string a = testing::ScratchPath("mf_train_1.h5"), b = testing::ScratchPath("mf_train_2.h5");
  auto r1 = testing::RunNas("run " + cfg + " --out " + a + " --overwrite --quiet --threads 1");
  ASSERT_EQ(r1.code, 0) << r1.out;
  auto r2 = testing::RunNas("run " + cfg + " --out " + b + " --overwrite --quiet --threads 2");
  ASSERT_EQ(r2.code, 0) << r2.out;
  testing::ExpectSameLogs(a, b);
  auto replay = testing::RunNas("replay " + a);
  EXPECT_EQ(replay.code, 0) << replay.out;

  auto log = ReadLog(a);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->runs.size(), 2u);
  for (const RunLog& run : log->runs) {
    ASSERT_EQ(run.episodes.size(), 16u) << run.label;
    std::map<int64_t, std::set<int32_t>> fidelities_of;  // architecture -> the epochs it was trained for
    std::set<int32_t> seen;
    for (const Episode& e : run.episodes) {
      ASSERT_GE(e.fidelity, 1) << run.label;
      ASSERT_LE(e.fidelity, 3) << run.label;
      EXPECT_EQ(static_cast<int32_t>(e.curve.size()), e.fidelity) << run.label << ": one curve point per epoch";
      EXPECT_DOUBLE_EQ(e.valid_acc, e.curve.back().valid_acc) << run.label;
      fidelities_of[e.arch].insert(e.fidelity);
      seen.insert(e.fidelity);
    }
    // Each child costs its share of cost_per_evaluation_s (30 s for 3 epochs): 16 full trainings on 2
    // workers would end at 240 simulated seconds.
    EXPECT_LT(run.episodes.back().sim_time, 16 * 30.0 / 2) << run.label;
    EXPECT_TRUE(seen.count(1) && seen.count(3)) << run.label << ": the lowest rung and the full fidelity";
    int promoted = 0;
    for (const auto& [arch, f] : fidelities_of) promoted += f.size() > 1;
    EXPECT_GT(promoted, 0) << run.label << ": some child trained at 1 epoch is promoted to 3";
  }
}

}  // namespace
}  // namespace nas
