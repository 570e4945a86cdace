// The child network of a zoph_le_cnn architecture (nas/space/zoph_le_space.h) in LibTorch, as Zoph & Le
// (2017, section 3.3) describe it: every layer is Conv2d(filter height x width, filters, stride 1, 'same'
// padding, no bias) -> BatchNorm2d -> ReLU over the channel-wise concatenation of its inputs (the image when
// it has none); the layers no other layer reads are concatenated, globally average-pooled and fed to a
// Linear classifier. With stride 1 and 'same' padding every layer keeps the image's spatial size, so inputs
// of mismatched depth concatenate along channels without padding. Weights are initialised from nas::Rng as in
// network.h (PyTorch's default distributions, never torch's global generator).
#ifndef NAS_TRAIN_MACRO_NETWORK_H_
#define NAS_TRAIN_MACRO_NETWORK_H_

#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "nas/space/zoph_le_space.h"

namespace nas {

struct MacroNetworkConfig {
  std::vector<MacroLayer> layers;
  int64_t in_channels = 3;
  int64_t image_size = 32;
  int64_t num_classes = 10;
};

class ZophLeNetworkImpl : public torch::nn::Module {
 public:
  explicit ZophLeNetworkImpl(const MacroNetworkConfig& config);

  torch::Tensor forward(const torch::Tensor& x);  // logits [B, num_classes]
  void InitWeights(uint64_t seed);
  int64_t NumParams() const;
  int64_t Flops() const;  // multiply-adds of the convolutions and the classifier, one image

 private:
  MacroNetworkConfig config_;
  std::vector<int> outputs_;
  std::vector<int64_t> in_channels_;  // per layer
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> bns_;
  torch::nn::Linear classifier_{nullptr};
};
TORCH_MODULE(ZophLeNetwork);

// Bytes a training step of the largest network of a `layers`-layer zoph_le_cnn space needs (every layer
// 64 filters of 7x7 reading every earlier layer), at `batch` images of channels x size x size: activations
// kept for the backward pass (each layer's concatenated input, conv and BN outputs, ReLU output and their
// gradients) plus weights, gradients and the optimiser's momentum. An estimate to refuse hopeless configs
// before training, not an exact figure.
struct MacroMemoryEstimate {
  double activation_bytes = 0, weight_bytes = 0;
  double total() const { return activation_bytes + weight_bytes; }
};
MacroMemoryEstimate EstimateMacroTrainingMemory(int layers, int64_t batch, int64_t channels, int64_t image_size,
                                                int64_t num_classes);

}  // namespace nas

#endif  // NAS_TRAIN_MACRO_NETWORK_H_
