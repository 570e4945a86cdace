#include "nas/train/trainer.h"

#include <cmath>
#include <cstdio>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nas/space/nb101_space.h"
#include "nas/space/nb201_space.h"
#include "nas/train/datasets.h"
#include "nas/train/network.h"
#include "nas/util/rng.h"
#include "nas/util/status.h"

namespace nas {
namespace {

using ::testing::HasSubstr;

const char kArch[] = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

proto::TrainSpec TinySpec(const std::string& dataset) {
  proto::TrainSpec spec;
  spec.mutable_data()->set_name(dataset);
  if (dataset == "cifar10") spec.mutable_data()->set_path("/synthetic");
  spec.mutable_data()->set_train_size(300);
  spec.mutable_data()->set_valid_size(100);
  spec.mutable_data()->set_test_size(100);
  spec.mutable_data()->set_image_size(12);
  spec.mutable_network()->set_channels(4);
  spec.mutable_network()->set_cells_per_stage(1);
  spec.set_epochs(1);
  spec.set_batch_size(64);
  spec.set_nesterov(true);
  return spec;
}

std::shared_ptr<const Dataset> SyntheticData(const proto::TrainSpec& spec) {
  RawImages train, test;
  for (RawImages* raw : {&train, &test}) {
    raw->count = raw == &train ? 400 : 100;
    raw->channels = 3;
    raw->height = raw->width = 16;
    for (int64_t i = 0; i < raw->count; ++i) {
      const int label = static_cast<int>((i * 37) % 10);
      raw->labels.push_back(label);
      for (int k = 0; k < 3 * 256; ++k) raw->pixels.push_back(static_cast<uint8_t>((k * (label + 1) + i) % 256));
    }
  }
  auto data = MakeDataset(spec.data(), train, test, 10);
  NAS_CHECK(data.ok());
  return *data;
}

void ExpectIdentical(const TrainResult& a, const TrainResult& b) {
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (size_t e = 0; e < a.epochs.size(); ++e) {
    EXPECT_EQ(a.epochs[e].train_loss, b.epochs[e].train_loss);
    EXPECT_EQ(a.epochs[e].train_acc, b.epochs[e].train_acc);
    EXPECT_EQ(a.epochs[e].valid_loss, b.epochs[e].valid_loss);
    EXPECT_EQ(a.epochs[e].valid_acc, b.epochs[e].valid_acc);
    EXPECT_EQ(a.epochs[e].test_loss, b.epochs[e].test_loss);
    EXPECT_EQ(a.epochs[e].test_acc, b.epochs[e].test_acc);
  }
  EXPECT_EQ(a.weights_sha256, b.weights_sha256);
  EXPECT_EQ(a.weights_sha256.size(), 64u);
}

TEST(ResolveTrainSpecTest, DefaultsAndFieldNames) {
  proto::TrainSpec spec;
  spec.mutable_data()->set_name("fashion-mnist");
  spec.set_epochs(2);
  ASSERT_TRUE(ResolveTrainSpec(&spec).ok());
  EXPECT_EQ(spec.network().channels(), 16);
  EXPECT_EQ(spec.network().cells_per_stage(), 5);
  EXPECT_EQ(spec.batch_size(), 256);
  EXPECT_EQ(spec.learning_rate(), 0.1);
  EXPECT_EQ(spec.momentum(), 0.9);
  EXPECT_EQ(spec.weight_decay(), 5e-4);
  EXPECT_EQ(spec.device(), "cpu");
  EXPECT_EQ(spec.threads(), 1);

  proto::TrainSpec bad = spec;
  bad.set_epochs(0);
  EXPECT_THAT(std::string(ResolveTrainSpec(&bad).message()), HasSubstr("epochs"));
  bad = spec;
  bad.set_device("tpu");
  EXPECT_THAT(std::string(ResolveTrainSpec(&bad).message()), HasSubstr("device"));
  bad = spec;
  bad.set_learning_rate(std::nan(""));
  EXPECT_THAT(std::string(ResolveTrainSpec(&bad).message()), HasSubstr("learning_rate"));
  bad = spec;
  bad.mutable_network()->set_channels(-1);
  EXPECT_THAT(std::string(ResolveTrainSpec(&bad).message()), HasSubstr("network.channels"));
}

// NetworkSpec.channels_last: another memory format of the same network (same parameter count and FLOPs),
// bit-identical from run to run, learning as NCHW does; NCHW stays the default.
TEST(TrainChildTest, ChannelsLastIsDeterministicAndTrainsTheSameNetwork) {
  proto::TrainSpec spec = TinySpec("cifar10");
  spec.set_epochs(3);
  ASSERT_TRUE(ResolveTrainSpec(&spec).ok());
  EXPECT_FALSE(spec.network().channels_last());
  proto::TrainSpec cl = spec;
  cl.mutable_network()->set_channels_last(true);
  ASSERT_TRUE(ResolveTrainSpec(&cl).ok());
  auto data = SyntheticData(spec);
  Nb201Space space;
  auto arch = space.Parse(kArch);
  ASSERT_TRUE(arch.ok());
  auto nchw = TrainChild(space, *arch, spec, *data, 1);
  auto a = TrainChild(space, *arch, cl, *data, 1);
  auto b = TrainChild(space, *arch, cl, *data, 1);
  ASSERT_TRUE(nchw.ok() && a.ok() && b.ok()) << a.status();
  ExpectIdentical(*a, *b);
  EXPECT_EQ(a->params_m, nchw->params_m);
  EXPECT_EQ(a->flops_m, nchw->flops_m);
  // The same training up to float rounding: the first epoch's loss agrees closely, and both learn.
  EXPECT_NEAR(a->epochs[0].train_loss, nchw->epochs[0].train_loss, 0.05 * nchw->epochs[0].train_loss);
  EXPECT_LT(a->epochs.back().train_loss, a->epochs.front().train_loss);
  EXPECT_LT(nchw->epochs.back().train_loss, nchw->epochs.front().train_loss);
}

// ToChannelsLast(net, all_weights): channels-last strides also for the weight whose shape leaves the layout
// ambiguous (the stem of a 1-channel input) only with all_weights; the values never change.
TEST(TrainChildTest, ChannelsLastAllWeightsCoversTheOneChannelStem) {
  NetworkConfig config;
  config.ops = {1, 1, 1, 1, 1, 1};
  config.channels = 4;
  config.cells_per_stage = 1;
  config.in_channels = 1;
  config.image_size = 8;
  for (bool all_weights : {false, true}) {
    Nb201Network net(config);
    net->InitWeights(1);
    const torch::Tensor before = net->named_parameters()["stem_conv.weight"].clone();
    ASSERT_EQ(before.dim(), 4);
    ASSERT_EQ(before.size(1), 1);
    ToChannelsLast(*net, all_weights);
    const torch::Tensor after = net->named_parameters()["stem_conv.weight"];
    EXPECT_TRUE(torch::equal(before, after));
    // Channels-last strides put the channel dimension innermost (stride 1); NCHW strides give it k x k.
    EXPECT_EQ(after.stride(1) == 1, all_weights) << "all_weights " << all_weights;
    EXPECT_EQ(after.suggest_memory_format() == torch::MemoryFormat::ChannelsLast, all_weights);
    for (const torch::Tensor& p : net->parameters())
      if (p.dim() == 4 && p.size(1) > 1) EXPECT_TRUE(p.is_contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

TEST(TrainChildTest, SyntheticRunIsBitIdenticalAndSeedMatters) {
  proto::TrainSpec spec = TinySpec("cifar10");
  ASSERT_TRUE(ResolveTrainSpec(&spec).ok());
  auto data = SyntheticData(spec);
  Nb201Space space;
  auto arch = space.Parse(kArch);
  ASSERT_TRUE(arch.ok());
  auto a = TrainChild(space, *arch, spec, *data, 1);
  auto b = TrainChild(space, *arch, spec, *data, 1);
  auto c = TrainChild(space, *arch, spec, *data, 2);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok()) << a.status();
  ExpectIdentical(*a, *b);
  EXPECT_NE(a->weights_sha256, c->weights_sha256);
  EXPECT_EQ(a->device, "cpu");
  EXPECT_GT(a->params_m, 0);
  EXPECT_GT(a->flops_m, 0);
}

TEST(TrainChildTest, CudaWithoutCudaIsAClearError) {
  proto::TrainSpec spec = TinySpec("cifar10");
  spec.set_device("cuda");
  ASSERT_TRUE(ResolveTrainSpec(&spec).ok());
  auto data = SyntheticData(spec);
  Nb201Space space;
  auto r = TrainChild(space, Actions{3, 3, 4, 1, 3, 1}, spec, *data, 1);
  if (CudaAvailable()) {
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->device.rfind("cuda", 0), 0u);
    auto again = TrainChild(space, Actions{3, 3, 4, 1, 3, 1}, spec, *data, 1);
    ASSERT_TRUE(again.ok());
    ExpectIdentical(*r, *again);
    return;
  }
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("device: \"cuda\""));
}

TEST(TrainChildTest, RejectsOtherSpaces) {
  proto::TrainSpec spec = TinySpec("cifar10");
  ASSERT_TRUE(ResolveTrainSpec(&spec).ok());
  auto data = SyntheticData(spec);
  Nb201Space space;
  auto invalid = TrainChild(space, Actions{3, 3, 9, 1, 3, 1}, spec, *data, 1);
  ASSERT_FALSE(invalid.ok());
  EXPECT_THAT(std::string(invalid.status().message()), HasSubstr("arch: not a valid nb201 architecture"));
  // A space without a registered child network: one line listing the spaces that have one.
  Nb101Space nb101;
  Rng rng(3);
  auto other = TrainChild(nb101, nb101.Sample(rng), spec, *data, 1);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(other.status().message()),
              HasSubstr("space: no child network is registered for \"nb101\" (spaces with one: nb201, zoph_le_cnn)"));
  EXPECT_EQ(std::string(other.status().message()).find('\n'), std::string::npos);
  EXPECT_FALSE(CheckTrainable(nb101, spec).ok());
  EXPECT_TRUE(CheckTrainable(space, spec).ok());
}

// 300 Fashion-MNIST training images at 12x12 (14 is not a multiple of 4, which the skeleton's two
// stride-2 reductions need), C=4, N=1, one epoch.
TEST(TrainChildTest, FashionMnistRunIsBitIdentical) {
  if (!std::ifstream(std::string(kDebianFashionMnistDir) + "/train-images-idx3-ubyte.gz").good())
    GTEST_SKIP() << "Debian's dataset-fashion-mnist is not installed (" << kDebianFashionMnistDir
                 << "); tools/build/setup.sh installs it";
  proto::TrainSpec spec = TinySpec("fashion-mnist");
  ASSERT_TRUE(ResolveTrainSpec(&spec).ok());
  auto data = LoadDataset(spec.data());
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ((*data)->channels(), 1);
  EXPECT_EQ((*data)->image_size(), 12);
  Nb201Space space;
  auto arch = space.Parse(kArch);
  ASSERT_TRUE(arch.ok());
  auto a = TrainChild(space, *arch, spec, **data, 11);
  auto b = TrainChild(space, *arch, spec, **data, 11);
  auto c = TrainChild(space, *arch, spec, **data, 12);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok()) << a.status();
  ExpectIdentical(*a, *b);
  EXPECT_NE(a->weights_sha256, c->weights_sha256);
  // Five SGD steps: BatchNorm's running statistics (momentum 0.1) are far from converged, so no accuracy bound.
  EXPECT_GE(a->epochs[0].valid_acc, 0.0);
  EXPECT_LE(a->epochs[0].valid_acc, 100.0);
}

}  // namespace
}  // namespace nas
