// Training and evaluating the NB201 supernet's shared weights (nas/train/supernet.h): the library API of the
// weight-sharing methods (ENAS, RSPS). Independent of the experiment runner and free of torch headers.
//
// SharedWeights holds one supernet, its data on the device and its optimiser: SGD (momentum, Nesterov and
// weight decay of the TrainSpec) with the learning rate cosine-annealed per step over train.epochs epochs of
// ceil(train split / batch_size) steps, as TrainChild. Each TrainEpoch is one pass over the train split in
// EpochOrder(seed, epoch) with a fresh architecture per minibatch; a step updates only the weights that
// minibatch's architecture used (the others keep their values and momentum). ValidAccuracy is the accuracy of
// one architecture with the shared weights on (a range of) the validation split, in eval mode, in minibatches
// of batch_size. Every random number comes from `seed`: weights from InitUniformWeights(seed), the data order
// from EpochOrder(seed, epoch), uniform architectures from Rng(DeriveSeed(seed, epoch, "supernet/uniform-arch")).
// Deterministic for a fixed seed, thread count and device.
#ifndef NAS_TRAIN_SHARED_WEIGHTS_H_
#define NAS_TRAIN_SHARED_WEIGHTS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nas/proto/supernet.pb.h"
#include "nas/train/datasets.h"

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace nas {

// Fills the defaults of `spec` (ResolveTrainSpec for `train`, batchnorm "running") and validates it without I/O;
// errors name the field ("train.epochs: ...", "batchnorm: ...").
absl::Status ResolveSupernetSpec(proto::SupernetSpec* spec);

struct SupernetEpoch {
  int epoch = 0;         // 1-based
  int64_t steps = 0;     // minibatches
  double train_loss = 0, train_acc = 0;  // percent, over the epoch's minibatches (each with its architecture)
  double seconds = 0;    // wall seconds of the epoch
};

class SharedWeights {
 public:
  // `spec` resolved; `data` loaded from spec.train().data(). Errors: batch_size larger than the train split,
  // an empty validation split, "cuda" without a device (each naming the field).
  static absl::StatusOr<std::unique_ptr<SharedWeights>> Create(const proto::SupernetSpec& spec,
                                                               std::shared_ptr<const Dataset> data, uint64_t seed);
  ~SharedWeights();

  // The architecture of minibatch `step` (0-based within the epoch): 6 operation indices in Nb201Space order.
  using Sampler = std::function<std::vector<int>(int64_t step)>;
  // One pass over the train split. Error after train.epochs epochs, for an invalid architecture, or when the
  // loss is not finite.
  absl::StatusOr<SupernetEpoch> TrainEpoch(const Sampler& sample);
  // TrainEpoch with each edge's operation drawn uniformly (RSPS, and ENAS's warm-up).
  absl::StatusOr<SupernetEpoch> TrainEpochUniform();

  // Accuracy (percent) of `arch` on validation images [first, first + count); count -1: to the end.
  absl::StatusOr<double> ValidAccuracy(const std::vector<int>& arch, int64_t first = 0, int64_t count = -1);

  int epochs_done() const;
  int64_t steps_per_epoch() const;
  int64_t valid_size() const;
  const std::string& device() const;  // "cpu" or "cuda:0"
  // SHA-256 of every parameter and buffer of the supernet (proves bit-identical training).
  std::string WeightsSha256() const;

  // The training state for a checkpoint: every parameter and buffer, the optimiser's state (momentum buffers),
  // the epochs and steps done. Load restores what Save wrote for the same spec (the values are copied into the
  // existing tensors, keeping their device and layout), so that training continues bit for bit; an archive of
  // another shape is an error naming the entry (torch errors are converted).
  void Save(torch::serialize::OutputArchive& archive) const;
  absl::Status Load(torch::serialize::InputArchive& archive);

 private:
  struct State;
  explicit SharedWeights(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace nas

#endif  // NAS_TRAIN_SHARED_WEIGHTS_H_
