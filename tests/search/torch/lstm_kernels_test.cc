// lstm_kernels: TorchAdamStep against torch::optim::Adam bit for bit, and the LSTM loops against their
// definitions written out as plain loops.
#include "nas/search/torch/lstm_kernels.h"

#include <gtest/gtest.h>
#include <torch/optim/adam.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "nas/util/rng.h"

namespace nas {
namespace {

std::vector<float> Random(Rng& rng, size_t n, double scale) {
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(scale * (2.0 * rng.Uniform01() - 1.0));
  return v;
}

bool SameBits(const float* a, const float* b, size_t n) { return std::memcmp(a, b, n * sizeof(float)) == 0; }

TEST(TorchAdamStep, BitIdenticalToLibTorchAdam) {
  if (!lstm_kernels::TorchAdamStepMatchesLibTorch())
    GTEST_SKIP() << "this CPU or ATEN_CPU_CAPABILITY selects ATen kernels without fused multiply-adds; the "
                    "controller uses torch::optim::Adam itself there";
  // 22,345: the Zoph & Le controller on NB201; the others exercise the tails of the vector loops.
  for (int64_t n : {22345, 1, 7, 8, 17, 33, 1000}) {
    for (const auto& [lr, beta1, beta2, eps] : {std::tuple{6e-4, 0.9, 0.999, 1e-8}, std::tuple{0.01, 0.5, 0.9, 1e-3}}) {
      Rng rng(static_cast<uint64_t>(n));
      torch::Tensor p = torch::empty({n}, torch::kFloat);
      const std::vector<float> init = Random(rng, n, 0.08);
      std::memcpy(p.data_ptr<float>(), init.data(), n * sizeof(float));
      p.mutable_grad() = torch::zeros({n}, torch::kFloat);
      torch::optim::Adam adam({p}, torch::optim::AdamOptions(lr).betas(std::make_tuple(beta1, beta2)).eps(eps));
      std::vector<float> mine = init, m(n, 0.0f), v(n, 0.0f);
      for (int64_t step = 1; step <= 300; ++step) {
        // Gradients over several magnitudes, some exactly zero.
        std::vector<float> g = Random(rng, n, step % 3 == 0 ? 1e-4 : 1.0);
        for (int64_t i = 0; i < n; i += 11) g[i] = 0.0f;
        std::memcpy(p.grad().data_ptr<float>(), g.data(), n * sizeof(float));
        adam.step();
        lstm_kernels::TorchAdamStep(mine.data(), g.data(), m.data(), v.data(), n, lr, beta1, beta2, eps, step);
        ASSERT_TRUE(SameBits(mine.data(), p.data_ptr<float>(), n)) << "n " << n << ", lr " << lr << ", step " << step;
      }
    }
  }
}

TEST(LstmKernels, MatchTheirDefinitions) {
  Rng rng(5);
  // Sizes on both sides of the vector blocks' boundaries (8 floats a register, 64 a block, a block of 56 before a
  // remainder under 8).
  for (int m : {1, 7, 8, 9, 35, 64, 65, 71, 72, 129, 136, 140, 300}) {
    for (int n : {1, 3, 8, 9, 35, 70, 71}) {
      const std::vector<float> w = Random(rng, static_cast<size_t>(m) * n, 0.1), x = Random(rng, n, 1.0);
      const std::vector<float> d = Random(rng, m, 1.0);
      // AccumulateColumns: z[r] += w[j * m + r] * x[j], j in turn.
      std::vector<float> z = Random(rng, m, 1.0), want = z;
      for (int j = 0; j < n; ++j)
        for (int r = 0; r < m; ++r) want[r] += w[static_cast<size_t>(j) * m + r] * x[j];
      lstm_kernels::AccumulateColumns(z.data(), m, w.data(), m, x.data(), n);
      EXPECT_TRUE(SameBits(z.data(), want.data(), m)) << "columns m " << m << " n " << n;
      // AccumulateRows: y[j] += w[r * n + j] * d[r], r in turn.
      std::vector<float> y = Random(rng, n, 1.0), want_y = y;
      for (int r = 0; r < m; ++r)
        for (int j = 0; j < n; ++j) want_y[j] += w[static_cast<size_t>(r) * n + j] * d[r];
      lstm_kernels::AccumulateRows(y.data(), n, w.data(), d.data(), m);
      EXPECT_TRUE(SameBits(y.data(), want_y.data(), n)) << "rows m " << m << " n " << n;
      // AccumulateOuter: g[r * n + j] += x[j] * d[r].
      std::vector<float> g = Random(rng, static_cast<size_t>(m) * n, 1.0), want_g = g;
      for (int r = 0; r < m; ++r)
        for (int j = 0; j < n; ++j) want_g[static_cast<size_t>(r) * n + j] += x[j] * d[r];
      lstm_kernels::AccumulateOuter(g.data(), d.data(), m, x.data(), n);
      EXPECT_TRUE(SameBits(g.data(), want_g.data(), want_g.size())) << "outer m " << m << " n " << n;
      // Transpose: dst[c * ldd + r] = w[r * n + c], into a wider destination whose other columns are kept.
      const int ldd = m + 3;
      std::vector<float> t = Random(rng, static_cast<size_t>(n) * ldd, 1.0), want_t = t;
      for (int r = 0; r < m; ++r)
        for (int c = 0; c < n; ++c) want_t[static_cast<size_t>(c) * ldd + r] = w[static_cast<size_t>(r) * n + c];
      lstm_kernels::Transpose(t.data(), ldd, w.data(), m, n);
      EXPECT_TRUE(SameBits(t.data(), want_t.data(), want_t.size())) << "transpose m " << m << " n " << n;
    }
  }
}

TEST(LstmKernels, OuterSequenceAddsEachTermInTurn) {
  Rng rng(6);
  for (int count : {1, 2, 6, 33, 70}) {  // 33 and 70: longer than one vector pass takes
    for (int m : {1, 7, 35, 140}) {
      for (int n : {3, 8, 35, 71}) {
        std::vector<std::vector<float>> d, v;
        std::vector<const float*> dp, vp;
        for (int s = 0; s < count; ++s) {
          d.push_back(Random(rng, m, 1.0));
          v.push_back(Random(rng, n, 1.0));
        }
        for (int s = 0; s < count; ++s) {
          dp.push_back(d[s].data());
          vp.push_back(v[s].data());
        }
        std::vector<float> g = Random(rng, static_cast<size_t>(m) * n, 1.0), want = g;
        for (int s = 0; s < count; ++s)
          for (int r = 0; r < m; ++r)
            for (int j = 0; j < n; ++j) want[static_cast<size_t>(r) * n + j] += v[s][j] * d[s][r];
        lstm_kernels::AccumulateOuterSequence(g.data(), dp.data(), m, vp.data(), n, count);
        EXPECT_TRUE(SameBits(g.data(), want.data(), want.size())) << "count " << count << " m " << m << " n " << n;
      }
    }
  }
}

TEST(LstmKernels, TanhIsTheCLibrarysTanhfBitForBit) {
  if (!lstm_kernels::TanhMatchesLibm())
    GTEST_SKIP() << "no AVX2, or this C library's tanhf is not the float algorithm the vector code reproduces; "
                    "Tanh calls std::tanh";
  // Every 97th bit pattern (NAS_TANH_STRIDE=1: all 2^32), in arrays of 1,000 so the overlapping last window
  // is exercised, plus short arrays and in-place calls.
  const char* env = std::getenv("NAS_TANH_STRIDE");
  const uint64_t stride = env != nullptr ? std::strtoull(env, nullptr, 10) : 97;
  std::vector<float> x(1000), y(1000), want(1000);
  uint64_t bits = 0, mismatches = 0;
  while (bits < (uint64_t{1} << 32)) {
    int n = 0;
    for (; n < 1000 && bits < (uint64_t{1} << 32); ++n, bits += stride) {
      const uint32_t b = static_cast<uint32_t>(bits);
      std::memcpy(&x[n], &b, sizeof(float));
    }
    const int len = n - static_cast<int>(bits / stride % 7);  // lengths not a multiple of 8
    for (int i = 0; i < len; ++i) want[i] = std::tanh(x[i]);
    lstm_kernels::Tanh(y.data(), x.data(), len);
    for (int i = 0; i < len; ++i) {
      if (std::memcmp(&y[i], &want[i], sizeof(float)) != 0 && !(std::isnan(y[i]) && std::isnan(want[i]))) {
        if (++mismatches <= 5) ADD_FAILURE() << "tanh(" << x[i] << ") = " << y[i] << ", want " << want[i];
      }
    }
  }
  EXPECT_EQ(mismatches, 0u);
  Rng rng(9);
  for (int n : {1, 7, 8, 9, 35, 70, 140}) {
    std::vector<float> v = Random(rng, n, 3.0), expected(n);
    for (int i = 0; i < n; ++i) expected[i] = std::tanh(v[i]);
    lstm_kernels::Tanh(v.data(), v.data(), n);
    EXPECT_TRUE(SameBits(v.data(), expected.data(), n)) << "in place, n " << n;
  }
}

}  // namespace
}  // namespace nas
