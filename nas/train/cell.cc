#include "nas/train/cell.h"

#include <torch/torch.h>

#include <string>

#include "nas/train/box_pool.h"
#include "nas/util/status.h"

namespace nas {
namespace {

namespace F = torch::nn::functional;

constexpr int kNone = 0, kSkip = 1, kConv1 = 2, kConv3 = 3, kAvgPool = 4;
constexpr int kEdgeTo[6] = {1, 2, 2, 3, 3, 3};
constexpr int kEdgeFrom[6] = {0, 0, 1, 0, 1, 2};

}  // namespace

ReluConvBnImpl::ReluConvBnImpl(int64_t c_in, int64_t c_out, int64_t kernel, int64_t stride, int64_t padding,
                               bool track_running_stats)
    : c_in_(c_in), c_out_(c_out), kernel_(kernel), stride_(stride), padding_(padding) {
  conv_ = register_module(
      "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(c_in, c_out, kernel).stride(stride).padding(padding).bias(false)));
  bn_ = register_module("bn", torch::nn::BatchNorm2d(
                          torch::nn::BatchNorm2dOptions(c_out).affine(true).track_running_stats(track_running_stats)));
}

torch::Tensor ReluConvBnImpl::forward(const torch::Tensor& x) { return bn_->forward(conv_->forward(torch::relu(x))); }

torch::Tensor ReluConvBnImpl::ConvBn(const torch::Tensor& relu_x) { return bn_->forward(conv_->forward(relu_x)); }

int64_t ReluConvBnImpl::Flops(int64_t h, int64_t w, int64_t* h_out, int64_t* w_out) const {
  *h_out = (h + 2 * padding_ - kernel_) / stride_ + 1;
  *w_out = (w + 2 * padding_ - kernel_) / stride_ + 1;
  return c_in_ * c_out_ * kernel_ * kernel_ * *h_out * *w_out;
}

Nb201CellImpl::Nb201CellImpl(const std::vector<int>& ops, int64_t channels, bool shared_relu)
    : ops_(ops), channels_(channels), shared_relu_(shared_relu) {
  NAS_CHECK(ops.size() == 6);
  convs_.resize(6, nullptr);
  for (int e = 0; e < 6; ++e) {
    NAS_CHECK(ops[e] >= 0 && ops[e] < 5);
    const std::string name = "edge" + std::to_string(kEdgeTo[e]) + "_" + std::to_string(kEdgeFrom[e]);
    if (ops[e] == kConv1) convs_[e] = register_module(name, ReluConvBn(channels, channels, 1, 1, 0));
    if (ops[e] == kConv3) convs_[e] = register_module(name, ReluConvBn(channels, channels, 3, 1, 1));
  }
}

torch::Tensor Nb201CellImpl::forward(const torch::Tensor& x) {
  if (shared_relu_) return ForwardSharedRelu(x);
  torch::Tensor nodes[4];
  nodes[0] = x;
  for (int j = 1; j <= 3; ++j) {
    torch::Tensor sum;
    for (int e = 0; e < 6; ++e) {
      if (kEdgeTo[e] != j || ops_[e] == kNone) continue;
      const torch::Tensor& in = nodes[kEdgeFrom[e]];
      torch::Tensor out;
      switch (ops_[e]) {
        case kSkip: out = in; break;
        case kConv1:
        case kConv3: out = convs_[e]->forward(in); break;
        case kAvgPool:
          out = F::avg_pool2d(in, F::AvgPool2dFuncOptions(3).stride(1).padding(1).count_include_pad(false));
          break;
      }
      sum = sum.defined() ? sum + out : out;
    }
    // All inputs `none`: the node is zero (NB201's Zero op is x.mul(0.)).
    nodes[j] = sum.defined() ? sum : torch::zeros_like(x);
  }
  return nodes[3];
}

torch::Tensor Nb201CellImpl::ForwardSharedRelu(const torch::Tensor& x) {
  torch::Tensor nodes[4], relus[4];
  nodes[0] = x;
  for (int j = 1; j <= 3; ++j) {
    torch::Tensor sum;
    bool owned = false;  // sum is a tensor of this node's own (not an input's), so it may be added into
    for (int e = 0; e < 6; ++e) {
      if (kEdgeTo[e] != j || ops_[e] == kNone) continue;
      const int from = kEdgeFrom[e];
      const torch::Tensor& in = nodes[from];
      torch::Tensor out;
      switch (ops_[e]) {
        case kSkip: out = in; break;
        case kConv1:
        case kConv3:
          if (!relus[from].defined()) relus[from] = torch::relu(in);
          out = convs_[e]->ConvBn(relus[from]);
          break;
        case kAvgPool: out = BoxAvgPool3x3(in); break;
      }
      if (!sum.defined()) {
        sum = out;
      } else if (owned) {
        sum.add_(out);
      } else {
        sum = sum + out;
        owned = true;
      }
    }
    nodes[j] = sum.defined() ? sum : torch::zeros_like(x);
  }
  return nodes[3];
}

int64_t Nb201CellImpl::Flops(int64_t h, int64_t w) const {
  int64_t total = 0, ho, wo;
  for (int e = 0; e < 6; ++e)
    if (convs_[e]) total += convs_[e]->Flops(h, w, &ho, &wo);
  return total;
}

ResNetReductionImpl::ResNetReductionImpl(int64_t c_in, int64_t c_out) : c_in_(c_in), c_out_(c_out) {
  conv_a_ = register_module("conv_a", ReluConvBn(c_in, c_out, 3, 2, 1));
  conv_b_ = register_module("conv_b", ReluConvBn(c_out, c_out, 3, 1, 1));
  shortcut_ = register_module("downsample",
                              torch::nn::Conv2d(torch::nn::Conv2dOptions(c_in, c_out, 1).stride(1).bias(false)));
}

torch::Tensor ResNetReductionImpl::forward(const torch::Tensor& x) {
  torch::Tensor residual = shortcut_->forward(F::avg_pool2d(x, F::AvgPool2dFuncOptions(2).stride(2)));
  return residual + conv_b_->forward(conv_a_->forward(x));
}

int64_t ResNetReductionImpl::Flops(int64_t h, int64_t w, int64_t* h_out, int64_t* w_out) const {
  int64_t ha, wa;
  int64_t total = conv_a_->Flops(h, w, &ha, &wa);
  total += conv_b_->Flops(ha, wa, h_out, w_out);
  total += c_in_ * c_out_ * (h / 2) * (w / 2);
  return total;
}

}  // namespace nas
