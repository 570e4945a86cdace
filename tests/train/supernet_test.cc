// The NB201 supernet (nas/train/supernet.h) really implements every architecture: its weights of one
// architecture, copied into that architecture's standalone Nb201Network, give the same outputs; and a
// backward pass reaches only the architecture's operations.
#include "nas/train/supernet.h"

#include <torch/torch.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nas/train/network.h"
#include "nas/util/rng.h"

namespace nas {
namespace {

// Operation indices: 0 none, 1 skip_connect, 2 nor_conv_1x1, 3 nor_conv_3x3, 4 avg_pool_3x3.
const std::vector<std::vector<int>> kArchs = {
    {3, 3, 4, 1, 3, 1},  // |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
    {3, 3, 3, 3, 3, 3},  // every edge a 3x3 convolution
    {2, 0, 1, 0, 4, 2},  // `none` edges and a skip
    {1, 0, 1, 1, 0, 1},  // skips and `none` only: no cell parameter at all
    {0, 0, 0, 2, 3, 0},  // nodes 1 and 2 are zero
    {0, 0, 0, 0, 0, 0},  // the cell outputs zeros
};

torch::Tensor Images(uint64_t seed, int64_t n) {
  Rng rng(seed);
  torch::Tensor x = torch::empty({n, 1, 12, 12});
  float* d = x.data_ptr<float>();
  for (int64_t i = 0; i < x.numel(); ++i) d[i] = static_cast<float>(rng.Normal());
  return x;
}

SupernetConfig Tiny(bool batch_statistics) {
  SupernetConfig c;
  c.channels = 4;
  c.cells_per_stage = 2;
  c.in_channels = 1;
  c.num_classes = 10;
  c.batch_statistics = batch_statistics;
  return c;
}

Nb201Network Standalone(const std::vector<int>& ops) {
  NetworkConfig c;
  c.ops = ops;
  c.channels = 4;
  c.cells_per_stage = 2;
  c.in_channels = 1;
  c.image_size = 12;
  c.num_classes = 10;
  return Nb201Network(c);
}

// Trains the supernet's BatchNorm statistics on several architectures, so that running statistics differ
// between operations and from their initial values.
void WarmStatistics(Nb201Supernet& net) {
  torch::NoGradGuard no_grad;
  net->train();
  for (size_t a = 0; a < kArchs.size(); ++a) net->forward(Images(100 + a, 8), kArchs[a]);
}

TEST(SupernetTest, RunningStatisticsModeEqualsTheStandaloneNetwork) {
  Nb201Supernet super(Tiny(/*batch_statistics=*/false));
  super->InitWeights(7);
  WarmStatistics(super);
  const torch::Tensor x = Images(1, 6);
  for (const auto& ops : kArchs) {
    SCOPED_TRACE(::testing::PrintToString(ops));
    Nb201Network net = Standalone(ops);
    net->InitWeights(99);  // other weights, all overwritten by the copy
    super->CopyArchitectureInto(ops, *net);
    torch::NoGradGuard no_grad;
    super->eval();
    net->eval();
    const torch::Tensor a = super->forward(x, ops), b = net->forward(x);
    EXPECT_TRUE(torch::equal(a, b)) << (a - b).abs().max().item<double>();
    EXPECT_GT(a.abs().sum().item<double>(), 0.0);
    // Training mode (batch statistics everywhere) too, on a fresh copy: the running statistics change alike.
    Nb201Network fresh = Standalone(ops);
    super->CopyArchitectureInto(ops, *fresh);
    super->train();
    fresh->train();
    EXPECT_TRUE(torch::equal(super->forward(x, ops), fresh->forward(x)));
  }
}

TEST(SupernetTest, BatchStatisticsModeEqualsTheStandaloneNetworkInTraining) {
  Nb201Supernet super(Tiny(/*batch_statistics=*/true));
  super->InitWeights(8);
  WarmStatistics(super);
  const torch::Tensor x = Images(2, 6);
  for (const auto& ops : kArchs) {
    SCOPED_TRACE(::testing::PrintToString(ops));
    Nb201Network net = Standalone(ops);
    super->CopyArchitectureInto(ops, *net);
    torch::NoGradGuard no_grad;
    super->train();
    net->train();
    EXPECT_TRUE(torch::equal(super->forward(x, ops), net->forward(x)));
  }
  // The cells' BatchNorm keeps no running statistics: evaluation still normalises with the batch's.
  for (const auto& item : super->named_buffers(true)) EXPECT_EQ(item.key().find("nor_conv"), std::string::npos);
  torch::NoGradGuard no_grad;
  super->eval();
  const torch::Tensor e1 = super->forward(x, kArchs[0]);
  const torch::Tensor e2 = super->forward(x.narrow(0, 0, 3), kArchs[0]);
  EXPECT_FALSE(torch::equal(e1.narrow(0, 0, 3), e2));  // the batch's statistics differ
}

TEST(SupernetTest, GradientsReachOnlyTheArchitecturesOperations) {
  Nb201Supernet super(Tiny(false));
  super->InitWeights(3);
  const std::vector<int> ops = {2, 0, 1, 3, 4, 2};  // 1x1 on edges 1_0 and 3_2, 3x3 on edge 3_0
  super->forward(Images(4, 4), ops).sum().backward();
  int with_grad = 0;
  for (const auto& item : super->named_parameters(true)) {
    const std::string& name = item.key();
    const bool used = name.find("edge1_0_nor_conv_1x1") != std::string::npos ||
                      name.find("edge3_2_nor_conv_1x1") != std::string::npos ||
                      name.find("edge3_0_nor_conv_3x3") != std::string::npos;
    const bool in_cell = name.find("_nor_conv_") != std::string::npos;
    EXPECT_EQ(item.value().grad().defined(), !in_cell || used) << name;
    with_grad += in_cell && used;
  }
  EXPECT_EQ(with_grad, 6 * 3 * 3);  // 6 cells x 3 operations x (conv weight, bn weight, bn bias)
}

TEST(SupernetTest, InitialisationIsDeterministicPerSeed) {
  Nb201Supernet a(Tiny(false)), b(Tiny(false)), c(Tiny(false));
  a->InitWeights(5);
  b->InitWeights(5);
  c->InitWeights(6);
  const torch::Tensor x = Images(9, 4);
  EXPECT_TRUE(torch::equal(a->forward(x, kArchs[0]), b->forward(x, kArchs[0])));
  EXPECT_FALSE(torch::equal(a->forward(x, kArchs[0]), c->forward(x, kArchs[0])));
}

}  // namespace
}  // namespace nas
