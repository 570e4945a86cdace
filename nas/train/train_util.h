// Pieces every LibTorch training loop of nas/train shares (the child trainer and the supernet): the device of a
// resolved TrainSpec set up for deterministic computation, a data split copied to that device, and a
// deterministic cross entropy.
#ifndef NAS_TRAIN_TRAIN_UTIL_H_
#define NAS_TRAIN_TRAIN_UTIL_H_

#include <cstdint>
#include <string>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "absl/status/statusor.h"
#include "nas/proto/train.pb.h"
#include "nas/train/datasets.h"

namespace nas {

// The device of spec.device() ("cpu" or "cuda"), with deterministic algorithms on, cuDNN deterministic without
// autotuning and CUBLAS_WORKSPACE_CONFIG set for CUDA, and spec.threads() intra-op and BLAS threads for the
// calling thread. `name` gets "cpu" or "cuda:0". "cuda" without a visible CUDA device is an error naming the
// field.
absl::StatusOr<torch::Device> PrepareDevice(const proto::TrainSpec& spec, std::string* name);

// One split as a device tensor [n, C, H, W] plus labels [n].
struct DeviceSplit {
  torch::Tensor images, labels;
  int64_t size = 0;
};
DeviceSplit ToDevice(const DataSplit& split, const Dataset& data, const torch::Device& device);

// Cross entropy as -sum(one_hot * log_softmax) / B: deterministic forward and backward on every device.
torch::Tensor CrossEntropy(const torch::Tensor& logits, const torch::Tensor& labels);

// SHA-256 (hex) of the names and bytes of every parameter, then every buffer, of `net` (proves bit-identical
// training).
std::string WeightsSha256(const torch::nn::Module& net);

}  // namespace nas

#endif  // NAS_TRAIN_TRAIN_UTIL_H_
