// A 3x3 average pooling with stride 1, padding 1 and count_include_pad=false (NB201's avg_pool_3x3) computed as
// two passes of 3-term sums (along W, then along H) and one multiplication by the reciprocal of the window's
// count of valid inputs: about half the additions of ATen's avg_pool2d, which sums each 3x3 window in turn. The
// backward pass is the same box sum of the gradient scaled by those reciprocals. Deterministic (a fixed order of
// float operations whatever the vector width) and rounding differently from ATen's avg_pool2d, so it is used only
// where NetworkSpec.cell_kernels asks for it.
#ifndef NAS_TRAIN_BOX_POOL_H_
#define NAS_TRAIN_BOX_POOL_H_

#include <ATen/core/Tensor.h>

namespace nas {

// x: a 4-d float CPU tensor, contiguous in NCHW or channels-last; the result has x's shape and memory format and
// is differentiable (autograd) with respect to x.
at::Tensor BoxAvgPool3x3(const at::Tensor& x);

}  // namespace nas

#endif  // NAS_TRAIN_BOX_POOL_H_
