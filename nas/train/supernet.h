// The weight-sharing supernet of the NB201 cell space (LibTorch), as the NB201 authors' shared-weight search
// model for ENAS / RSPS (xautodl/models/cell_searchs/search_model_enas.py, search_cells.py): NB201's
// TinyNetwork skeleton (nas/train/network.h: stem, three stages of N cells with ResNet reductions between
// them, BatchNorm-ReLU, global pooling, linear) in which every cell holds, on each of its 6 edges, all 5
// candidate operations. A forward pass with an architecture (6 operation indices in Nb201Space order) runs, on
// every edge of every cell, that architecture's operation only, exactly as the standalone Nb201Network of the
// architecture computes it (CopyArchitectureInto proves it), so only its weights receive gradients.
//
// Parameter names: those of the standalone network, with each convolutional candidate under
// "block<k>.edge<to>_<from>_<op>" (op nor_conv_1x1 or nor_conv_3x3) instead of "block<k>.edge<to>_<from>".
#ifndef NAS_TRAIN_SUPERNET_H_
#define NAS_TRAIN_SUPERNET_H_

#include <cstdint>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "nas/train/cell.h"
#include "nas/train/network.h"

namespace nas {

struct SupernetConfig {
  int64_t channels = 16;        // C
  int64_t cells_per_stage = 5;  // N
  int64_t in_channels = 3;
  int64_t num_classes = 10;
  // The cells' BatchNorm: false keeps running statistics (used in eval mode), true normalises with the
  // batch's statistics in training and evaluation (no running statistics at all).
  bool batch_statistics = false;
};

// One NB201 cell with every candidate operation on each edge.
class Nb201SupernetCellImpl : public torch::nn::Module {
 public:
  Nb201SupernetCellImpl(int64_t channels, bool track_running_stats);
  torch::Tensor forward(const torch::Tensor& x, const std::vector<int>& ops);

 private:
  std::vector<ReluConvBn> conv1x1_, conv3x3_;  // per edge
};
TORCH_MODULE(Nb201SupernetCell);

class Nb201SupernetImpl : public torch::nn::Module {
 public:
  explicit Nb201SupernetImpl(const SupernetConfig& config);

  // Logits [B, num_classes] of architecture `ops` (6 operation indices, each 0..4).
  torch::Tensor forward(const torch::Tensor& x, const std::vector<int>& ops);

  // Every parameter from Rng(seed) as InitUniformWeights (network.h); deterministic for a seed.
  void InitWeights(uint64_t seed);

  // Copies the weights (and the running statistics it has) of architecture `ops` into `net`, the standalone
  // network of `ops` with this supernet's channels, cells_per_stage, in_channels and num_classes.
  void CopyArchitectureInto(const std::vector<int>& ops, Nb201NetworkImpl& net) const;

  const SupernetConfig& config() const { return config_; }

 private:
  SupernetConfig config_;
  torch::nn::Conv2d stem_conv_{nullptr};
  torch::nn::BatchNorm2d stem_bn_{nullptr};
  std::vector<Nb201SupernetCell> cells_;     // null where the block is a reduction
  std::vector<ResNetReduction> reductions_;  // null where the block is a cell
  torch::nn::BatchNorm2d last_bn_{nullptr};
  torch::nn::Linear classifier_{nullptr};
};
TORCH_MODULE(Nb201Supernet);

}  // namespace nas

#endif  // NAS_TRAIN_SUPERNET_H_
