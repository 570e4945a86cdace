// Training and evaluating the supernet's shared weights (nas/train/shared_weights.h) on real Fashion-MNIST:
// bit-identical twice, learning, the schedule's end, and the spec's bad input naming the field.
#include "nas/train/shared_weights.h"

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nas/train/datasets.h"
#include "nas/train/trainer.h"

namespace nas {
namespace {

using ::testing::HasSubstr;

const std::vector<std::vector<int>> kArchs = {{3, 3, 4, 1, 3, 1}, {2, 0, 1, 0, 4, 2}, {1, 0, 1, 1, 0, 1}};

proto::SupernetSpec TinySpec(const std::string& batchnorm) {
  proto::SupernetSpec spec;
  proto::TrainSpec* t = spec.mutable_train();
  t->mutable_data()->set_name("fashion-mnist");
  t->mutable_data()->set_train_size(640);
  t->mutable_data()->set_valid_size(256);
  t->mutable_data()->set_test_size(64);
  t->mutable_data()->set_image_size(12);
  t->mutable_network()->set_channels(4);
  t->mutable_network()->set_cells_per_stage(1);
  t->mutable_network()->set_bn_momentum(0.5);  // 30 steps: the running statistics must settle fast
  t->set_epochs(3);
  t->set_batch_size(64);
  t->set_learning_rate(0.05);
  t->set_nesterov(true);
  spec.set_batchnorm(batchnorm);
  return spec;
}

bool HaveFashionMnist() {
  return std::ifstream(std::string(kDebianFashionMnistDir) + "/train-images-idx3-ubyte.gz").good();
}
#define SKIP_WITHOUT_FASHION_MNIST()                                                                        \
  if (!HaveFashionMnist())                                                                                  \
  GTEST_SKIP() << "Debian's dataset-fashion-mnist is not installed (" << kDebianFashionMnistDir << "/"      \
               << "train-images-idx3-ubyte.gz); tools/build/setup.sh installs it"

struct UniformRun {
  double untrained = 0;  // kArchs[0] on the whole validation split before training
  std::vector<SupernetEpoch> epochs;
  std::vector<double> valid;  // per kArchs, whole validation split
  double first_batch = 0;     // kArchs[0] on validation images [0, 64)
  std::string sha;
};

UniformRun TrainUniform(const proto::SupernetSpec& spec, std::shared_ptr<const Dataset> data, uint64_t seed) {
  UniformRun run;
  auto weights = SharedWeights::Create(spec, data, seed);
  EXPECT_TRUE(weights.ok()) << weights.status();
  if (!weights.ok()) return run;
  EXPECT_EQ((*weights)->steps_per_epoch(), 10);
  EXPECT_EQ((*weights)->device(), "cpu");
  run.untrained = (*weights)->ValidAccuracy(kArchs[0]).value_or(-1);
  for (int e = 0; e < spec.train().epochs(); ++e) {
    auto epoch = (*weights)->TrainEpochUniform();
    EXPECT_TRUE(epoch.ok()) << epoch.status();
    if (epoch.ok()) run.epochs.push_back(*epoch);
  }
  for (const auto& arch : kArchs) run.valid.push_back((*weights)->ValidAccuracy(arch).value_or(-1));
  run.first_batch = (*weights)->ValidAccuracy(kArchs[0], 0, 64).value_or(-1);
  run.sha = (*weights)->WeightsSha256();
  // The schedule is complete.
  EXPECT_EQ((*weights)->TrainEpochUniform().status().code(), absl::StatusCode::kFailedPrecondition);
  return run;
}

void ExpectIdentical(const UniformRun& a, const UniformRun& b) {
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (size_t e = 0; e < a.epochs.size(); ++e) {
    EXPECT_EQ(a.epochs[e].train_loss, b.epochs[e].train_loss);
    EXPECT_EQ(a.epochs[e].train_acc, b.epochs[e].train_acc);
    EXPECT_EQ(a.epochs[e].steps, b.epochs[e].steps);
  }
  EXPECT_EQ(a.untrained, b.untrained);
  EXPECT_EQ(a.valid, b.valid);
  EXPECT_EQ(a.first_batch, b.first_batch);
  EXPECT_EQ(a.sha, b.sha);
  EXPECT_EQ(a.sha.size(), 64u);
}

TEST(SharedWeightsTest, UniformTrainingIsBitIdenticalTwiceAndLearns) {
  SKIP_WITHOUT_FASHION_MNIST();
  for (const std::string mode : {"running", "batch"}) {
    SCOPED_TRACE(mode);
    proto::SupernetSpec spec = TinySpec(mode);
    ASSERT_TRUE(ResolveSupernetSpec(&spec).ok());
    auto data = LoadDataset(spec.train().data());
    ASSERT_TRUE(data.ok()) << data.status();
    const UniformRun a = TrainUniform(spec, *data, 11), b = TrainUniform(spec, *data, 11);
    ExpectIdentical(a, b);
    const UniformRun c = TrainUniform(spec, *data, 12);
    EXPECT_NE(a.sha, c.sha);
    ASSERT_EQ(a.epochs.size(), 3u);
    EXPECT_LT(a.epochs[2].train_loss, a.epochs[0].train_loss);
    // Ten classes: chance is 10%. After 30 steps of uniformly sampled architectures the shared weights lift
    // the 3x3-convolution cell clearly above it and above its untrained accuracy.
    EXPECT_GT(a.valid[0], 15.0);
    EXPECT_GT(a.valid[0], a.untrained + 5.0);
    for (double v : a.valid) EXPECT_TRUE(v >= 0 && v <= 100) << v;
  }
}

TEST(SharedWeightsTest, TrainEpochUsesTheSamplersArchitectures) {
  SKIP_WITHOUT_FASHION_MNIST();
  proto::SupernetSpec spec = TinySpec("running");
  ASSERT_TRUE(ResolveSupernetSpec(&spec).ok());
  auto data = LoadDataset(spec.train().data());
  ASSERT_TRUE(data.ok()) << data.status();
  auto weights = SharedWeights::Create(spec, *data, 3);
  ASSERT_TRUE(weights.ok()) << weights.status();
  std::vector<int64_t> steps;
  auto epoch = (*weights)->TrainEpoch([&steps](int64_t step) {
    steps.push_back(step);
    return kArchs[step % 2];
  });
  ASSERT_TRUE(epoch.ok()) << epoch.status();
  EXPECT_EQ(steps, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(epoch->epoch, 1);
  EXPECT_EQ(epoch->steps, 10);
  EXPECT_EQ((*weights)->epochs_done(), 1);
  // An architecture outside the space is an error, not a crash.
  auto bad = (*weights)->TrainEpoch([](int64_t) { return std::vector<int>{0, 1, 2, 3, 4, 5}; });
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("arch"));
  EXPECT_FALSE((*weights)->ValidAccuracy({0, 1, 2}).ok());
  EXPECT_THAT(std::string((*weights)->ValidAccuracy(kArchs[0], 200, 100).status().message()),
              HasSubstr("validation split of 256"));
}

TEST(ResolveSupernetSpecTest, DefaultsAndFieldNames) {
  proto::SupernetSpec spec;
  spec.mutable_train()->mutable_data()->set_name("fashion-mnist");
  spec.mutable_train()->set_epochs(2);
  ASSERT_TRUE(ResolveSupernetSpec(&spec).ok());
  EXPECT_EQ(spec.batchnorm(), "running");
  EXPECT_EQ(spec.train().batch_size(), 256);
  EXPECT_EQ(spec.train().network().channels(), 16);

  proto::SupernetSpec bad = TinySpec("batch_stats");
  absl::Status s = ResolveSupernetSpec(&bad);
  EXPECT_EQ(std::string(s.message()), "batchnorm: \"batch_stats\" (known: running, batch)");
  bad = TinySpec("batch");
  bad.mutable_train()->set_epochs(0);
  EXPECT_THAT(std::string(ResolveSupernetSpec(&bad).message()), HasSubstr("train.epochs"));
  bad = TinySpec("batch");
  bad.mutable_train()->set_batch_size(1000);
  EXPECT_THAT(std::string(ResolveSupernetSpec(&bad).message()), HasSubstr("train.batch_size: 1000 exceeds"));
  bad = TinySpec("running");
  bad.mutable_train()->set_device("tpu");
  EXPECT_THAT(std::string(ResolveSupernetSpec(&bad).message()), HasSubstr("train.device"));
  // The supernet computes every edge as the authors do: SHARED_RELU is refused, ATEN accepted.
  bad = TinySpec("running");
  bad.mutable_train()->mutable_network()->set_cell_kernels(proto::NetworkSpec::SHARED_RELU);
  EXPECT_THAT(std::string(ResolveSupernetSpec(&bad).message()),
              HasSubstr("train.network.cell_kernels: SHARED_RELU is for the standalone nb201 network"));
  proto::SupernetSpec aten = TinySpec("running");
  aten.mutable_train()->mutable_network()->set_cell_kernels(proto::NetworkSpec::ATEN);
  EXPECT_TRUE(ResolveSupernetSpec(&aten).ok());
}

}  // namespace
}  // namespace nas
