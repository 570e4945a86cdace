// Zoph & Le macro children: the network built from a zoph_le_cnn architecture, bit-identical training on
// Fashion-MNIST, the memory refusal, and the analytic NB201 costs against the LibTorch network's own counts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "nas/experiment/evaluator.h"
#include "nas/space/nb201_cost.h"
#include "nas/space/nb201_space.h"
#include "nas/space/zoph_le_space.h"
#include "nas/train/datasets.h"
#include "nas/train/macro_network.h"
#include "nas/train/network.h"
#include "nas/train/trainer.h"
#include "nas/util/rng.h"

namespace nas {
namespace {

using ::testing::HasSubstr;

const char kArch[] = "3x3-24|5x1-36<0|1x7-24|3x3-48<1,2";

TEST(ZophLeNetwork, ShapesParamsAndFlops) {
  ZophLeSpace space(4);
  auto arch = space.Parse(kArch);
  ASSERT_TRUE(arch.ok());
  MacroNetworkConfig config;
  config.layers = space.Decode(*arch);
  config.in_channels = 1;
  config.image_size = 14;
  ZophLeNetwork net(config);
  net->InitWeights(3);
  // Layer 0 feeds 1, layers 1 and 2 feed 3: only layer 3 feeds the classifier. Layers 0 and 2 read the image.
  EXPECT_EQ(ZophLeSpace::OutputLayers(config.layers), std::vector<int>{3});
  const int64_t convs = 1 * 24 * 9 + 24 * 36 * 5 + 1 * 24 * 7 + (36 + 24) * 48 * 9;
  const int64_t bns = 2 * (24 + 36 + 24 + 48);
  EXPECT_EQ(net->NumParams(), convs + bns + 48 * 10 + 10);
  EXPECT_EQ(net->Flops(), convs * 14 * 14 + 48 * 10);
  torch::Tensor y = net->forward(torch::zeros({2, 1, 14, 14}));
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 10}));
}

TEST(ZophLeNetwork, EverySinkFeedsTheClassifier) {
  ZophLeSpace space(3);
  auto arch = space.Parse("1x1-24|3x3-36|5x5-48<0");
  ASSERT_TRUE(arch.ok());
  MacroNetworkConfig config;
  config.layers = space.Decode(*arch);
  ZophLeNetwork net(config);
  // Sinks: layers 1 and 2 -> 36 + 48 classifier inputs.
  EXPECT_EQ(net->NumParams(), (3 * 24 + 3 * 36 * 9 + 24 * 48 * 25) + 2 * (24 + 36 + 48) + 84 * 10 + 10);
  EXPECT_EQ(net->forward(torch::zeros({1, 3, 8, 8})).sizes(), (std::vector<int64_t>{1, 10}));
}

TEST(Nb201Cost, AnalyticCountsEqualTheNetworks) {
  Nb201Space space;
  Rng rng(5);
  for (int i = 0; i < 12; ++i) {
    const Actions ops = i == 0 ? Actions(6, 0) : (i == 1 ? Actions(6, 3) : space.Sample(rng));
    for (int classes : {10, 100}) {
      NetworkConfig config;
      config.ops = ops;
      config.num_classes = classes;
      Nb201Network net(config);
      Nb201Skeleton s;
      s.num_classes = classes;
      EXPECT_EQ(Nb201Params(ops, s), net->NumParams()) << space.ToString(ops);
      EXPECT_EQ(Nb201Flops(ops, s), net->Flops()) << space.ToString(ops);
    }
  }
  // NB201's published extremes for CIFAR-10 (C = 16, N = 5): 0.0733 M (all none) and 1.5315 M (all 3x3).
  EXPECT_EQ(Nb201Params(Actions(6, 0), Nb201Skeleton()), 73306);
  EXPECT_EQ(Nb201Params(Actions(6, 3), Nb201Skeleton()), 1531546);
}

proto::TrainSpec MacroSpec() {
  proto::TrainSpec spec;
  spec.mutable_data()->set_name("fashion-mnist");
  spec.mutable_data()->set_train_size(256);
  spec.mutable_data()->set_valid_size(128);
  spec.mutable_data()->set_test_size(128);
  spec.mutable_data()->set_image_size(12);
  spec.set_epochs(2);
  spec.set_batch_size(64);
  spec.set_nesterov(true);
  spec.mutable_network()->set_bn_momentum(0.5);
  return spec;
}

TEST(MacroTraining, FashionMnistRunIsBitIdentical) {
  if (!std::ifstream(std::string(kDebianFashionMnistDir) + "/train-images-idx3-ubyte.gz").good())
    GTEST_SKIP() << "Debian's dataset-fashion-mnist is not installed (" << kDebianFashionMnistDir
                 << "); tools/build/setup.sh installs it";
  proto::TrainSpec spec = MacroSpec();
  ASSERT_TRUE(ResolveTrainSpec(&spec).ok()) << ResolveTrainSpec(&spec);
  auto data = LoadDataset(spec.data());
  ASSERT_TRUE(data.ok()) << data.status();
  ZophLeSpace space(4);
  auto arch = space.Parse(kArch);
  ASSERT_TRUE(arch.ok());
  auto a = TrainChild(space, *arch, spec, **data, 21);
  auto b = TrainChild(space, *arch, spec, **data, 21);
  auto c = TrainChild(space, *arch, spec, **data, 22);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok()) << a.status();
  ASSERT_EQ(a->epochs.size(), 2u);
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_EQ(a->epochs[e].train_loss, b->epochs[e].train_loss);
    EXPECT_EQ(a->epochs[e].valid_acc, b->epochs[e].valid_acc);
    EXPECT_EQ(a->epochs[e].test_loss, b->epochs[e].test_loss);
  }
  EXPECT_EQ(a->weights_sha256, b->weights_sha256);
  EXPECT_NE(a->weights_sha256, c->weights_sha256);
  EXPECT_GT(a->params_m, 0);
  // It learns: the second epoch's training loss is below the first's and below chance (ln 10 = 2.30).
  EXPECT_LT(a->epochs[1].train_loss, a->epochs[0].train_loss);
  EXPECT_LT(a->epochs[1].train_loss, 2.30);
}

TEST(MacroTraining, TooLargeForMemoryIsRefusedBeforeTraining) {
  const TrainEvaluatorFactory* factory = FindTrainEvaluator();
  ASSERT_NE(factory, nullptr);
  proto::Benchmark b;
  b.set_space("zoph_le_cnn");
  b.mutable_space_params()->set_layers(15);
  *b.mutable_train() = MacroSpec();
  b.mutable_train()->mutable_data()->set_name("cifar10");
  b.mutable_train()->mutable_data()->set_path("/nonexistent");  // never read: refused first
  b.mutable_train()->mutable_data()->set_image_size(0);
  b.mutable_train()->mutable_data()->set_train_size(1000);
  b.mutable_train()->mutable_data()->set_valid_size(1000);
  b.mutable_train()->set_batch_size(4096);
  ZophLeSpace space(15);
  auto ev = (*factory)(b, space);
  ASSERT_FALSE(ev.ok());
  EXPECT_THAT(std::string(ev.status().message()), HasSubstr("benchmark.space_params.layers"));
  EXPECT_THAT(std::string(ev.status().message()), HasSubstr("GiB"));
  // The estimate grows with depth and batch.
  EXPECT_GT(EstimateMacroTrainingMemory(15, 256, 3, 32, 10).total(), EstimateMacroTrainingMemory(6, 256, 3, 32, 10).total());
  EXPECT_GT(EstimateMacroTrainingMemory(6, 512, 3, 32, 10).total(), EstimateMacroTrainingMemory(6, 256, 3, 32, 10).total());
}

}  // namespace
}  // namespace nas
