#include "nas/train/network.h"

#include <torch/torch.h>

#include <cmath>
#include <string>

#include "nas/util/rng.h"
#include "nas/util/status.h"

namespace nas {

Nb201NetworkImpl::Nb201NetworkImpl(const NetworkConfig& config) : config_(config) {
  NAS_CHECK(config.ops.size() == 6 && config.channels > 0 && config.cells_per_stage > 0);
  const int64_t C = config.channels, N = config.cells_per_stage;
  stem_conv_ = register_module(
      "stem_conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(config.in_channels, C, 3).padding(1).bias(false)));
  stem_bn_ = register_module("stem_bn", torch::nn::BatchNorm2d(C));
  int64_t c_prev = C;
  int index = 0;
  for (int stage = 0; stage < 3; ++stage) {
    const int64_t c = C << stage;
    if (stage > 0) {
      reductions_.push_back(register_module("block" + std::to_string(index++), ResNetReduction(c_prev, c)));
      cells_.push_back(nullptr);
      is_cell_.push_back(false);
    }
    for (int64_t n = 0; n < N; ++n) {
      cells_.push_back(register_module("block" + std::to_string(index++), Nb201Cell(config.ops, c, config.shared_relu)));
      reductions_.push_back(nullptr);
      is_cell_.push_back(true);
    }
    c_prev = c;
  }
  last_bn_ = register_module("last_bn", torch::nn::BatchNorm2d(c_prev));
  classifier_ = register_module("classifier", torch::nn::Linear(c_prev, config.num_classes));
}

std::vector<torch::Tensor> Nb201NetworkImpl::BlockOutputs(const torch::Tensor& x) {
  std::vector<torch::Tensor> out;
  torch::Tensor h = stem_bn_->forward(stem_conv_->forward(x));
  out.push_back(h);
  for (size_t b = 0; b < is_cell_.size(); ++b) {
    h = is_cell_[b] ? cells_[b]->forward(h) : reductions_[b]->forward(h);
    out.push_back(h);
  }
  return out;
}

torch::Tensor Nb201NetworkImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = stem_bn_->forward(stem_conv_->forward(x));
  for (size_t b = 0; b < is_cell_.size(); ++b) h = is_cell_[b] ? cells_[b]->forward(h) : reductions_[b]->forward(h);
  h = torch::relu(last_bn_->forward(h));
  // Global average pooling as a mean (deterministic on every device, unlike adaptive_avg_pool2d's CUDA
  // backward).
  h = h.mean({2, 3});
  return classifier_->forward(h);
}

void Nb201NetworkImpl::InitWeights(uint64_t seed) { InitUniformWeights(*this, seed, classifier_->weight.size(1)); }

int64_t Nb201NetworkImpl::NumParams() const { return CountParameters(*this); }

int64_t Nb201NetworkImpl::Flops() const {
  int64_t h = config_.image_size, w = config_.image_size;
  int64_t total = config_.in_channels * config_.channels * 9 * h * w;  // stem, padding 1
  for (size_t b = 0; b < is_cell_.size(); ++b) {
    if (is_cell_[b]) {
      total += cells_[b]->Flops(h, w);
    } else {
      int64_t ho, wo;
      total += reductions_[b]->Flops(h, w, &ho, &wo);
      h = ho, w = wo;
    }
  }
  total += classifier_->weight.numel();
  return total;
}

void InitUniformWeights(torch::nn::Module& net, uint64_t seed, int64_t classifier_fan_in) {
  torch::NoGradGuard no_grad;
  Rng rng(DeriveSeed(seed, 0, "train/init-weights"));
  for (auto& item : net.named_parameters(/*recurse=*/true)) {
    torch::Tensor p = item.value();
    const std::string& name = item.key();
    NAS_CHECK(p.device().is_cpu() && p.is_contiguous() && p.scalar_type() == torch::kFloat);
    const bool is_bn = name.find("bn") != std::string::npos;
    if (is_bn) {
      p.fill_(name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0 ? 1.0 : 0.0);
      continue;
    }
    int64_t fan_in;
    if (p.dim() >= 2) {
      fan_in = p.numel() / p.size(0);
    } else {
      NAS_CHECK(name == "classifier.bias");
      fan_in = classifier_fan_in;
    }
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    float* d = p.data_ptr<float>();
    for (int64_t i = 0; i < p.numel(); ++i) d[i] = static_cast<float>((2.0 * rng.Uniform01() - 1.0) * bound);
  }
}

int64_t CountParameters(const torch::nn::Module& net) {
  int64_t n = 0;
  for (const auto& p : net.parameters()) n += p.numel();
  return n;
}

void ToChannelsLast(torch::nn::Module& net, bool all_weights) {
  torch::NoGradGuard no_grad;
  for (torch::Tensor& p : net.parameters(/*recurse=*/true)) {
    if (p.dim() != 4) continue;
    if (all_weights)  // channels-last strides whatever the shape (a copy: the values are unchanged)
      p.set_data(torch::empty_like(p, torch::TensorOptions(), torch::MemoryFormat::ChannelsLast).copy_(p));
    else  // a weight already contiguous in channels-last (every ambiguous shape) keeps its strides
      p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

bool ApplyMemoryLayout(torch::nn::Module& net, proto::NetworkSpec::MemoryLayout layout) {
  switch (layout) {
    case proto::NetworkSpec::CHANNELS_LAST_LEGACY:
      ToChannelsLast(net, /*all_weights=*/false);
      return true;
    case proto::NetworkSpec::CHANNELS_LAST:
      ToChannelsLast(net, /*all_weights=*/true);
      return true;
    case proto::NetworkSpec::NCHW:
      return false;
    default:
      NAS_CHECK(false && "ApplyMemoryLayout: an unresolved or unknown layout");
      return false;
  }
}

torch::Tensor Layout(const torch::Tensor& x, bool channels_last) {
  return channels_last ? x.contiguous(torch::MemoryFormat::ChannelsLast) : x;
}

}  // namespace nas
