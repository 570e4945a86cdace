// The child networks that real training builds, one plug-in per search space: a registry keyed by space name
// whose members turn an architecture of that space into a LibTorch network. The trainer (trainer.h) and the
// `train` evaluator know no space type; each space's network registers itself in its own file
// (nb201_child_network.cc, zoph_le_child_network.cc; `alwayslink`, listed in :child_networks), and
// //tests/train:child_network_suite_test runs over every registered member.
#ifndef NAS_TRAIN_CHILD_NETWORK_H_
#define NAS_TRAIN_CHILD_NETWORK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nas/proto/train.pb.h"
#include "nas/space/space.h"

namespace nas {

// A built child network: the module the training loop trains (its parameters, buffers, train/eval mode and
// device) and what the loop needs beyond torch::nn::Module.
class ChildNetwork {
 public:
  virtual ~ChildNetwork() = default;
  virtual torch::nn::Module& module() = 0;
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;  // logits [B, num_classes]
  // Overwrites every parameter from Rng(seed) (never torch's global generator); deterministic for a seed.
  virtual void InitWeights(uint64_t seed) = 0;
  virtual int64_t NumParams() const = 0;  // trainable parameters
  virtual int64_t Flops() const = 0;      // forward multiply-adds for one image
};

// A ChildNetwork over a TORCH_MODULE holder whose module has forward, InitWeights, NumParams and Flops.
template <typename Holder>
class ChildNetworkOf final : public ChildNetwork {
 public:
  explicit ChildNetworkOf(Holder net) : net_(std::move(net)) {}
  torch::nn::Module& module() override { return *net_; }
  torch::Tensor forward(const torch::Tensor& x) override { return net_->forward(x); }
  void InitWeights(uint64_t seed) override { net_->InitWeights(seed); }
  int64_t NumParams() const override { return net_->NumParams(); }
  int64_t Flops() const override { return net_->Flops(); }

 private:
  Holder net_;
};

// The images a child network reads and the classes it tells apart (a dataset's, nas/train/datasets.h).
struct ChildInput {
  int64_t channels = 3;
  int64_t image_size = 32;
  int64_t num_classes = 10;
};

struct ChildNetworkFamily {
  // Builds the network of `arch` (valid in `space`, whose name is the one registered) from a resolved
  // NetworkSpec (the skeleton fields a space uses: channels, cells_per_stage, ...).
  std::function<absl::StatusOr<std::unique_ptr<ChildNetwork>>(
      const SearchSpace& space, const Actions& arch, const proto::NetworkSpec& network, const ChildInput& input)>
      build;
  // Optional: refuses a resolved TrainSpec before any data is read or child trained (e.g. when the space's
  // largest child would not fit in memory). Errors name the field of the experiment's `benchmark` message
  // ("train.batch_size", "space_params.layers").
  std::function<absl::Status(const SearchSpace& space, const proto::TrainSpec& spec)> check;
  std::string description;  // one line: the network this space trains
};

// Registers the child network of the space `space_name` (at static initialisation). A second registration of
// one name is a programmer error.
bool RegisterChildNetwork(const std::string& space_name, ChildNetworkFamily family);
// Names of the spaces with a registered child network, sorted.
std::vector<std::string> ChildNetworkSpaces();
// The family of `space_name`; InvalidArgument "space: no child network is registered for \"X\" (spaces with
// one: a, b)" otherwise.
absl::StatusOr<const ChildNetworkFamily*> FindChildNetwork(const std::string& space_name);
// FindChildNetwork(space.name()), a validity check of `arch`, then the family's build.
absl::StatusOr<std::unique_ptr<ChildNetwork>> BuildChildNetwork(const SearchSpace& space, const Actions& arch,
                                                                const proto::NetworkSpec& network,
                                                                const ChildInput& input);

}  // namespace nas

#endif  // NAS_TRAIN_CHILD_NETWORK_H_
