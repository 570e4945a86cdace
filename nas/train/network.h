// NB201's TinyNetwork (xautodl/models/cell_infers/tiny_network.py) in LibTorch: stem Conv3x3(C) + BN, three
// stages of N cells with C, 2C, 4C channels separated by ResNet basic reduction blocks (stride 2), then
// BN + ReLU + global average pooling + Linear(num_classes). Weights are initialised from nas::Rng (never
// torch's global generator) with PyTorch's default distributions: convolutions and the linear layer
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)), BatchNorm weight 1 and bias 0.
#ifndef NAS_TRAIN_NETWORK_H_
#define NAS_TRAIN_NETWORK_H_

#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "nas/proto/train.pb.h"
#include "nas/train/cell.h"

namespace nas {

struct NetworkConfig {
  std::vector<int> ops;      // the 6 NB201 edge operations (Nb201Space indices)
  int64_t channels = 16;     // C
  int64_t cells_per_stage = 5;  // N
  int64_t in_channels = 3;   // 1 for Fashion-MNIST, 3 for CIFAR
  int64_t image_size = 32;   // for the FLOP count (a multiple of 4)
  int64_t num_classes = 10;
  bool shared_relu = false;  // NetworkSpec.cell_kernels SHARED_RELU (cell.h)
};

class Nb201NetworkImpl : public torch::nn::Module {
 public:
  explicit Nb201NetworkImpl(const NetworkConfig& config);

  torch::Tensor forward(const torch::Tensor& x);  // logits [B, num_classes]
  // The output of the stem and of every block after it (cells and reduction blocks), in order.
  std::vector<torch::Tensor> BlockOutputs(const torch::Tensor& x);
  // Which of BlockOutputs' entries (after the stem's, index 0) are NB201 cells (true) or reductions (false).
  const std::vector<bool>& is_cell() const { return is_cell_; }

  // Overwrites every parameter from Rng(seed) (see the file comment); deterministic for a seed.
  void InitWeights(uint64_t seed);

  int64_t NumParams() const;  // trainable parameters
  int64_t Flops() const;      // forward multiply-adds of convolutions and the linear layer, one image

 private:
  NetworkConfig config_;
  torch::nn::Conv2d stem_conv_{nullptr};
  torch::nn::BatchNorm2d stem_bn_{nullptr};
  std::vector<Nb201Cell> cells_;             // null where the block is a reduction
  std::vector<ResNetReduction> reductions_;  // null where the block is a cell
  std::vector<bool> is_cell_;
  torch::nn::BatchNorm2d last_bn_{nullptr};
  torch::nn::Linear classifier_{nullptr};
};
TORCH_MODULE(Nb201Network);

// The weight initialisation of the file comment, for any child network whose BatchNorm parameters have "bn" in
// their names, whose other 1-D parameter is `classifier.bias` (fan-in `classifier_fan_in`), and whose other
// parameters are weights of fan-in numel / size(0): Rng(DeriveSeed(seed, 0, "train/init-weights")) visits them
// in named_parameters() order.
void InitUniformWeights(torch::nn::Module& net, uint64_t seed, int64_t classifier_fan_in);
// Trainable parameters of `net`.
int64_t CountParameters(const torch::nn::Module& net);

// Every 4-D parameter (convolution weights) of `net` in channels-last memory; the values (and so a weights hash
// over them) are unchanged. Call it before creating the optimizer. A weight whose shape makes both layouts the
// same memory order ([C, 1, k, k], 1x1 kernels) keeps its NCHW strides (NetworkSpec CHANNELS_LAST_LEGACY)
// unless `all_weights` (CHANNELS_LAST), which gives it channels-last strides as PyTorch's
// Module.to(memory_format=torch.channels_last) does: with a 1-channel input, the stem convolution then runs in
// channels-last too (faster; another float rounding; benchmarks/README.md).
void ToChannelsLast(torch::nn::Module& net, bool all_weights = false);
// Puts the weights of `net` in `layout` (a resolved NetworkSpec's, see EffectiveMemoryLayout in trainer.h;
// NCHW leaves them as they are) and returns whether batches go channels-last (Layout's `channels_last`).
bool ApplyMemoryLayout(torch::nn::Module& net, proto::NetworkSpec::MemoryLayout layout);
// A batch in the network's memory format: `x` itself (NCHW) or a channels-last copy.
torch::Tensor Layout(const torch::Tensor& x, bool channels_last);

}  // namespace nas

#endif  // NAS_TRAIN_NETWORK_H_
