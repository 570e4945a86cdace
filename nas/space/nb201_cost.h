// Parameters and FLOPs of an NB201 cell in the NB201 skeleton (TinyNetwork: stem, 3 stages of N cells at C,
// 2C, 4C channels with ResNet reduction blocks, BN, global pooling, linear), computed analytically without
// LibTorch. Counted as nas/train/network.cc counts them (tests/train/network_test.cc checks both against the
// LibTorch network): parameters of every convolution, BatchNorm (weight and bias) and the linear layer;
// FLOPs are multiply-adds of the convolutions and the linear layer for one image.
// For C = 16, N = 5, 3x32x32, 10 classes: 0.0733 M parameters with every edge `none`, 1.5315 M with every
// edge nor_conv_3x3 (NB201's published range for CIFAR-10).
#ifndef NAS_SPACE_NB201_COST_H_
#define NAS_SPACE_NB201_COST_H_

#include <cstdint>

#include "nas/space/space.h"

namespace nas {

struct Nb201Skeleton {
  int64_t channels = 16;
  int64_t cells_per_stage = 5;
  int64_t in_channels = 3;
  int64_t image_size = 32;
  int64_t num_classes = 10;
};

int64_t Nb201Params(const Actions& ops, const Nb201Skeleton& skeleton);
int64_t Nb201Flops(const Actions& ops, const Nb201Skeleton& skeleton);

}  // namespace nas

#endif  // NAS_SPACE_NB201_COST_H_
