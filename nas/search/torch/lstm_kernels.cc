#include "nas/search/torch/lstm_kernels.h"

#include <immintrin.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <type_traits>

namespace nas::lstm_kernels {
namespace {

const bool kAvx2 = __builtin_cpu_supports("avx2");
const bool kFma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");

// The plain loops: the definition of every kernel.
void AccumulateColumnsPlain(float* z, int m, const float* w, int ld, const float* x, int n) {
  for (int j = 0; j < n; ++j)
    for (int r = 0; r < m; ++r) z[r] += w[static_cast<int64_t>(j) * ld + r] * x[j];
}

void AccumulateRowsPlain(float* y, int n, const float* w, const float* d, int rows) {
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < n; ++j) y[j] += w[static_cast<int64_t>(r) * n + j] * d[r];
}

void AccumulateOuterPlain(float* g, const float* d, int rows, const float* v, int n) {
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < n; ++j) g[static_cast<int64_t>(r) * n + j] += v[j] * d[r];
}

// AVX2 (no FMA). A block is up to 8 registers (64 floats) of outputs held across the whole inner loop; the
// last register of the last block loads and stores only the lanes that exist (masked), so no element takes a
// scalar path.
__attribute__((target("avx2"))) inline __m256i TailMask(int lanes) {
  const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(lanes), index);
}

template <int kRegs>
__attribute__((target("avx2"))) inline __m256 LoadBlock(const float* p, int k, __m256i mask, bool masked) {
  return masked && k == kRegs - 1 ? _mm256_maskload_ps(p + 8 * k, mask) : _mm256_loadu_ps(p + 8 * k);
}

// z[0, 8 kRegs) (the last `lanes` of the last register, all 8 when lanes == 8) += w[j * ld + .] * x[j], j in turn.
template <int kRegs>
__attribute__((target("avx2"))) void ColumnsBlock(float* z, const float* w, int ld, const float* x, int n, int lanes) {
  const bool masked = lanes < 8;
  const __m256i mask = TailMask(lanes);
  __m256 acc[kRegs];
  for (int k = 0; k < kRegs; ++k) acc[k] = LoadBlock<kRegs>(z, k, mask, masked);
  for (int j = 0; j < n; ++j) {
    const __m256 xj = _mm256_set1_ps(x[j]);
    const float* wj = w + static_cast<int64_t>(j) * ld;
    for (int k = 0; k < kRegs; ++k) acc[k] = _mm256_add_ps(acc[k], _mm256_mul_ps(LoadBlock<kRegs>(wj, k, mask, masked), xj));
  }
  for (int k = 0; k < kRegs; ++k) {
    if (masked && k == kRegs - 1) _mm256_maskstore_ps(z + 8 * k, mask, acc[k]);
    else _mm256_storeu_ps(z + 8 * k, acc[k]);
  }
}

// y[0, 8 kRegs) (masked as above) += w[r * n + .] * d[r], r in turn.
template <int kRegs>
__attribute__((target("avx2"))) void RowsBlock(float* y, int n, const float* w, const float* d, int rows, int lanes) {
  const bool masked = lanes < 8;
  const __m256i mask = TailMask(lanes);
  __m256 acc[kRegs];
  for (int k = 0; k < kRegs; ++k) acc[k] = LoadBlock<kRegs>(y, k, mask, masked);
  for (int r = 0; r < rows; ++r) {
    const __m256 dr = _mm256_set1_ps(d[r]);
    const float* wr = w + static_cast<int64_t>(r) * n;
    for (int k = 0; k < kRegs; ++k) acc[k] = _mm256_add_ps(acc[k], _mm256_mul_ps(LoadBlock<kRegs>(wr, k, mask, masked), dr));
  }
  for (int k = 0; k < kRegs; ++k) {
    if (masked && k == kRegs - 1) _mm256_maskstore_ps(y + 8 * k, mask, acc[k]);
    else _mm256_storeu_ps(y + 8 * k, acc[k]);
  }
}

// Calls block<kRegs>(offset, lanes) over [0, count) in blocks of 64 floats, the last one ceil(rest / 8)
// registers with `lanes` valid lanes in its last register.
template <typename Block>
__attribute__((target("avx2"))) inline void ForBlocks(int count, Block&& block) {
  int i = 0;
  for (; i + 64 <= count; i += 64) block(std::integral_constant<int, 8>(), i, 8);
  const int rest = count - i;
  if (rest == 0) return;
  const int regs = (rest + 7) / 8, lanes = rest - 8 * (regs - 1);
  switch (regs) {
    case 1: block(std::integral_constant<int, 1>(), i, lanes); break;
    case 2: block(std::integral_constant<int, 2>(), i, lanes); break;
    case 3: block(std::integral_constant<int, 3>(), i, lanes); break;
    case 4: block(std::integral_constant<int, 4>(), i, lanes); break;
    case 5: block(std::integral_constant<int, 5>(), i, lanes); break;
    case 6: block(std::integral_constant<int, 6>(), i, lanes); break;
    case 7: block(std::integral_constant<int, 7>(), i, lanes); break;
    default: block(std::integral_constant<int, 8>(), i, lanes); break;
  }
}

__attribute__((target("avx2"))) void AccumulateColumnsAvx2(float* z, int m, const float* w, int ld, const float* x,
                                                           int n) {
  ForBlocks(m, [&](auto regs, int r, int lanes) { ColumnsBlock<decltype(regs)::value>(z + r, w + r, ld, x, n, lanes); });
}

__attribute__((target("avx2"))) void AccumulateRowsAvx2(float* y, int n, const float* w, const float* d, int rows) {
  ForBlocks(n, [&](auto regs, int j, int lanes) { RowsBlock<decltype(regs)::value>(y + j, n, w + j, d, rows, lanes); });
}

__attribute__((target("avx2"))) void AccumulateOuterAvx2(float* g, const float* d, int rows, const float* v, int n) {
  const int full = n / 8 * 8;
  const __m256i mask = TailMask(n - full);
  const __m256 v_tail = _mm256_maskload_ps(v + full, mask);
  for (int r = 0; r < rows; ++r) {
    float* gr = g + static_cast<int64_t>(r) * n;
    const __m256 dv = _mm256_set1_ps(d[r]);
    for (int j = 0; j < full; j += 8)
      _mm256_storeu_ps(gr + j, _mm256_add_ps(_mm256_loadu_ps(gr + j), _mm256_mul_ps(_mm256_loadu_ps(v + j), dv)));
    if (full < n)
      _mm256_maskstore_ps(gr + full, mask, _mm256_add_ps(_mm256_maskload_ps(gr + full, mask), _mm256_mul_ps(v_tail, dv)));
  }
}

struct AdamScalars {
  float beta1, one_minus_beta1, beta2, one_minus_beta2, sqrt_bias2, eps, neg_step_size;
};

AdamScalars Scalars(double lr, double beta1, double beta2, double eps, int64_t step) {
  const double bias1 = 1 - std::pow(beta1, static_cast<double>(step));
  const double bias2 = 1 - std::pow(beta2, static_cast<double>(step));
  return {static_cast<float>(beta1),          static_cast<float>(1 - beta1), static_cast<float>(beta2),
          static_cast<float>(1 - beta2),      static_cast<float>(std::sqrt(bias2)), static_cast<float>(eps),
          static_cast<float>(-(lr / bias1))};
}

__attribute__((target("avx2,fma"))) void AdamAvx2(float* p, const float* g, float* m, float* v, int64_t n,
                                                  const AdamScalars& s) {
  const __m256 b1 = _mm256_set1_ps(s.beta1), a1 = _mm256_set1_ps(s.one_minus_beta1);
  const __m256 b2 = _mm256_set1_ps(s.beta2), a2 = _mm256_set1_ps(s.one_minus_beta2);
  const __m256 sq = _mm256_set1_ps(s.sqrt_bias2), eps = _mm256_set1_ps(s.eps), step = _mm256_set1_ps(s.neg_step_size);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 gi = _mm256_loadu_ps(g + i);
    const __m256 mi = _mm256_fmadd_ps(gi, a1, _mm256_mul_ps(_mm256_loadu_ps(m + i), b1));
    const __m256 vi = _mm256_fmadd_ps(_mm256_mul_ps(a2, gi), gi, _mm256_mul_ps(_mm256_loadu_ps(v + i), b2));
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
    const __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vi), sq), eps);
    _mm256_storeu_ps(p + i, _mm256_add_ps(_mm256_loadu_ps(p + i), _mm256_div_ps(_mm256_mul_ps(step, mi), denom)));
  }
  for (; i < n; ++i) {
    m[i] = std::fmaf(g[i], s.one_minus_beta1, m[i] * s.beta1);
    v[i] = std::fmaf(s.one_minus_beta2 * g[i], g[i], v[i] * s.beta2);
    const float denom = std::sqrt(v[i]) / s.sqrt_bias2 + s.eps;
    p[i] = p[i] + (s.neg_step_size * m[i]) / denom;
  }
}

}  // namespace

void AccumulateColumns(float* z, int m, const float* w, int ld, const float* x, int n) {
  if (kAvx2) AccumulateColumnsAvx2(z, m, w, ld, x, n);
  else AccumulateColumnsPlain(z, m, w, ld, x, n);
}

void AccumulateRows(float* y, int n, const float* w, const float* d, int rows) {
  if (kAvx2) AccumulateRowsAvx2(y, n, w, d, rows);
  else AccumulateRowsPlain(y, n, w, d, rows);
}

void AccumulateOuter(float* g, const float* d, int rows, const float* v, int n) {
  if (kAvx2) AccumulateOuterAvx2(g, d, rows, v, n);
  else AccumulateOuterPlain(g, d, rows, v, n);
}

bool TorchAdamStepMatchesLibTorch() {
  const char* capability = std::getenv("ATEN_CPU_CAPABILITY");
  return kFma && (capability == nullptr || std::strcmp(capability, "default") != 0);
}

void TorchAdamStep(float* p, const float* g, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
                   double eps, int64_t step) {
  const AdamScalars s = Scalars(lr, beta1, beta2, eps, step);
  if (kFma) {
    AdamAvx2(p, g, m, v, n, s);
    return;
  }
  for (int64_t i = 0; i < n; ++i) {  // the same arithmetic, fmaf in software
    m[i] = std::fmaf(g[i], s.one_minus_beta1, m[i] * s.beta1);
    v[i] = std::fmaf(s.one_minus_beta2 * g[i], g[i], v[i] * s.beta2);
    const float denom = std::sqrt(v[i]) / s.sqrt_bias2 + s.eps;
    p[i] = p[i] + (s.neg_step_size * m[i]) / denom;
  }
}

}  // namespace nas::lstm_kernels
