#include "nas/search/torch/lstm_kernels.h"

#include <immintrin.h>

#include <algorithm>
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

void TransposePlain(float* dst, int ldd, const float* src, int rows, int cols) {
  for (int c = 0; c < cols; ++c)
    for (int r = 0; r < rows; ++r) dst[static_cast<int64_t>(c) * ldd + r] = src[static_cast<int64_t>(r) * cols + c];
}

// The most terms one pass of the vector AccumulateOuterSequence takes (longer sequences are split in order).
constexpr int kMaxSequence = 32;

// AVX2 (no FMA), for rows of at least 8 floats (shorter ones take the plain loops). A block is up to 8 registers
// (64 floats) of outputs held across the whole inner loop. No register reads or writes past the row's end: the
// last register of the last block starts 8 floats before the end and overlaps the one before it. Both compute
// the overlapping elements with the same operations on the same inputs (every register loads its outputs before
// any is stored), so they store the same values.
#define NAS_UNROLL _Pragma("GCC unroll 8")

// Offset of register k of a block of kRegs registers over `width` floats (8 (kRegs - 1) < width <= 8 kRegs).
template <int kRegs>
inline int Pos(int k, int width) {
  return k == kRegs - 1 ? width - 8 : 8 * k;
}

// z[0, width) += w[j * ld + .] * x[j], j in turn.
template <int kRegs>
__attribute__((target("avx2"))) void ColumnsBlock(float* z, const float* w, int ld, const float* x, int n, int width) {
  int pos[kRegs];
  NAS_UNROLL for (int k = 0; k < kRegs; ++k) pos[k] = Pos<kRegs>(k, width);
  __m256 acc[kRegs];
  NAS_UNROLL for (int k = 0; k < kRegs; ++k) acc[k] = _mm256_loadu_ps(z + pos[k]);
  for (int j = 0; j < n; ++j) {
    const __m256 xj = _mm256_set1_ps(x[j]);
    const float* wj = w + static_cast<int64_t>(j) * ld;
    NAS_UNROLL for (int k = 0; k < kRegs; ++k) acc[k] = _mm256_add_ps(acc[k], _mm256_mul_ps(_mm256_loadu_ps(wj + pos[k]), xj));
  }
  NAS_UNROLL for (int k = 0; k < kRegs; ++k) _mm256_storeu_ps(z + pos[k], acc[k]);
}

// y[0, width) += w[r * n + .] * d[r], r in turn.
template <int kRegs>
__attribute__((target("avx2"))) void RowsBlock(float* y, int n, const float* w, const float* d, int rows, int width) {
  int pos[kRegs];
  NAS_UNROLL for (int k = 0; k < kRegs; ++k) pos[k] = Pos<kRegs>(k, width);
  __m256 acc[kRegs];
  NAS_UNROLL for (int k = 0; k < kRegs; ++k) acc[k] = _mm256_loadu_ps(y + pos[k]);
  for (int r = 0; r < rows; ++r) {
    const __m256 dr = _mm256_set1_ps(d[r]);
    const float* wr = w + static_cast<int64_t>(r) * n;
    NAS_UNROLL for (int k = 0; k < kRegs; ++k) acc[k] = _mm256_add_ps(acc[k], _mm256_mul_ps(_mm256_loadu_ps(wr + pos[k]), dr));
  }
  NAS_UNROLL for (int k = 0; k < kRegs; ++k) _mm256_storeu_ps(y + pos[k], acc[k]);
}

// g[r * n + .] (columns [0, width) of the block) += v_s[.] * d_s[r] for s = 0, 1, ..., count-1 in turn, every r.
template <int kRegs>
__attribute__((target("avx2"))) void OuterBlock(float* g, int n, const float* const* d, const float* const* v,
                                                int count, int rows, int width) {
  int pos[kRegs];
  NAS_UNROLL for (int k = 0; k < kRegs; ++k) pos[k] = Pos<kRegs>(k, width);
  for (int r = 0; r < rows; ++r) {
    float* gr = g + static_cast<int64_t>(r) * n;
    __m256 acc[kRegs];
    NAS_UNROLL for (int k = 0; k < kRegs; ++k) acc[k] = _mm256_loadu_ps(gr + pos[k]);
    for (int s = 0; s < count; ++s) {
      const __m256 ds = _mm256_set1_ps(d[s][r]);
      const float* vs = v[s];
      NAS_UNROLL for (int k = 0; k < kRegs; ++k) acc[k] = _mm256_add_ps(acc[k], _mm256_mul_ps(_mm256_loadu_ps(vs + pos[k]), ds));
    }
    NAS_UNROLL for (int k = 0; k < kRegs; ++k) _mm256_storeu_ps(gr + pos[k], acc[k]);
  }
}

// Calls block<kRegs>(offset, width) over [0, count), count >= 8, in blocks of 8 to 64 floats (a block of 56
// precedes a remainder under 8).
template <typename Block>
__attribute__((target("avx2"))) inline void ForBlocks(int count, Block&& block) {
  int i = 0;
  while (count - i > 64) {
    const int step = count - i - 64 < 8 ? 56 : 64;
    if (step == 56) block(std::integral_constant<int, 7>(), i, 56);
    else block(std::integral_constant<int, 8>(), i, 64);
    i += step;
  }
  const int width = count - i;
  if (width == 0) return;
  switch ((width + 7) / 8) {
    case 1: block(std::integral_constant<int, 1>(), i, width); break;
    case 2: block(std::integral_constant<int, 2>(), i, width); break;
    case 3: block(std::integral_constant<int, 3>(), i, width); break;
    case 4: block(std::integral_constant<int, 4>(), i, width); break;
    case 5: block(std::integral_constant<int, 5>(), i, width); break;
    case 6: block(std::integral_constant<int, 6>(), i, width); break;
    case 7: block(std::integral_constant<int, 7>(), i, width); break;
    default: block(std::integral_constant<int, 8>(), i, width); break;
  }
}

__attribute__((target("avx2"))) void AccumulateColumnsAvx2(float* z, int m, const float* w, int ld, const float* x,
                                                           int n) {
  ForBlocks(m, [&](auto regs, int r, int width) { ColumnsBlock<decltype(regs)::value>(z + r, w + r, ld, x, n, width); });
}

__attribute__((target("avx2"))) void AccumulateRowsAvx2(float* y, int n, const float* w, const float* d, int rows) {
  ForBlocks(n, [&](auto regs, int j, int width) { RowsBlock<decltype(regs)::value>(y + j, n, w + j, d, rows, width); });
}

__attribute__((target("avx2"))) void AccumulateOuterSequenceAvx2(float* g, const float* const* d, int rows,
                                                                 const float* const* v, int n, int count) {
  const float* vj[kMaxSequence];
  ForBlocks(n, [&](auto regs, int j, int width) {
    for (int s = 0; s < count; ++s) vj[s] = v[s] + j;
    OuterBlock<decltype(regs)::value>(g + j, n, d, vj, count, rows, width);
  });
}

// dst[c * ldd + r] = src[r * cols + c] for an 8 x 8 block (rows r0.., columns c0..).
__attribute__((target("avx2"), always_inline)) inline void Transpose8x8(float* dst, int ldd, const float* src,
                                                                         int cols) {
  const int64_t s = cols, d = ldd;
  const __m256 r0 = _mm256_loadu_ps(src), r1 = _mm256_loadu_ps(src + s), r2 = _mm256_loadu_ps(src + 2 * s);
  const __m256 r3 = _mm256_loadu_ps(src + 3 * s), r4 = _mm256_loadu_ps(src + 4 * s);
  const __m256 r5 = _mm256_loadu_ps(src + 5 * s), r6 = _mm256_loadu_ps(src + 6 * s);
  const __m256 r7 = _mm256_loadu_ps(src + 7 * s);
  const __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
  const __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
  const __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
  const __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
  // u_i (i < 4): column i of rows 0-3 in the low half, column i + 4 in the high half; u_{i+4} the same of rows 4-7.
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  _mm256_storeu_ps(dst, _mm256_permute2f128_ps(u0, u4, 0x20));
  _mm256_storeu_ps(dst + d, _mm256_permute2f128_ps(u1, u5, 0x20));
  _mm256_storeu_ps(dst + 2 * d, _mm256_permute2f128_ps(u2, u6, 0x20));
  _mm256_storeu_ps(dst + 3 * d, _mm256_permute2f128_ps(u3, u7, 0x20));
  _mm256_storeu_ps(dst + 4 * d, _mm256_permute2f128_ps(u0, u4, 0x31));
  _mm256_storeu_ps(dst + 5 * d, _mm256_permute2f128_ps(u1, u5, 0x31));
  _mm256_storeu_ps(dst + 6 * d, _mm256_permute2f128_ps(u2, u6, 0x31));
  _mm256_storeu_ps(dst + 7 * d, _mm256_permute2f128_ps(u3, u7, 0x31));
}

__attribute__((target("avx2"))) void TransposeAvx2(float* dst, int ldd, const float* src, int rows, int cols) {
  // Overlapping 8 x 8 windows at the ends copy the same values twice.
  for (int r = 0; r < rows; r += 8) {
    const int r0 = r + 8 <= rows ? r : rows - 8;
    for (int c = 0; c < cols; c += 8) {
      const int c0 = c + 8 <= cols ? c : cols - 8;
      Transpose8x8(dst + static_cast<int64_t>(c0) * ldd + r0, ldd, src + static_cast<int64_t>(r0) * cols + c0, cols);
    }
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
  if (kAvx2 && m >= 8) AccumulateColumnsAvx2(z, m, w, ld, x, n);
  else AccumulateColumnsPlain(z, m, w, ld, x, n);
}

void AccumulateRows(float* y, int n, const float* w, const float* d, int rows) {
  if (kAvx2 && n >= 8) AccumulateRowsAvx2(y, n, w, d, rows);
  else AccumulateRowsPlain(y, n, w, d, rows);
}

void AccumulateOuter(float* g, const float* d, int rows, const float* v, int n) {
  AccumulateOuterSequence(g, &d, rows, &v, n, 1);
}

void AccumulateOuterSequence(float* g, const float* const* d, int rows, const float* const* v, int n, int count) {
  if (!kAvx2 || n < 8) {
    for (int s = 0; s < count; ++s) AccumulateOuterPlain(g, d[s], rows, v[s], n);
    return;
  }
  for (int s = 0; s < count; s += kMaxSequence)
    AccumulateOuterSequenceAvx2(g, d + s, rows, v + s, n, std::min(kMaxSequence, count - s));
}

void Transpose(float* dst, int ldd, const float* src, int rows, int cols) {
  if (kAvx2 && rows >= 8 && cols >= 8) TransposeAvx2(dst, ldd, src, rows, cols);
  else TransposePlain(dst, ldd, src, rows, cols);
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
