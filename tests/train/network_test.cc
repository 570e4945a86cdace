#include "nas/train/network.h"

#include <torch/torch.h>

#include "gtest/gtest.h"

namespace nas {
namespace {

// |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|
const std::vector<int> kCell = {3, 3, 4, 1, 3, 1};

NetworkConfig Tiny(std::vector<int> ops) {
  NetworkConfig c;
  c.ops = std::move(ops);
  c.channels = 4;
  c.cells_per_stage = 1;
  c.in_channels = 1;
  c.image_size = 12;
  c.num_classes = 10;
  return c;
}

TEST(NetworkTest, OutputShapeParamsAndFlopsMatchAHandCount) {
  Nb201Network net(Tiny(kCell));
  net->InitWeights(1);
  torch::Tensor y = net->forward(torch::randn({2, 1, 12, 12}));
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 10}));
  // ReLUConvBN 3x3 c->c: 9 c^2 weights + 2c BatchNorm parameters.
  auto rcb = [](int64_t ci, int64_t co) { return 9 * ci * co + 2 * co; };
  const int64_t stem = 1 * 4 * 9 + 2 * 4;
  const int64_t cells = 3 * rcb(4, 4) + 3 * rcb(8, 8) + 3 * rcb(16, 16);  // three conv3x3 edges per cell
  const int64_t reductions = rcb(4, 8) + rcb(8, 8) + 4 * 8 + rcb(8, 16) + rcb(16, 16) + 8 * 16;
  const int64_t head = 2 * 16 + 16 * 10 + 10;
  EXPECT_EQ(net->NumParams(), stem + cells + reductions + head);
  EXPECT_EQ(net->NumParams(), 14062);
  // Multiply-adds at 12x12 -> 6x6 -> 3x3.
  const int64_t flops = 1 * 4 * 9 * 144 + 3 * 16 * 9 * 144 +      // stem, stage 1
                        (4 * 8 * 9 + 64 * 9 + 4 * 8) * 36 +       // reduction 1 (shortcut at 6x6)
                        3 * 64 * 9 * 36 +                         // stage 2
                        (8 * 16 * 9 + 256 * 9 + 8 * 16) * 9 +     // reduction 2
                        3 * 256 * 9 * 9 + 16 * 10;                // stage 3, classifier
  EXPECT_EQ(net->Flops(), flops);
}

TEST(NetworkTest, AllNoneCellOutputsZero) {
  Nb201Network net(Tiny({0, 0, 0, 0, 0, 0}));
  net->InitWeights(3);
  torch::Tensor x = torch::randn({3, 1, 12, 12});
  std::vector<torch::Tensor> outs = net->BlockOutputs(x);
  ASSERT_EQ(outs.size(), 1 + net->is_cell().size());
  EXPECT_GT(outs[0].abs().sum().item<double>(), 0.0);  // the stem
  int cells = 0;
  for (size_t b = 0; b < net->is_cell().size(); ++b)
    if (net->is_cell()[b]) {
      ++cells;
      EXPECT_EQ(outs[b + 1].abs().sum().item<double>(), 0.0) << "block " << b;
    }
  EXPECT_EQ(cells, 3);
  // The logits do not depend on the input.
  torch::Tensor y = net->forward(x);
  EXPECT_TRUE(torch::equal(y[0], y[1]));
}

TEST(NetworkTest, AvgPoolExcludesPaddingAndInitIsSeeded) {
  // node1 = avg_pool(x), node2 = skip(node1), node3 = skip(node2): a constant image stays constant.
  Nb201Cell cell(std::vector<int>{4, 0, 1, 0, 0, 1}, 2);
  torch::Tensor out = cell->forward(torch::ones({1, 2, 5, 5}));
  EXPECT_TRUE(torch::allclose(out, torch::ones({1, 2, 5, 5})));

  Nb201Network a(Tiny(kCell)), b(Tiny(kCell)), c(Tiny(kCell));
  a->InitWeights(7);
  b->InitWeights(7);
  c->InitWeights(8);
  auto pa = a->parameters(), pb = b->parameters(), pc = c->parameters();
  bool all_equal_c = true;
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_TRUE(torch::equal(pa[i], pb[i]));
    if (pa[i].dim() >= 2 && !torch::equal(pa[i], pc[i])) all_equal_c = false;
  }
  EXPECT_FALSE(all_equal_c);
}

}  // namespace
}  // namespace nas
