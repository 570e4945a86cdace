// The weight-sharing methods enas and rsps end to end through PrepareExperiment and the Runner, on
// Fashion-MNIST at the embedded table's data and skeleton (8x8, 512 / 256 / 256 images, C=4, N=1), judged
// by that table (datasets/nb201_fmnist): a run twice is bit-identical (episodes and supernet weights), the
// ENAS controller's mean shared-weight reward rises over a run, the schedule and the clock are what the
// config says, the derived architecture carries the table's test accuracy, and bad input (a table of
// another skeleton, an unknown batchnorm, zero steps, a batch larger than the split, a space without a
// supernet) is refused with one line naming the field.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "nas/experiment/config.h"
#include "nas/experiment/experiment.h"
#include "nas/experiment/runner.h"
#include "nas/log/replay.h"
#include "tests/build/tiny_spec.h"

namespace nas {
namespace {

constexpr char kTable[] = "datasets/nb201_fmnist/nb201_fmnist.h5";

bool TableThere() { return ::access(kTable, R_OK) == 0; }

#define NAS_SKIP_WITHOUT_DATA()                                                                  \
  NAS_SKIP_WITHOUT_FMNIST();                                                                     \
  if (!TableThere()) GTEST_SKIP() << "the embedded table " << kTable << " is not in the checkout"

// 2 epochs of 16 minibatches; 3 controller steps of 4 architectures per epoch; 4 derived.
std::string Config(const std::string& method, const std::string& extra = "", const std::string& train_extra = "") {
  return absl::StrCat(
      "name: \"ws\"\n"
      "benchmark { train {\n"
      "  data { name: \"fashion-mnist\" train_size: 512 valid_size: 256 test_size: 256 image_size: 8 split_seed: 0 }\n"
      "  network { channels: 4 cells_per_stage: 1 bn_momentum: 0.5 }\n"
      "  epochs: 2 batch_size: 32 learning_rate: 0.1 momentum: 0.9 nesterov: true weight_decay: 5e-4 threads: 1\n",
      train_extra,
      "} }\n"
      "budget { evaluations: 100000 }\n"
      "seeds { experiment_seed: 7 runs: 1 }\n"
      "methods { name: \"", method, "\" weight_sharing { controller_steps: 3 archs_per_step: 4 derive_samples: 4 "
      "table: \"", kTable, "\" ", extra, "} }\n");
}

absl::StatusOr<RunLog> RunOnce(const std::string& text) {
  NAS_ASSIGN_OR_RETURN(proto::Experiment config, ParseExperiment(text, "test"));
  NAS_RETURN_IF_ERROR(ResolveExperiment(&config, "test"));
  NAS_ASSIGN_OR_RETURN(PreparedExperiment p, PrepareExperiment(config));
  Runner runner(p.config, *p.space, *p.evaluator, 1);
  return runner.Run(runner.Jobs()[0], nullptr);
}

absl::Status Refusal(const std::string& text) {
  auto config = ParseExperiment(text, "test");
  if (!config.ok()) return config.status();
  if (absl::Status s = ResolveExperiment(&*config, "test"); !s.ok()) return s;
  return PrepareExperiment(*config).status();
}

TEST(WeightSharing, EnasScheduleClockAndTruth) {
  NAS_SKIP_WITHOUT_DATA();
  auto log = RunOnce(Config("enas"));
  ASSERT_TRUE(log.ok()) << log.status();
  // 2 epochs x 3 steps x 4 architectures at the minibatch fidelity, then 4 on the whole validation split.
  ASSERT_EQ(log->episodes.size(), 2u * 3 * 4 + 4);
  int curve_points = 0;
  for (size_t i = 0; i < log->episodes.size(); ++i) {
    const Episode& e = log->episodes[i];
    EXPECT_EQ(e.fidelity, i < 24 ? 0 : 1) << i;
    EXPECT_LT(e.log_prob, 0) << i;
    EXPECT_GT(e.entropy, 0) << i;
    EXPECT_TRUE(std::isfinite(e.test_acc)) << i;  // the table's truth
    // The supernet epochs ride on the first episode of each epoch, with their measured seconds.
    if (i == 0 || i == 12) {
      ASSERT_EQ(e.curve.size(), 1u) << i;
      EXPECT_EQ(e.curve[0].epoch, i == 0 ? 1 : 2);
      EXPECT_GT(e.curve[0].train_time, 0);
      ++curve_points;
    } else {
      EXPECT_TRUE(e.curve.empty()) << i;
    }
  }
  EXPECT_EQ(curve_points, 2);
  // The clock: 2 supernet epochs of u each, 24 x 32 and 4 x 256 validation images at u / (3 x 512) per image.
  const double u = log->episodes[1].sim_time - log->episodes[0].sim_time;  // one minibatch score
  const double unit = u * 3 * 512 / 32;
  EXPECT_NEAR(log->episodes.back().sim_time, 2 * unit + (24 * 32 + 4 * 256) * unit / (3 * 512), 1e-9 * unit);
  // The incumbent is the best derived architecture by whole-split accuracy.
  double best = -1;
  for (size_t i = 24; i < log->episodes.size(); ++i) best = std::max(best, log->episodes[i].valid_acc);
  EXPECT_EQ(log->episodes.back().incumbent_valid, best);
}

TEST(WeightSharing, EnasTwiceIsBitIdentical) {
  NAS_SKIP_WITHOUT_DATA();
  auto a = RunOnce(Config("enas", "batchnorm: \"batch\" "));
  auto b = RunOnce(Config("enas", "batchnorm: \"batch\" "));
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  a->label = b->label;
  auto d = FirstDivergence(*a, *b);
  EXPECT_FALSE(d.has_value()) << d->ToString();
  // A different experiment seed gives a different run.
  auto c = RunOnce(absl::StrReplaceAll(Config("enas", "batchnorm: \"batch\" "), {{"experiment_seed: 7", "experiment_seed: 8"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(FirstDivergence(*a, *c).has_value());
}

TEST(WeightSharing, RspsIsUniformWithoutController) {
  NAS_SKIP_WITHOUT_DATA();
  auto log = RunOnce(Config("rsps"));
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->episodes.size(), 28u);
  for (const Episode& e : log->episodes) EXPECT_EQ(e.log_prob, 0);
}

TEST(WeightSharing, ControllerRewardRises) {
  NAS_SKIP_WITHOUT_DATA();
  // 4 epochs, 5 steps of 8 per epoch: the mean shared-weight reward of the last epoch's episodes is above
  // that of the first (the supernet and the controller both learn).
  std::string text = absl::StrReplaceAll(Config("enas"), {{"epochs: 2", "epochs: 4"},
                                                          {"controller_steps: 3 archs_per_step: 4",
                                                           "controller_steps: 5 archs_per_step: 8"}});
  auto log = RunOnce(text);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->episodes.size(), 4u * 40 + 4);
  double first = 0, last = 0;
  for (int i = 0; i < 40; ++i) first += log->episodes[i].reward / 40;
  for (int i = 120; i < 160; ++i) last += log->episodes[i].reward / 40;
  EXPECT_GT(last, first + 2.0) << "first epoch " << first << ", last epoch " << last;
}

TEST(WeightSharing, BadInputIsOneLineNamingTheField) {
  NAS_SKIP_WITHOUT_DATA();
  struct Case {
    std::string text, expect;
  };
  const Case cases[] = {
      {absl::StrReplaceAll(Config("enas"), {{"channels: 4", "channels: 8"}}), "weight_sharing.table: its skeleton"},
      {absl::StrReplaceAll(Config("enas"), {{"train_size: 512", "train_size: 256"}}), "weight_sharing.table: its data"},
      {Config("enas", "batchnorm: \"ghost\" "), "weight_sharing.batchnorm"},
      {absl::StrReplaceAll(Config("enas"), {{"controller_steps: 3", "controller_steps: -1"}}),
       "weight_sharing.controller_steps"},
      {absl::StrReplaceAll(Config("enas"), {{"controller_steps: 3", "controller_steps: 0"}}),
       "weight_sharing.controller_steps: 0"},
      {absl::StrReplaceAll(Config("rsps"), {{"derive_samples: 4", "derive_samples: 0"}}),
       "weight_sharing.derive_samples: 0"},
      {absl::StrReplaceAll(Config("rsps"), {{"derive_samples: 4", "derive_samples: 100001"}}),
       "weight_sharing.derive_samples"},
      {absl::StrReplaceAll(Config("enas"), {{"archs_per_step: 4", "archs_per_step: -2"}}),
       "weight_sharing.archs_per_step"},
      {Config("enas", "temperature: nan "), "weight_sharing.temperature"},
      {absl::StrReplaceAll(Config("enas"), {{"batch_size: 32", "batch_size: 1024"}}), "batch_size"},
      {absl::StrReplaceAll(Config("enas"), {{"benchmark { train {", "benchmark { space: \"zoph_le_cnn\" train {"}}),
       "benchmark.space: \"zoph_le_cnn\" has no supernet"},
      {absl::StrReplaceAll(Config("enas"), {{kTable, "/nonexistent/t.h5"}}), "/nonexistent/t.h5"},
  };
  for (const Case& c : cases) {
    absl::Status s = Refusal(c.text);
    EXPECT_FALSE(s.ok()) << c.expect;
    EXPECT_NE(s.message().find(c.expect), absl::string_view::npos) << s.message();
    EXPECT_EQ(s.message().find('\n'), absl::string_view::npos) << s.message();
  }
}

}  // namespace
}  // namespace nas
