// The float loops of the LSTM controller's C++ path (lstm_policy.h) and its Adam step, with AVX2 versions chosen
// at run time. Every output element is computed with the same float operations in the same order on every path
// (the vector versions only compute several elements at once and keep partial sums in registers), so results
// are bit-identical with and without AVX2. The library is compiled with -ffp-contract=off: no multiply-add is
// fused unless a kernel says so.
#ifndef NAS_SEARCH_TORCH_LSTM_KERNELS_H_
#define NAS_SEARCH_TORCH_LSTM_KERNELS_H_

#include <cstdint>

namespace nas::lstm_kernels {

// z[r] += w[j * ld + r] * x[j] for j = 0, 1, ..., n-1 in turn (one rounding for the product, one for the sum),
// for every r < m.
void AccumulateColumns(float* z, int m, const float* w, int ld, const float* x, int n);

// y[j] += w[r * n + j] * d[r] for r = 0, 1, ..., rows-1 in turn, for every j < n.
void AccumulateRows(float* y, int n, const float* w, const float* d, int rows);

// g[r * n + j] += v[j] * d[r] for every r < rows, j < n.
void AccumulateOuter(float* g, const float* d, int rows, const float* v, int n);

// AccumulateOuter(g, d[s], rows, v[s], n) for s = 0, 1, ..., count-1 in turn (each element of g receives the
// terms in that order), with g read and written once rather than `count` times.
void AccumulateOuterSequence(float* g, const float* const* d, int rows, const float* const* v, int n, int count);

// dst[c * ldd + r] = src[r * cols + c] for every r < rows, c < cols.
void Transpose(float* dst, int ldd, const float* src, int rows, int cols);

// y[i] = std::tanh(x[i]) for i < n, bit for bit: the C library's tanhf computed eight lanes at a time where
// TanhMatchesLibm() (AVX2, and glibc's float tanhf, checked at start-up on probe values), else std::tanh.
// y and x may be the same array but must not otherwise overlap.
void Tanh(float* y, const float* x, int n);
bool TanhMatchesLibm();

// True when TorchAdamStep computes exactly what torch::optim::Adam (LibTorch 1.13, no weight decay, no amsgrad)
// computes on this machine: ATen's AVX2/AVX512 kernels, which fuse the multiply-adds of the two moment updates.
// False on a CPU without AVX2 and FMA, or when ATEN_CPU_CAPABILITY=default selects ATen's unfused kernels.
bool TorchAdamStepMatchesLibTorch();

// One step (step = 1, 2, ...) of torch::optim::Adam on n parameters, element by element as ATen computes it:
//   m = fma(g, float(1 - beta1), m * float(beta1));   v = fma(float(1 - beta2) * g, g, v * float(beta2));
//   p = p + (float(-lr / (1 - beta1^step)) * m) / (sqrt(v) / float(sqrt(1 - beta2^step)) + float(eps)).
void TorchAdamStep(float* p, const float* g, float* m, float* v, int64_t n, double lr, double beta1, double beta2,
                   double eps, int64_t step);

}  // namespace nas::lstm_kernels

#endif  // NAS_SEARCH_TORCH_LSTM_KERNELS_H_
