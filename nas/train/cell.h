// The NAS-Bench-201 cell and its operations in LibTorch, exactly as the NB201 authors' InferCell
// (xautodl/models/cell_infers/cells.py, cell_operations.py):
//   nor_conv_1x1 / nor_conv_3x3: ReLUConvBN = ReLU -> Conv2d(no bias, padding 0 / 1) -> BatchNorm2d(affine)
//   avg_pool_3x3: AvgPool2d(3, stride 1, padding 1, count_include_pad=false)
//   skip_connect: identity;  none: zeros
// Node j (1..3) is the sum over i < j of op_ij(node_i); the cell's output is node 3.
// Also the ResNet basic block that NB201's TinyNetwork uses between stages.
#ifndef NAS_TRAIN_CELL_H_
#define NAS_TRAIN_CELL_H_

#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>

namespace nas {

// ReLU -> Conv2d(c_in, c_out, kernel, stride, padding, bias=false) -> BatchNorm2d(c_out, affine). With
// track_running_stats false the BatchNorm has no running statistics and normalises with the batch's, in
// training and evaluation alike (the supernet's "batch" mode).
class ReluConvBnImpl : public torch::nn::Module {
 public:
  ReluConvBnImpl(int64_t c_in, int64_t c_out, int64_t kernel, int64_t stride, int64_t padding,
                 bool track_running_stats = true);
  torch::Tensor forward(const torch::Tensor& x);
  // Conv -> BatchNorm of an input that is already relu(x).
  torch::Tensor ConvBn(const torch::Tensor& relu_x);
  // Multiply-adds for an input of h x w; sets the output size.
  int64_t Flops(int64_t h, int64_t w, int64_t* h_out, int64_t* w_out) const;

 private:
  int64_t c_in_, c_out_, kernel_, stride_, padding_;
  torch::nn::Conv2d conv_{nullptr};
  torch::nn::BatchNorm2d bn_{nullptr};
};
TORCH_MODULE(ReluConvBn);

// One NB201 cell; `ops` holds the 6 edges' operation indices in Nb201Space order (0 none, 1 skip_connect,
// 2 nor_conv_1x1, 3 nor_conv_3x3, 4 avg_pool_3x3). With `shared_relu` (NetworkSpec.cell_kernels SHARED_RELU)
// the conv edges leaving a node share one ReLU of it, average pooling is BoxAvgPool3x3 (box_pool.h) and a node's
// sum adds into its first sum in place: the same function, the same parameters, other rounding.
class Nb201CellImpl : public torch::nn::Module {
 public:
  Nb201CellImpl(const std::vector<int>& ops, int64_t channels, bool shared_relu = false);
  torch::Tensor forward(const torch::Tensor& x);
  int64_t Flops(int64_t h, int64_t w) const;

 private:
  torch::Tensor ForwardSharedRelu(const torch::Tensor& x);

  std::vector<int> ops_;
  int64_t channels_;
  bool shared_relu_;
  std::vector<ReluConvBn> convs_;  // per edge; empty for the other operations
};
TORCH_MODULE(Nb201Cell);

// NB201's ResNetBasicblock with stride 2: ReLUConvBN 3x3 stride 2 -> ReLUConvBN 3x3, plus the shortcut
// AvgPool2d(2, 2) -> Conv2d 1x1 (no bias).
class ResNetReductionImpl : public torch::nn::Module {
 public:
  ResNetReductionImpl(int64_t c_in, int64_t c_out);
  torch::Tensor forward(const torch::Tensor& x);
  int64_t Flops(int64_t h, int64_t w, int64_t* h_out, int64_t* w_out) const;

 private:
  int64_t c_in_, c_out_;
  ReluConvBn conv_a_{nullptr}, conv_b_{nullptr};
  torch::nn::Conv2d shortcut_{nullptr};
};
TORCH_MODULE(ResNetReduction);

}  // namespace nas

#endif  // NAS_TRAIN_CELL_H_
