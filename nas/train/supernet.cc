#include "nas/train/supernet.h"

#include <torch/torch.h>

#include <string>

#include "nas/util/status.h"

namespace nas {
namespace {

namespace F = torch::nn::functional;

constexpr int kNone = 0, kSkip = 1, kConv1 = 2, kConv3 = 3, kAvgPool = 4;
constexpr int kEdgeTo[6] = {1, 2, 2, 3, 3, 3};
constexpr int kEdgeFrom[6] = {0, 0, 1, 0, 1, 2};

std::string EdgeName(int e) { return "edge" + std::to_string(kEdgeTo[e]) + "_" + std::to_string(kEdgeFrom[e]); }

}  // namespace

Nb201SupernetCellImpl::Nb201SupernetCellImpl(int64_t channels, bool track_running_stats) {
  for (int e = 0; e < 6; ++e) {
    conv1x1_.push_back(register_module(EdgeName(e) + "_nor_conv_1x1",
                                       ReluConvBn(channels, channels, 1, 1, 0, track_running_stats)));
    conv3x3_.push_back(register_module(EdgeName(e) + "_nor_conv_3x3",
                                       ReluConvBn(channels, channels, 3, 1, 1, track_running_stats)));
  }
}

// The computation of Nb201CellImpl::forward (cell.cc) with the operations chosen per call.
torch::Tensor Nb201SupernetCellImpl::forward(const torch::Tensor& x, const std::vector<int>& ops) {
  torch::Tensor nodes[4];
  nodes[0] = x;
  for (int j = 1; j <= 3; ++j) {
    torch::Tensor sum;
    for (int e = 0; e < 6; ++e) {
      if (kEdgeTo[e] != j || ops[e] == kNone) continue;
      const torch::Tensor& in = nodes[kEdgeFrom[e]];
      torch::Tensor out;
      switch (ops[e]) {
        case kSkip: out = in; break;
        case kConv1: out = conv1x1_[e]->forward(in); break;
        case kConv3: out = conv3x3_[e]->forward(in); break;
        case kAvgPool:
          out = F::avg_pool2d(in, F::AvgPool2dFuncOptions(3).stride(1).padding(1).count_include_pad(false));
          break;
      }
      sum = sum.defined() ? sum + out : out;
    }
    nodes[j] = sum.defined() ? sum : torch::zeros_like(x);
  }
  return nodes[3];
}

Nb201SupernetImpl::Nb201SupernetImpl(const SupernetConfig& config) : config_(config) {
  NAS_CHECK(config.channels > 0 && config.cells_per_stage > 0);
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
    }
    for (int64_t n = 0; n < N; ++n) {
      cells_.push_back(
          register_module("block" + std::to_string(index++), Nb201SupernetCell(c, !config.batch_statistics)));
      reductions_.push_back(nullptr);
    }
    c_prev = c;
  }
  last_bn_ = register_module("last_bn", torch::nn::BatchNorm2d(c_prev));
  classifier_ = register_module("classifier", torch::nn::Linear(c_prev, config.num_classes));
}

torch::Tensor Nb201SupernetImpl::forward(const torch::Tensor& x, const std::vector<int>& ops) {
  NAS_CHECK(ops.size() == 6);
  for (int op : ops) NAS_CHECK(op >= 0 && op < 5);
  torch::Tensor h = stem_bn_->forward(stem_conv_->forward(x));
  for (size_t b = 0; b < cells_.size(); ++b) h = cells_[b] ? cells_[b]->forward(h, ops) : reductions_[b]->forward(h);
  h = torch::relu(last_bn_->forward(h));
  h = h.mean({2, 3});  // global average pooling, as Nb201Network
  return classifier_->forward(h);
}

void Nb201SupernetImpl::InitWeights(uint64_t seed) {
  InitUniformWeights(*this, seed, classifier_->weight.size(1));
}

void Nb201SupernetImpl::CopyArchitectureInto(const std::vector<int>& ops, Nb201NetworkImpl& net) const {
  NAS_CHECK(ops.size() == 6);
  torch::NoGradGuard no_grad;
  const auto params = named_parameters(/*recurse=*/true);
  const auto buffers = named_buffers(/*recurse=*/true);
  // "block<k>.edge<to>_<from>.<rest>" -> "block<k>.edge<to>_<from>_<op>.<rest>"; other names are the same.
  auto supernet_name = [&ops](const std::string& name) {
    for (int e = 0; e < 6; ++e) {
      const std::string edge = "." + EdgeName(e) + ".";
      const size_t at = name.find(edge);
      if (at == std::string::npos) continue;
      NAS_CHECK(ops[e] == kConv1 || ops[e] == kConv3);
      return name.substr(0, at) + "." + EdgeName(e) + (ops[e] == kConv1 ? "_nor_conv_1x1" : "_nor_conv_3x3") +
             name.substr(at + edge.size() - 1);
    }
    return name;
  };
  for (auto& item : net.named_parameters(/*recurse=*/true)) {
    const torch::Tensor* source = params.find(supernet_name(item.key()));
    NAS_CHECK(source != nullptr && source->sizes() == item.value().sizes());
    item.value().copy_(*source);
  }
  for (auto& item : net.named_buffers(/*recurse=*/true)) {
    const torch::Tensor* source = buffers.find(supernet_name(item.key()));
    if (source == nullptr) continue;  // the cells' BatchNorm in "batch" mode keeps no running statistics
    NAS_CHECK(source->sizes() == item.value().sizes());
    item.value().copy_(*source);
  }
}

}  // namespace nas
