// The controller learns: on the real NAS-Bench-201 CIFAR-10 table, the Zoph & Le controller with its
// paper hyperparameters (benchmarks/experiments/nb201_reinforce_long.textproto: 10 runs x 1,000 evaluations)
// learns: over the runs, the mean reward of the last 100 episodes beats the first 100, and the policy's
// entropy falls.
#include <gtest/gtest.h>

#include <mutex>

#include "nas/experiment/config.h"
#include "nas/experiment/runner.h"
#include "nas/experiment/table_evaluator.h"
#include "nas/space/nb201_space.h"
#include "nas/table/nb201_csv.h"
#include "nas/testing/shared_data.h"

namespace nas {
namespace {

double MeanOver(const RunLog& r, size_t begin, size_t end, double Episode::*field) {
  double s = 0;
  for (size_t i = begin; i < end; ++i) s += r.episodes[i].*field;
  return s / (end - begin);
}

TEST(ControllerLearns, ZophLeOnNb201Cifar10) {
  NAS_REQUIRE_SHARED_FILE(csv, "nasbench201/nasbench201_cifar10.csv");
  auto config = ReadExperimentFile("benchmarks/experiments/nb201_reinforce_long.textproto");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(ResolveExperiment(&*config, "nb201_reinforce_long").ok());
  ASSERT_EQ(config->methods(0).reinforce().policy(), proto::ReinforceParams::LSTM);
  ASSERT_EQ(config->budget().evaluations(), 1000);
  auto table = ImportNb201Csv(csv, "cifar10-valid");
  ASSERT_TRUE(table.ok()) << table.status();
  Nb201Space space;
  auto evaluator = TableEvaluator::Create(**table, space, config->benchmark(), false);
  ASSERT_TRUE(evaluator.ok()) << evaluator.status();
  Runner runner(*config, space, *evaluator);
  double first_reward = 0, last_reward = 0, first_entropy = 0, last_entropy = 0;
  int improved = 0;
  const auto jobs = runner.Jobs();
  ASSERT_EQ(jobs.size(), 10u);
  std::mutex mu;
  Runner::Callbacks callbacks;
  callbacks.finished = [&](int, const RunLog& r) {
                            std::lock_guard<std::mutex> lock(mu);
                            const double f = MeanOver(r, 0, 100, &Episode::reward);
                            const double l = MeanOver(r, 900, 1000, &Episode::reward);
                            first_reward += f / 10, last_reward += l / 10;
                            improved += l > f;
                            first_entropy += MeanOver(r, 0, 100, &Episode::entropy) / 10;
                            last_entropy += MeanOver(r, 900, 1000, &Episode::entropy) / 10;
                            return absl::OkStatus();
                          };
  ASSERT_TRUE(runner.RunAll(jobs, 2, callbacks).ok());
  std::printf("mean reward first 100 %.3f, last 100 %.3f; entropy %.3f -> %.3f; %d of 10 runs improved\n",
              first_reward, last_reward, first_entropy, last_entropy, improved);
  EXPECT_GT(last_reward, first_reward + 3.0);
  EXPECT_LT(last_entropy, first_entropy - 1.0);
  EXPECT_GE(improved, 9);
}

// Zoph & Le's synchronous batches: m = 8 children per update, evaluated by 8 parallel workers (simulated on
// the table, told in finish order). The controller still learns in every run.
TEST(ControllerLearns, BatchOfEightOnEightWorkers) {
  NAS_REQUIRE_SHARED_FILE(csv, "nasbench201/nasbench201_cifar10.csv");
  auto config = ReadExperimentFile("benchmarks/experiments/nb201_reinforce_long.textproto");
  ASSERT_TRUE(config.ok()) << config.status();
  config->mutable_methods(0)->mutable_reinforce()->set_batch_size(8);
  config->mutable_budget()->set_workers(8);
  ASSERT_TRUE(ResolveExperiment(&*config, "nb201_reinforce_long").ok());
  auto table = ImportNb201Csv(csv, "cifar10-valid");
  ASSERT_TRUE(table.ok()) << table.status();
  Nb201Space space;
  auto evaluator = TableEvaluator::Create(**table, space, config->benchmark(), false);
  ASSERT_TRUE(evaluator.ok()) << evaluator.status();
  Runner runner(*config, space, *evaluator);
  const auto jobs = runner.Jobs();
  ASSERT_EQ(jobs.size(), 10u);
  std::mutex mu;
  std::vector<std::pair<double, double>> first_last;
  Runner::Callbacks callbacks;
  callbacks.finished = [&](int, const RunLog& r) {
    EXPECT_EQ(r.episodes.size(), 1000u);
    std::lock_guard<std::mutex> lock(mu);
    first_last.emplace_back(MeanOver(r, 0, 100, &Episode::reward), MeanOver(r, 900, 1000, &Episode::reward));
    return absl::OkStatus();
  };
  ASSERT_TRUE(runner.RunAll(jobs, 2, callbacks).ok());
  ASSERT_EQ(first_last.size(), 10u);
  for (const auto& [first, last] : first_last) {
    std::printf("m = 8: mean reward first 100 %.3f, last 100 %.3f\n", first, last);
    EXPECT_GT(last, first);
  }
}

}  // namespace
}  // namespace nas
