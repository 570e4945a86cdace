// Real training of one child network (LibTorch) on a real dataset: the interface both the `train` evaluator
// of `nas run` and `nas build-table` use. Implementation: nas/train/trainer.cc (LibTorch), which is the only
// place this folder includes torch headers from a header-free interface.
#ifndef NAS_TRAIN_TRAINER_H_
#define NAS_TRAIN_TRAINER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nas/proto/train.pb.h"
#include "nas/space/space.h"

namespace nas {

struct EpochMetrics {
  int epoch = 0;  // 1-based
  double train_loss = 0, train_acc = 0;  // percent, over the epoch's mini-batches
  double valid_loss = 0, valid_acc = 0;  // percent, after the epoch
  double test_loss = 0, test_acc = 0;
  double train_time_s = 0;  // wall seconds of this epoch's training (not the evaluation)
};

struct TrainResult {
  std::vector<EpochMetrics> epochs;
  double params_m = 0;  // trainable parameters, millions
  double flops_m = 0;   // forward FLOPs (multiply-adds) for one image, millions
  std::string device;   // "cpu" or "cuda:0 (<name>)"
  // SHA-256 of the final weights' bytes (to prove bit-identical training).
  std::string weights_sha256;
};

// A loaded, split dataset kept in memory; shared read-only by concurrent trainings.
class Dataset;

// Loads and splits the dataset of `spec` (resolved). Errors name the file and what is wrong.
absl::StatusOr<std::shared_ptr<const Dataset>> LoadDataset(const proto::DatasetSpec& spec);

// Fills defaults into `spec` and validates it (no I/O); errors name the field.
absl::Status ResolveTrainSpec(proto::TrainSpec* spec);

// Whether the space `space_name` has a registered child network (child_network.h): InvalidArgument "space: no
// child network is registered for \"X\" (spaces with one: ...)" otherwise.
absl::Status CheckHasChildNetwork(const std::string& space_name);

// The memory layout a network spec trains in: memory_layout, or when it is unset, channels_last's (false: NCHW,
// true: CHANNELS_LAST_LEGACY). ResolveTrainSpec never sets memory_layout, so that specs without it resolve to
// the same text; callers ask this function instead.
proto::NetworkSpec::MemoryLayout EffectiveMemoryLayout(const proto::NetworkSpec& network);

// Whether `space` has a registered child network (child_network.h; the error lists the spaces that have one)
// and passes its check of the resolved `spec` (e.g. memory). No I/O: called before any data is read. Errors
// name the field of the experiment's `benchmark` message ("space: ...", "space_params.layers: ...").
absl::Status CheckTrainable(const SearchSpace& space, const proto::TrainSpec& spec);

// Trains the child network registered for space.name() (child_network.h) of `arch` (a decision vector of
// `space`) for spec.epochs() epochs with seed `seed`; deterministic for a fixed seed, thread count and device.
// A space without a registered network is an error listing the spaces that have one.
absl::StatusOr<TrainResult> TrainChild(const SearchSpace& space, const Actions& arch, const proto::TrainSpec& spec,
                                       const Dataset& data, uint64_t seed);

// True when this binary was built with CUDA support and a device is visible.
bool CudaAvailable();

}  // namespace nas

#endif  // NAS_TRAIN_TRAINER_H_
