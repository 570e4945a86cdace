#include "nas/train/train_util.h"

#include <torch/torch.h>

#include <cstdlib>

#include "nas/util/runtime.h"
#include "nas/util/sha256.h"

namespace nas {

absl::StatusOr<torch::Device> PrepareDevice(const proto::TrainSpec& spec, std::string* name) {
  torch::Device device(torch::kCPU);
  if (spec.device() == "cuda") {
    if (!torch::cuda::is_available())
      return absl::FailedPreconditionError(
          "device: \"cuda\" requested but torch::cuda::is_available() is false (this LibTorch has no CUDA "
          "support or no GPU is visible); use device \"cpu\"");
    // Deterministic cuBLAS needs this before the first CUDA call; cuDNN: deterministic algorithms, no autotuning.
    setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", /*overwrite=*/0);
    at::globalContext().setDeterministicCuDNN(true);
    at::globalContext().setBenchmarkCuDNN(false);
    device = torch::Device(torch::kCUDA, 0);
    *name = "cuda:0";
  } else if (spec.device() == "cpu") {
    *name = "cpu";
  } else {
    return absl::InvalidArgumentError("device: \"" + spec.device() + "\" (known: cpu, cuda)");
  }
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
  // Intra-op threads of the calling thread (OpenMP's count is per thread) and of the BLAS.
  at::set_num_threads(spec.threads());
  SetComputeThreads(spec.threads());
  return device;
}

DeviceSplit ToDevice(const DataSplit& split, const Dataset& data, const torch::Device& device) {
  DeviceSplit out;
  out.size = split.size;
  const int64_t s = data.image_size();
  // from_blob does not copy; clone() owns the memory (the dataset stays shared and read-only).
  out.images = torch::from_blob(const_cast<float*>(split.images.data()), {split.size, data.channels(), s, s},
                                torch::kFloat)
                   .clone()
                   .to(device);
  out.labels = torch::from_blob(const_cast<int64_t*>(split.labels.data()), {split.size}, torch::kLong).clone().to(device);
  return out;
}

torch::Tensor CrossEntropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  torch::Tensor logp = torch::log_softmax(logits, 1);
  torch::Tensor onehot = torch::one_hot(labels, logits.size(1)).to(logp.scalar_type());
  return -(logp * onehot).sum(1).mean();
}

std::string WeightsSha256(const torch::nn::Module& net) {
  std::string bytes;
  auto append = [&bytes](const std::string& name, const torch::Tensor& t) {
    torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
    bytes += name;
    bytes.push_back('\0');
    bytes.append(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
  };
  for (const auto& item : net.named_parameters(true)) append(item.key(), item.value());
  for (const auto& item : net.named_buffers(true)) append(item.key(), item.value());
  return Sha256Hex(bytes);
}

}  // namespace nas
