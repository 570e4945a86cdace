// lstm_kernels::Tanh: glibc 2.36's tanhf, eight lanes at a time. glibc computes tanhf in float arithmetic
// (fdlibm's algorithm: tanh from expm1f, expm1f by argument reduction k ln2 + r, a rational approximation on r and
// a scaling by 2^k); this file performs the same float operations in the same order on each lane, so each
// lane's result has the same bits. Lanes outside the range the vector code covers (|x| < 2^-55, |x| >= 22,
// infinities, NaN) take the scalar std::tanh. Whether the C library's tanhf is that algorithm is checked once
// at start-up on probe values covering every branch (TanhMatchesLibm); if not, Tanh calls std::tanh throughout.
#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>

#include "nas/search/torch/lstm_kernels.h"

namespace nas::lstm_kernels {
namespace {

__attribute__((target("avx2"))) inline __m256 Bits(int32_t bits) {
  return _mm256_castsi256_ps(_mm256_set1_epi32(bits));
}

// expm1f(x) for lanes with 2^-54 <= |x| < 44 (the arguments tanhf passes for 2^-55 < |x| < 22).
__attribute__((target("avx2"))) __m256 Expm1(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f), half = _mm256_set1_ps(0.5f);
  const __m256i hx = _mm256_and_si256(_mm256_castps_si256(x), _mm256_set1_epi32(0x7fffffff));
  const __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
  const __m256 ln2_hi = Bits(0x3f317180), ln2_lo = Bits(0x3717f7d1), invln2 = Bits(0x3fb8aa3b);

  // Argument reduction: |x| > ln2 / 2 reduces; |x| < 1.5 ln2 by exactly one ln2.
  const __m256 reduce = _mm256_castsi256_ps(_mm256_cmpgt_epi32(hx, _mm256_set1_epi32(0x3eb17218)));
  const __m256 by_one = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(0x3F851592), hx));
  // k = (int)(invln2 x +- 0.5), truncated; t = (float)k.
  const __m256 rounding = _mm256_blendv_ps(half, _mm256_set1_ps(-0.5f), negative);
  __m256i k = _mm256_cvttps_epi32(_mm256_add_ps(_mm256_mul_ps(invln2, x), rounding));
  const __m256 t_k = _mm256_cvtepi32_ps(k);
  __m256 hi = _mm256_sub_ps(x, _mm256_mul_ps(t_k, ln2_hi));
  __m256 lo = _mm256_mul_ps(t_k, ln2_lo);
  // |x| < 1.5 ln2: hi = x -+ ln2_hi, lo = +-ln2_lo, k = +-1.
  const __m256 hi1 = _mm256_blendv_ps(_mm256_sub_ps(x, ln2_hi), _mm256_add_ps(x, ln2_hi), negative);
  const __m256 lo1 = _mm256_blendv_ps(ln2_lo, _mm256_sub_ps(_mm256_setzero_ps(), ln2_lo), negative);
  const __m256i k1 = _mm256_blendv_epi8(_mm256_set1_epi32(1), _mm256_set1_epi32(-1), _mm256_castps_si256(negative));
  const __m256 use1 = _mm256_and_ps(reduce, by_one);
  hi = _mm256_blendv_ps(hi, hi1, use1);
  lo = _mm256_blendv_ps(lo, lo1, use1);
  k = _mm256_blendv_epi8(k, k1, _mm256_castps_si256(use1));
  k = _mm256_and_si256(k, _mm256_castps_si256(reduce));  // k = 0 without reduction
  const __m256 xr = _mm256_sub_ps(hi, lo);
  const __m256 c = _mm256_sub_ps(_mm256_sub_ps(hi, xr), lo);
  const __m256 tiny = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(0x33000000), hx));  // |x| < 2^-25
  const __m256 x_in = x;
  x = _mm256_blendv_ps(x, xr, reduce);

  const __m256 hfx = _mm256_mul_ps(half, x);
  const __m256 hxs = _mm256_mul_ps(x, hfx);
  __m256 p = _mm256_mul_ps(hxs, Bits(static_cast<int32_t>(0xb457edbb)));   // Q5
  p = _mm256_mul_ps(hxs, _mm256_add_ps(Bits(0x36867e54), p));                // Q4
  p = _mm256_mul_ps(hxs, _mm256_add_ps(Bits(static_cast<int32_t>(0xb8a670cd)), p));  // Q3
  p = _mm256_mul_ps(hxs, _mm256_add_ps(Bits(0x3ad00d01), p));                // Q2
  p = _mm256_mul_ps(hxs, _mm256_add_ps(Bits(static_cast<int32_t>(0xbd088889)), p));  // Q1
  const __m256 r1 = _mm256_add_ps(one, p);
  const __m256 t = _mm256_sub_ps(_mm256_set1_ps(3.0f), _mm256_mul_ps(r1, hfx));
  __m256 e = _mm256_mul_ps(
      hxs, _mm256_div_ps(_mm256_sub_ps(r1, t), _mm256_sub_ps(_mm256_set1_ps(6.0f), _mm256_mul_ps(x, t))));
  const __m256 result_k0 = _mm256_sub_ps(x, _mm256_sub_ps(_mm256_mul_ps(x, e), hxs));

  e = _mm256_sub_ps(_mm256_mul_ps(x, _mm256_sub_ps(e, c)), c);
  e = _mm256_sub_ps(e, hxs);
  const __m256 two = _mm256_set1_ps(2.0f);
  const __m256 result_km1 = _mm256_sub_ps(_mm256_mul_ps(half, _mm256_sub_ps(x, e)), half);
  const __m256 result_k1 = _mm256_blendv_ps(
      _mm256_add_ps(one, _mm256_mul_ps(two, _mm256_sub_ps(x, e))),
      _mm256_mul_ps(_mm256_set1_ps(-2.0f), _mm256_sub_ps(e, _mm256_add_ps(x, half))),
      _mm256_cmp_ps(x, _mm256_set1_ps(-0.25f), _CMP_LT_OQ));
  const __m256i exponent = _mm256_slli_epi32(k, 23);
  // k <= -2 or k > 56: y = 1 - (e - x), scaled by 2^k, minus 1.
  const __m256 far = _mm256_sub_ps(
      _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(_mm256_sub_ps(one, _mm256_sub_ps(e, x))), exponent)),
      one);
  // 2 <= k < 23: y = (1 - 2^-k) - (e - x), scaled by 2^k.
  const __m256 t_small = _mm256_castsi256_ps(
      _mm256_sub_epi32(_mm256_set1_epi32(0x3f800000), _mm256_srlv_epi32(_mm256_set1_epi32(0x1000000), k)));
  const __m256 small = _mm256_castsi256_ps(
      _mm256_add_epi32(_mm256_castps_si256(_mm256_sub_ps(t_small, _mm256_sub_ps(e, x))), exponent));
  // 23 <= k <= 56: y = (x - (e + 2^-k)) + 1, scaled by 2^k.
  const __m256 t_large = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_sub_epi32(_mm256_set1_epi32(0x7f), k), 23));
  const __m256 large = _mm256_castsi256_ps(_mm256_add_epi32(
      _mm256_castps_si256(_mm256_add_ps(_mm256_sub_ps(x, _mm256_add_ps(e, t_large)), one)), exponent));

  const __m256 is_k1 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(k, _mm256_set1_epi32(1)));
  const __m256 is_km1 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(k, _mm256_set1_epi32(-1)));
  const __m256 is_k0 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(k, _mm256_setzero_si256()));
  const __m256 k_far = _mm256_castsi256_ps(_mm256_or_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(-1), k),
                                                           _mm256_cmpgt_epi32(k, _mm256_set1_epi32(56))));
  const __m256 k_small = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(23), k));
  __m256 y = _mm256_blendv_ps(large, small, k_small);
  y = _mm256_blendv_ps(y, far, k_far);
  y = _mm256_blendv_ps(y, result_k1, is_k1);
  y = _mm256_blendv_ps(y, result_km1, is_km1);
  y = _mm256_blendv_ps(y, result_k0, is_k0);
  return _mm256_blendv_ps(y, x_in, tiny);  // expm1f(x) = x for |x| < 2^-25
}

// tanhf for lanes with 2^-55 <= |x| < 22; the mask `covered` says which lanes those are.
__attribute__((target("avx2"))) __m256 Tanh8(__m256 x, int* covered) {
  const __m256i ix = _mm256_and_si256(_mm256_castps_si256(x), _mm256_set1_epi32(0x7fffffff));
  const __m256i in_range = _mm256_and_si256(_mm256_cmpgt_epi32(ix, _mm256_set1_epi32(0x24000000 - 1)),
                                            _mm256_cmpgt_epi32(_mm256_set1_epi32(0x41b00000), ix));
  *covered = _mm256_movemask_ps(_mm256_castsi256_ps(in_range));
  const __m256 ax = _mm256_castsi256_ps(ix);
  const __m256 two = _mm256_set1_ps(2.0f);
  const __m256 big = _mm256_castsi256_ps(_mm256_cmpgt_epi32(ix, _mm256_set1_epi32(0x3f800000 - 1)));  // |x| >= 1
  // |x| >= 1: t = expm1f(2|x|), z = 1 - 2 / (t + 2); else t = expm1f(-2|x|), z = -t / (t + 2).
  const __m256 t = Expm1(_mm256_blendv_ps(_mm256_mul_ps(_mm256_set1_ps(-2.0f), ax), _mm256_mul_ps(two, ax), big));
  const __m256 t2 = _mm256_add_ps(t, two);
  const __m256 z = _mm256_blendv_ps(_mm256_div_ps(_mm256_sub_ps(_mm256_setzero_ps(), t), t2),
                                    _mm256_sub_ps(_mm256_set1_ps(1.0f), _mm256_div_ps(two, t2)), big);
  const __m256 sign = _mm256_and_ps(x, Bits(static_cast<int32_t>(0x80000000)));
  return _mm256_or_ps(z, sign);
}

// y[at, at + 8) from the eight inputs `in`.
__attribute__((target("avx2"))) inline void TanhWindow(float* y, const float* in) {
  int covered = 0;
  const __m256 v = Tanh8(_mm256_loadu_ps(in), &covered);
  if (covered == 0xff) {
    _mm256_storeu_ps(y, v);
    return;
  }
  float lanes[8];
  _mm256_storeu_ps(lanes, v);
  for (int k = 0; k < 8; ++k) y[k] = (covered >> k) & 1 ? lanes[k] : std::tanh(in[k]);
}

__attribute__((target("avx2"))) void TanhAvx2(float* y, const float* x, int n) {
  if (n < 8) {
    for (int i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
    return;
  }
  // Windows of 8; when n is not a multiple of 8 the last starts 8 before the end, its inputs read before any
  // output is written (y may be x), and the overlap is computed twice with the same result.
  float last[8];
  std::memcpy(last, x + n - 8, sizeof(last));
  int i = 0;
  for (; i + 8 <= n; i += 8) TanhWindow(y + i, x + i);
  if (i < n) TanhWindow(y + n - 8, last);
}

bool ProbesMatch() {
  if (!__builtin_cpu_supports("avx2")) return false;
  // Every branch: each k of expm1f's reduction from -3 to 64 (|x| up to 22), both sides of |x| = 1, ln2 / 2,
  // 1.5 ln2, 2^-25 and 2^-55, and values near each boundary.
  float probes[4096];
  int n = 0;
  for (int i = 0; i < 1800; ++i) {
    const float a = std::ldexp(1.0f, -56 + i / 30) * (1.0f + static_cast<float>(i % 30) / 30.0f);
    probes[n++] = a;
    probes[n++] = -a;
  }
  for (int i = 0; i < 200; ++i) probes[n++] = -22.5f + 0.2251f * static_cast<float>(i);
  for (float b : {0.5f * 0.6931472f, 0.7f * 0.6931472f, 0.75f * 0.6931472f, 1.0f, 11.0f, 19.5f, 22.0f}) {
    float lo = b, hi = b;
    for (int i = 0; i < 8; ++i) {
      probes[n++] = lo;
      probes[n++] = -hi;
      lo = std::nextafter(lo, 0.0f);
      hi = std::nextafter(hi, 100.0f);
    }
  }
  float got[4096];
  TanhAvx2(got, probes, n);
  for (int i = 0; i < n; ++i) {
    const float want = std::tanh(probes[i]);
    if (std::memcmp(&want, &got[i], sizeof(float)) != 0) return false;
  }
  return true;
}

const bool kTanhMatches = ProbesMatch();

}  // namespace

bool TanhMatchesLibm() { return kTanhMatches; }

void Tanh(float* y, const float* x, int n) {
  if (kTanhMatches) {
    TanhAvx2(y, x, n);
    return;
  }
  for (int i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
}

}  // namespace nas::lstm_kernels
