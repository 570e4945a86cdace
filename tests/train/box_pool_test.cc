// BoxAvgPool3x3 (nas/train/box_pool.h) against ATen's avg_pool2d(3, stride 1, padding 1, count_include_pad=false):
// the same values and gradients to float rounding on every border case, bit-identical from call to call and
// between NCHW and channels-last (each element gets the same operations in both), and its memory format kept.
#include <torch/torch.h>

#include "gtest/gtest.h"
#include "nas/train/box_pool.h"

namespace nas {
namespace {

namespace F = torch::nn::functional;

torch::Tensor AtenPool(const torch::Tensor& x) {
  return F::avg_pool2d(x, F::AvgPool2dFuncOptions(3).stride(1).padding(1).count_include_pad(false));
}

bool BitEqual(const torch::Tensor& a, const torch::Tensor& b) {
  return a.sizes() == b.sizes() && torch::equal(a.contiguous(), b.contiguous());
}

TEST(BoxPoolTest, MatchesAtenValuesAndGradientsInBothFormats) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
  for (auto shape : std::vector<std::vector<int64_t>>{{2, 3, 5, 7}, {3, 16, 8, 8}, {1, 4, 1, 1}, {2, 5, 1, 6},
                                                       {2, 8, 2, 2}, {4, 1, 9, 4}}) {
    for (bool channels_last : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "shape " << shape[0] << "x" << shape[1] << "x" << shape[2] << "x"
                                        << shape[3] << (channels_last ? " channels-last" : " NCHW"));
      torch::Tensor base = at::normal(0.0, 1.0, shape, gen);
      torch::Tensor upstream = at::normal(0.0, 1.0, shape, gen);
      if (channels_last) {
        base = base.contiguous(torch::MemoryFormat::ChannelsLast);
        upstream = upstream.contiguous(torch::MemoryFormat::ChannelsLast);
      }
      torch::Tensor a = base.clone().requires_grad_(), b = base.clone().requires_grad_();
      torch::Tensor ours = BoxAvgPool3x3(a), theirs = AtenPool(b);
      EXPECT_TRUE(torch::allclose(ours, theirs, 1e-6, 1e-6));
      if (channels_last && shape[1] > 1 && shape[2] * shape[3] > 1) {
        EXPECT_TRUE(ours.is_contiguous(torch::MemoryFormat::ChannelsLast));
      }
      ours.backward(upstream);
      theirs.backward(upstream);
      EXPECT_TRUE(torch::allclose(a.grad(), b.grad(), 1e-6, 1e-6));

      // The same operations in either format: bit for bit, and from call to call.
      torch::Tensor other = channels_last ? base.contiguous() : base.contiguous(torch::MemoryFormat::ChannelsLast);
      EXPECT_TRUE(BitEqual(BoxAvgPool3x3(other), ours.detach()));
      EXPECT_TRUE(BitEqual(BoxAvgPool3x3(base), ours.detach()));
    }
  }
}

TEST(BoxPoolTest, TakesANonContiguousInput) {
  torch::Tensor x = torch::arange(2 * 3 * 6 * 6, torch::kFloat).reshape({2, 3, 6, 6}).transpose(2, 3);
  ASSERT_FALSE(x.is_contiguous());
  EXPECT_TRUE(torch::allclose(BoxAvgPool3x3(x), AtenPool(x), 1e-6, 1e-5));
}

}  // namespace
}  // namespace nas
