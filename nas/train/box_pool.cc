#include "nas/train/box_pool.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <vector>

#include "nas/util/status.h"

namespace nas {
namespace {

// The view of a tensor as planes x H x W x K floats, K innermost: channels-last is N planes with K = C; NCHW is
// N x C planes with K = 1.
struct Geometry {
  int64_t planes, h, w, k;
};

Geometry GeometryOf(const at::Tensor& x) {
  NAS_CHECK(x.dim() == 4 && x.scalar_type() == at::kFloat && x.device().is_cpu());
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  if (x.is_contiguous(at::MemoryFormat::ChannelsLast) && !x.is_contiguous()) return {n, h, w, c};
  NAS_CHECK(x.is_contiguous());
  return {n * c, h, w, 1};
}

// Sums of three along W (two at the borders): r[w] = (x[w-1] + x[w]) + x[w+1], one row of W x K floats.
// The loops are compiled for AVX2 and for the baseline, chosen at load time (target_clones); each element gets
// the same float operations in the same order on both, so the results are the same bit for bit.
#define NAS_BOX_KERNEL __attribute__((target_clones("avx2", "default")))

NAS_BOX_KERNEL void RowSums(const float* __restrict x, float* __restrict r, int64_t w, int64_t k) {
  if (w == 1) {
    for (int64_t i = 0; i < k; ++i) r[i] = x[i];
    return;
  }
  for (int64_t i = 0; i < k; ++i) r[i] = x[i] + x[k + i];
  const int64_t last = (w - 1) * k;
  for (int64_t i = k; i < last; ++i) r[i] = (x[i - k] + x[i]) + x[i + k];
  for (int64_t i = last; i < last + k; ++i) r[i] = x[i - k] + x[i];
}

// out = box sum of `in` over 3 x 3 (valid positions only) times scale[h][w] (one float per position, or all 1
// when scale is null), for every plane. `rows` is scratch of H x W x K floats.
NAS_BOX_KERNEL void BoxSum(const float* in, float* out, const Geometry& g, const float* scale, std::vector<float>& rows) {
  const int64_t row = g.w * g.k, plane = g.h * row;
  rows.resize(plane);
  float* __restrict r = rows.data();
  for (int64_t p = 0; p < g.planes; ++p) {
    const float* x = in + p * plane;
    float* __restrict y = out + p * plane;
    for (int64_t h = 0; h < g.h; ++h) RowSums(x + h * row, r + h * row, g.w, g.k);
    for (int64_t h = 0; h < g.h; ++h) {
      const float* up = h > 0 ? r + (h - 1) * row : nullptr;
      const float* mid = r + h * row;
      const float* down = h + 1 < g.h ? r + (h + 1) * row : nullptr;
      float* __restrict o = y + h * row;
      if (up && down)
        for (int64_t i = 0; i < row; ++i) o[i] = (up[i] + mid[i]) + down[i];
      else if (up)
        for (int64_t i = 0; i < row; ++i) o[i] = up[i] + mid[i];
      else if (down)
        for (int64_t i = 0; i < row; ++i) o[i] = mid[i] + down[i];
      else
        for (int64_t i = 0; i < row; ++i) o[i] = mid[i];
      if (scale)
        for (int64_t w = 0; w < g.w; ++w) {
          const float s = scale[h * g.w + w];
          for (int64_t i = 0; i < g.k; ++i) o[w * g.k + i] *= s;
        }
    }
  }
}

// 1 / (number of valid inputs of the 3x3 window at (h, w)), H x W floats.
std::vector<float> Reciprocals(int64_t height, int64_t width) {
  std::vector<float> s(height * width);
  for (int64_t h = 0; h < height; ++h)
    for (int64_t w = 0; w < width; ++w) {
      const int64_t rows = 1 + (h > 0) + (h + 1 < height), cols = 1 + (w > 0) + (w + 1 < width);
      s[h * width + w] = 1.0f / static_cast<float>(rows * cols);
    }
  return s;
}

// dst = src * scale[position], planes x H x W x K floats.
NAS_BOX_KERNEL void Scale(const float* __restrict src, float* __restrict dst, const Geometry& g, const float* scale) {
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t hw = 0; hw < g.h * g.w; ++hw) {
      const float s = scale[hw];
      const int64_t base = (p * g.h * g.w + hw) * g.k;
      for (int64_t i = 0; i < g.k; ++i) dst[base + i] = src[base + i] * s;
    }
}

class BoxAvgPool : public torch::autograd::Function<BoxAvgPool> {
 public:
  static at::Tensor forward(torch::autograd::AutogradContext*, const at::Tensor& x) {
    RECORD_FUNCTION("nas::BoxAvgPool3x3", std::vector<c10::IValue>());
    const Geometry g = GeometryOf(x);
    at::Tensor y = at::empty_like(x);
    const std::vector<float> scale = Reciprocals(g.h, g.w);
    std::vector<float> rows;
    BoxSum(x.data_ptr<float>(), y.data_ptr<float>(), g, scale.data(), rows);
    return y;
  }

  // d out(h, w) / d x(i, j) = scale(h, w) for every window (h, w) containing (i, j): the box sum of
  // grad * scale.
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext*,
                                                 torch::autograd::variable_list grads) {
    at::Tensor g_out = grads[0];
    const bool channels_last = g_out.is_contiguous(at::MemoryFormat::ChannelsLast) && !g_out.is_contiguous();
    if (!channels_last && !g_out.is_contiguous()) g_out = g_out.contiguous();
    const Geometry g = GeometryOf(g_out);
    const std::vector<float> scale = Reciprocals(g.h, g.w);
    at::Tensor scaled = at::empty_like(g_out), g_in = at::empty_like(g_out);
    float* dst = scaled.data_ptr<float>();
    Scale(g_out.data_ptr<float>(), dst, g, scale.data());
    std::vector<float> rows;
    BoxSum(dst, g_in.data_ptr<float>(), g, nullptr, rows);
    return {g_in};
  }
};

}  // namespace

at::Tensor BoxAvgPool3x3(const at::Tensor& x) {
  at::Tensor in = x;
  if (!in.is_contiguous() && !in.is_contiguous(at::MemoryFormat::ChannelsLast)) in = in.contiguous();
  return BoxAvgPool::apply(in);
}

}  // namespace nas
