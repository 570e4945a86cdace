// Reward design: defaults and errors, the exact formulas, and the end-to-end check: on the NB201 CIFAR-10 CSV,
// REINFORCE with an efficiency reward (params target 0.4 M) ends on smaller architectures than with the plain
// reward, as `nas compare --pareto`'s figures show.
#include "nas/experiment/reward.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "nas/analysis/pareto.h"
#include "nas/experiment/config.h"
#include "nas/experiment/runner.h"
#include "nas/experiment/table_evaluator.h"
#include "nas/space/nb201_space.h"
#include "nas/table/nb201_csv.h"
#include "nas/testing/shared_data.h"
#include "nas/util/status.h"

namespace nas {
namespace {

using ::testing::HasSubstr;

proto::Benchmark WithReward(const std::string& text) {
  auto e = ParseExperiment(absl::StrCat("benchmark { table: \"t.h5\" dataset: \"d\" ", text,
                                        " } budget { evaluations: 5 } seeds { runs: 1 } methods { name: \"random\" }"),
                           "test");
  EXPECT_TRUE(e.ok()) << e.status();
  absl::Status s = ResolveExperiment(&*e, "cfg");
  EXPECT_TRUE(s.ok()) << s;
  return e->benchmark();
}

TEST(Reward, AbsentIsTheValidationAccuracyAndKeepsTheResolvedText) {
  proto::Benchmark b = WithReward("");
  EXPECT_FALSE(b.has_reward());
  Evaluation e;
  e.valid_acc = 91.23456789;
  auto r = ComputeReward(b, e);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::memcmp(&r->reward, &e.valid_acc, sizeof(double)), 0);
  EXPECT_TRUE(std::isnan(r->cost));
}

// Space parameters are the space's own (nas/space/space.h): defaults filled in, ranges checked, fixed spaces
// refuse them, unknown spaces list the registered ones; all before any I/O.
TEST(SpaceParams, ResolvedByTheSpaceRegistration) {
  auto resolve = [](const std::string& benchmark) -> absl::StatusOr<proto::Benchmark> {
    auto e = ParseExperiment(absl::StrCat("benchmark { ", benchmark,
                                          " train { data { name: \"fashion-mnist\" path: \"/nonexistent\" } } }"
                                          " budget { evaluations: 5 } seeds { runs: 1 } methods { name: \"random\" }"),
                             "test");
    if (!e.ok()) return e.status();
    NAS_RETURN_IF_ERROR(ResolveExperiment(&*e, "cfg"));
    return e->benchmark();
  };
  auto zoph = resolve("space: \"zoph_le_cnn\"");
  ASSERT_TRUE(zoph.ok()) << zoph.status();
  EXPECT_EQ(zoph->space_params().layers(), 6);
  auto deep = resolve("space: \"zoph_le_cnn\" space_params { layers: 12 }");
  ASSERT_TRUE(deep.ok()) << deep.status();
  EXPECT_EQ(deep->space_params().layers(), 12);
  auto too_deep = resolve("space: \"zoph_le_cnn\" space_params { layers: 40 }");
  ASSERT_FALSE(too_deep.ok());
  EXPECT_THAT(std::string(too_deep.status().message()),
              HasSubstr("cfg: benchmark.space_params.layers: 40 (must be in 1..32)"));
  auto nb201 = resolve("space: \"nb201\"");
  ASSERT_TRUE(nb201.ok()) << nb201.status();
  EXPECT_FALSE(nb201->has_space_params());
  auto fixed = resolve("space: \"nb201\" space_params { }");
  ASSERT_FALSE(fixed.ok());
  EXPECT_THAT(std::string(fixed.status().message()), HasSubstr("space 'nb201' takes no parameters"));
  auto unknown = resolve("space: \"nb999\"");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("cfg: benchmark.space: unknown search space 'nb999'"));
  EXPECT_THAT(std::string(unknown.status().message()), HasSubstr("zoph_le_cnn"));
}

TEST(Reward, Formulas) {
  Evaluation e;
  e.valid_acc = 80;
  e.params_m = 0.8;
  auto cube = ComputeReward(WithReward("reward { transform: CUBE }"), e);
  ASSERT_TRUE(cube.ok());
  EXPECT_DOUBLE_EQ(cube->reward, 100 * 0.8 * 0.8 * 0.8);
  proto::Benchmark mnas = WithReward("reward { cost: PARAMS target: 0.4 }");
  EXPECT_EQ(mnas.reward().exponent(), -0.07);
  auto m = ComputeReward(mnas, e);
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ(m->reward, 80 * std::pow(2.0, -0.07));
  EXPECT_EQ(m->cost, 0.8);
  EXPECT_EQ(m->accuracy, 80);
  // Max over the last k epochs of a trained child's curve.
  proto::Benchmark last2 = mnas;
  last2.mutable_reward()->set_max_last_epochs(2);
  last2.mutable_train();
  e.curve.resize(3);
  e.curve[0].valid_acc = 90, e.curve[1].valid_acc = 85, e.curve[2].valid_acc = 80;
  auto k = ComputeReward(last2, e);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->accuracy, 85);
  // A cost this architecture lacks names the field.
  e.params_m = NAN;
  auto missing = ComputeReward(mnas, e);
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("benchmark.reward.cost: params_m"));
}

TEST(Reward, BadBlocksNameTheField) {
  for (auto [text, field] : {std::make_pair("reward { cost: FLOPS }", "benchmark.reward.target"),
                             std::make_pair("reward { target: 3 }", "benchmark.reward.target/exponent"),
                             std::make_pair("reward { max_last_epochs: -1 }", "benchmark.reward.max_last_epochs")}) {
    auto e = ParseExperiment(absl::StrCat("benchmark { table: \"t.h5\" dataset: \"d\" ", text,
                                          " } budget { evaluations: 5 } seeds { runs: 1 } methods { name: \"random\" }"),
                             "test");
    ASSERT_TRUE(e.ok());
    absl::Status s = ResolveExperiment(&*e, "cfg");
    ASSERT_FALSE(s.ok()) << text;
    EXPECT_THAT(std::string(s.message()), HasSubstr(field));
  }
  proto::Benchmark latency = WithReward("reward { cost: LATENCY target: 5 }");
  absl::Status s = CheckRewardCost(latency, true, true, false, "the table");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()), HasSubstr("benchmark.reward.cost: LATENCY needs latency_ms"));
  proto::Benchmark k = WithReward("reward { max_last_epochs: 3 }");
  EXPECT_THAT(std::string(CheckRewardCost(k, true, true, false, "t").message()), HasSubstr("needs trained children"));
}

// 5 runs x 300 evaluations of the LSTM controller on one experiment's reward, as a log for ParetoFronts.
analysis::NamedLog Search(const Table& table, const std::string& reward, const std::string& label) {
  auto config = ParseExperiment(
      absl::StrCat("name: \"", label, "\" benchmark { table: \"csv\" dataset: \"cifar10-valid\" ", reward,
                   " } budget { evaluations: 300 } seeds { experiment_seed: 5 runs: 5 } methods { name: "
                   "\"reinforce\" label: \"", label, "\" reinforce { policy: LSTM learning_rate: 0.01 } }"),
      label);
  EXPECT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(ResolveExperiment(&*config, label).ok());
  static const Nb201Space space;
  auto evaluator = TableEvaluator::Create(table, space, config->benchmark(), false);
  EXPECT_TRUE(evaluator.ok()) << evaluator.status();
  EXPECT_TRUE(evaluator->has_params());
  EXPECT_TRUE(CheckRewardCost(config->benchmark(), evaluator->has_params(), evaluator->has_flops(), false, "t").ok());
  Runner runner(*config, space, *evaluator);
  analysis::NamedLog named{label};
  named.log.attributes["config"] = ExperimentToText(*config);
  named.log.attributes["table_sha256"] = "nb201-cifar10-csv";
  std::mutex mu;
  Runner::Callbacks cb;
  cb.finished = [&](int, const RunLog& r) {
    std::lock_guard<std::mutex> lock(mu);
    named.log.runs.push_back(r);
    return absl::OkStatus();
  };
  EXPECT_TRUE(runner.RunAll(runner.Jobs(), 2, cb).ok());
  std::sort(named.log.runs.begin(), named.log.runs.end(),
            [](const RunLog& a, const RunLog& b) { return a.run < b.run; });
  return named;
}

TEST(Reward, EfficiencyRewardFindsSmallerArchitecturesOnNb201Cifar10) {
  NAS_REQUIRE_SHARED_FILE(csv, "nasbench201/nasbench201_cifar10.csv");
  auto table = ImportNb201Csv(csv, "cifar10-valid");
  ASSERT_TRUE(table.ok()) << table.status();
  std::vector<analysis::NamedLog> logs = {
      Search(**table, "", "reinforce_plain"),
      Search(**table, "reward { cost: PARAMS target: 0.4 exponent: -0.2 }", "reinforce_params")};
  // The efficiency log keeps the raw accuracy and the cost next to the reward.
  const Episode& e = logs[1].log.runs[0].episodes[10];
  EXPECT_NEAR(e.reward, e.valid_acc * std::pow(e.params_m / 0.4, -0.2), 1e-9);
  EXPECT_EQ(e.cost, e.params_m);
  EXPECT_TRUE(std::isnan(logs[0].log.runs[0].episodes[10].cost));
  EXPECT_FALSE(std::isnan(logs[0].log.runs[0].episodes[10].params_m));

  auto fronts = analysis::ParetoFronts(logs, "params_m");
  ASSERT_TRUE(fronts.ok()) << fronts.status();
  ASSERT_EQ(fronts->size(), 1u);
  std::printf("%s", analysis::FormatParetoMarkdown(*fronts).c_str());
  const analysis::MethodPareto &plain = (*fronts)[0].methods[0], &efficient = (*fronts)[0].methods[1];
  ASSERT_EQ(plain.label, "reinforce_plain");
  EXPECT_LT(efficient.late_mean_cost, 0.8 * plain.late_mean_cost);
  EXPECT_LT(efficient.median_cost, plain.median_cost);
  // The efficient search reaches the small end of the front: its cheapest front point is cheaper.
  EXPECT_LT(efficient.front.front().cost, plain.front.front().cost + 1e-12);
}

TEST(Pareto, FrontAndHypervolume) {
  std::vector<analysis::ParetoPoint> pts = {{1, 80, 0}, {2, 85, 1}, {2, 70, 2}, {3, 84, 3}, {4, 90, 4}, {0.5, 60, 5}};
  auto front = analysis::ParetoFront(pts);
  ASSERT_EQ(front.size(), 4u);
  EXPECT_EQ(front[0].arch, 5);
  EXPECT_EQ(front[1].arch, 0);
  EXPECT_EQ(front[2].arch, 1);
  EXPECT_EQ(front[3].arch, 4);
  // Reference (5, 50): 0.5 * 10 + 1 * 30 + 2 * 35 + 1 * 40.
  EXPECT_DOUBLE_EQ(analysis::Hypervolume(front, 5, 50), 5 + 30 + 70 + 40);
}

}  // namespace
}  // namespace nas
