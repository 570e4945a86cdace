#include "nas/train/macro_network.h"

#include <torch/torch.h>

#include <cmath>
#include <string>

#include "nas/train/network.h"
#include "nas/util/status.h"

namespace nas {

ZophLeNetworkImpl::ZophLeNetworkImpl(const MacroNetworkConfig& config) : config_(config) {
  NAS_CHECK(!config.layers.empty());
  for (size_t i = 0; i < config.layers.size(); ++i) {
    const MacroLayer& l = config.layers[i];
    int64_t c_in = 0;
    for (int j : l.inputs) {
      NAS_CHECK(j >= 0 && j < static_cast<int>(i));
      c_in += config.layers[j].filters;
    }
    if (l.inputs.empty()) c_in = config.in_channels;
    in_channels_.push_back(c_in);
    // 'same' padding: odd kernels, (k - 1) / 2 on each side.
    convs_.push_back(register_module(
        "conv" + std::to_string(i),
        torch::nn::Conv2d(torch::nn::Conv2dOptions(c_in, l.filters, {l.filter_height, l.filter_width})
                              .padding({(l.filter_height - 1) / 2, (l.filter_width - 1) / 2})
                              .bias(false))));
    bns_.push_back(register_module("bn" + std::to_string(i), torch::nn::BatchNorm2d(l.filters)));
  }
  outputs_ = ZophLeSpace::OutputLayers(config.layers);
  int64_t c_out = 0;
  for (int o : outputs_) c_out += config.layers[o].filters;
  classifier_ = register_module("classifier", torch::nn::Linear(c_out, config.num_classes));
}

torch::Tensor ZophLeNetworkImpl::forward(const torch::Tensor& x) {
  std::vector<torch::Tensor> h(config_.layers.size());
  for (size_t i = 0; i < config_.layers.size(); ++i) {
    const std::vector<int>& in = config_.layers[i].inputs;
    torch::Tensor input;
    if (in.empty()) {
      input = x;
    } else if (in.size() == 1) {
      input = h[in[0]];
    } else {
      std::vector<torch::Tensor> parts;
      for (int j : in) parts.push_back(h[j]);
      input = torch::cat(parts, 1);
    }
    h[i] = torch::relu(bns_[i]->forward(convs_[i]->forward(input)));
  }
  std::vector<torch::Tensor> outs;
  for (int o : outputs_) outs.push_back(h[o]);
  torch::Tensor y = outs.size() == 1 ? outs[0] : torch::cat(outs, 1);
  // Global average pooling as a mean (deterministic on every device).
  return classifier_->forward(y.mean({2, 3}));
}

// Parameters conv<i>.weight, bn<i>.weight / .bias, classifier.weight / .bias: the NB201 net's initialisation.
void ZophLeNetworkImpl::InitWeights(uint64_t seed) { InitUniformWeights(*this, seed, classifier_->weight.size(1)); }

int64_t ZophLeNetworkImpl::NumParams() const { return CountParameters(*this); }

int64_t ZophLeNetworkImpl::Flops() const {
  const int64_t hw = config_.image_size * config_.image_size;
  int64_t total = 0;
  for (size_t i = 0; i < config_.layers.size(); ++i) {
    const MacroLayer& l = config_.layers[i];
    total += in_channels_[i] * l.filters * l.filter_height * l.filter_width * hw;
  }
  return total + classifier_->weight.numel();
}

MacroMemoryEstimate EstimateMacroTrainingMemory(int layers, int64_t batch, int64_t channels, int64_t image_size,
                                                int64_t num_classes) {
  const double hw = static_cast<double>(image_size) * image_size;
  const double f = 64;  // the largest filter count
  MacroMemoryEstimate m;
  double weights = 0, acts = 0;
  for (int i = 0; i < layers; ++i) {
    const double c_in = i == 0 ? channels : f * i;
    weights += c_in * f * 49 + 2 * f;
    // Concatenated input (a copy when it has several parts), conv out, BN out, ReLU out; gradients of each.
    acts += 2 * (c_in + 3 * f) * hw;
  }
  weights += f * layers * num_classes + num_classes;
  m.activation_bytes = 4.0 * batch * acts;
  m.weight_bytes = 4.0 * 3 * weights;  // weights, gradients, momentum
  return m;
}

}  // namespace nas
