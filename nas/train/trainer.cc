// TrainChild: NB201's training recipe (SGD with Nesterov momentum, weight decay, cosine annealing, cross
// entropy) for the child network that the space's registration builds (child_network.h). The learning rate is
// annealed per iteration: before step t of T (over all epochs), lr = 0.5 * lr0 * (1 + cos(pi * t / T)),
// warmup 0, eta_min 0.
#include "nas/train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "nas/train/child_network.h"
#include "nas/train/datasets.h"
#include "nas/train/device_stream.h"
#include "nas/train/network.h"
#include "nas/train/train_util.h"
#include "nas/util/field_check.h"
#include "nas/util/rng.h"
#include "nas/util/status.h"

namespace nas {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

// Mean loss and accuracy (percent) of `net` (eval mode) on a split.
void Evaluate(ChildNetwork& net, const DeviceSplit& split, int64_t batch, bool channels_last, double* loss,
              double* acc) {
  torch::NoGradGuard no_grad;
  net.module().eval();
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t b = 0; b < split.size; b += batch) {
    const int64_t n = std::min(batch, split.size - b);
    torch::Tensor x = Layout(split.images.narrow(0, b, n), channels_last), y = split.labels.narrow(0, b, n);
    torch::Tensor logits = net.forward(x);
    loss_sum += CrossEntropy(logits, y).item<double>() * n;
    correct += logits.argmax(1).eq(y).sum().item<int64_t>();
  }
  *loss = split.size ? loss_sum / split.size : 0.0;
  *acc = split.size ? 100.0 * correct / split.size : 0.0;
}

// The training loop, the same for every registered child network.
absl::StatusOr<TrainResult> TrainNetwork(ChildNetwork& net, const proto::TrainSpec& spec, const Dataset& data,
                                         uint64_t seed, const torch::Device& device, TrainResult result) {
  // On a GPU this thread's kernels go to a stream of its own: children of concurrent workers overlap.
  WorkerStream stream(device);
  torch::nn::Module& module = net.module();
  net.InitWeights(seed);  // on the CPU, so every device starts from the same weights
  for (const auto& child : module.modules(/*include_self=*/false))
    if (auto* bn = child->as<torch::nn::BatchNorm2d>()) bn->options.momentum(spec.network().bn_momentum());
  result.params_m = net.NumParams() / 1e6;
  result.flops_m = net.Flops() / 1e6;
  module.to(device);
  const bool channels_last = ApplyMemoryLayout(module, EffectiveMemoryLayout(spec.network()));

  const DeviceSplit train = ToDevice(data.train(), data, device), valid = ToDevice(data.valid(), data, device),
                    test = ToDevice(data.test(), data, device);
  const int64_t batch = spec.batch_size();
  const int64_t iters_per_epoch = (train.size + batch - 1) / batch;
  const double total_iters = static_cast<double>(iters_per_epoch) * spec.epochs();
  const double lr0 = spec.learning_rate();
  torch::optim::SGD optimizer(module.parameters(), torch::optim::SGDOptions(lr0)
                                                     .momentum(spec.momentum())
                                                     .nesterov(spec.nesterov())
                                                     .weight_decay(spec.weight_decay()));
  int64_t step = 0;
  for (int epoch = 0; epoch < spec.epochs(); ++epoch) {
    EpochMetrics m;
    m.epoch = epoch + 1;
    const auto start = std::chrono::steady_clock::now();
    module.train();
    std::vector<int64_t> order = EpochOrder(seed, epoch, train.size);
    torch::Tensor order_t = torch::from_blob(order.data(), {train.size}, torch::kLong).clone().to(device);
    double loss_sum = 0;
    int64_t correct = 0;
    for (int64_t b = 0; b < train.size; b += batch, ++step) {
      const int64_t n = std::min(batch, train.size - b);
      torch::Tensor idx = order_t.narrow(0, b, n);
      torch::Tensor x = Layout(train.images.index_select(0, idx), channels_last);
      torch::Tensor y = train.labels.index_select(0, idx);
      const double lr = 0.5 * lr0 * (1.0 + std::cos(M_PI * step / total_iters));
      for (auto& group : optimizer.param_groups())
        static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
      optimizer.zero_grad();
      torch::Tensor logits = net.forward(x);
      torch::Tensor loss = CrossEntropy(logits, y);
      loss.backward();
      optimizer.step();
      loss_sum += loss.item<double>() * n;
      correct += logits.detach().argmax(1).eq(y).sum().item<int64_t>();
    }
    m.train_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m.train_loss = loss_sum / train.size;
    m.train_acc = 100.0 * correct / train.size;
    const int64_t eval_batch = std::max<int64_t>(batch, 512);
    Evaluate(net, valid, eval_batch, channels_last, &m.valid_loss, &m.valid_acc);
    Evaluate(net, test, eval_batch, channels_last, &m.test_loss, &m.test_acc);
    if (!std::isfinite(m.train_loss))
      return absl::InternalError(absl::StrCat("training diverged (loss ", m.train_loss, ") in epoch ", m.epoch));
    result.epochs.push_back(m);
  }
  result.weights_sha256 = WeightsSha256(module);
  return result;
}

// Ranges of a resolved spec (tools/cli/README.md, "Bad input"): finite, and sizes that keep one child within
// memory and time.
absl::Status CheckTrainSpecLimits(const proto::TrainSpec& spec) {
  NAS_RETURN_IF_ERROR(CheckText("data.path", spec.data().path(), kMaxPathBytes));
  NAS_RETURN_IF_ERROR(CheckIntRange("network.channels", spec.network().channels(), 1, 256));
  NAS_RETURN_IF_ERROR(CheckIntRange("network.cells_per_stage", spec.network().cells_per_stage(), 1, 32));
  NAS_RETURN_IF_ERROR(CheckIntRange("epochs", spec.epochs(), 1, 10000));
  NAS_RETURN_IF_ERROR(CheckIntRange("batch_size", spec.batch_size(), 1, 65536));
  NAS_RETURN_IF_ERROR(CheckRealRange("learning_rate", spec.learning_rate(), {0, 10, true}));
  NAS_RETURN_IF_ERROR(CheckRealRange("weight_decay", spec.weight_decay(), {0, 1}));
  NAS_RETURN_IF_ERROR(CheckIntRange("threads", spec.threads(), 1, 256));
  // One activation tensor of the first stage: batch x C x H x W floats.
  const int64_t image = spec.data().image_size();
  const int64_t activation = int64_t{spec.batch_size()} * spec.network().channels() * image * image;
  constexpr int64_t kMaxActivation = int64_t{1} << 26;
  if (activation > kMaxActivation)
    return Invalid("batch_size", absl::StrCat("batch_size x network.channels x image_size^2 = ", spec.batch_size(),
                                              " x ", spec.network().channels(), " x ", image, "^2 exceeds ",
                                              kMaxActivation, " (a 256 MB activation per layer)"));
  return absl::OkStatus();
}

}  // namespace

bool CudaAvailable() { return torch::cuda::is_available(); }

proto::NetworkSpec::MemoryLayout EffectiveMemoryLayout(const proto::NetworkSpec& network) {
  if (network.memory_layout() != proto::NetworkSpec::MEMORY_LAYOUT_UNSPECIFIED) return network.memory_layout();
  return network.channels_last() ? proto::NetworkSpec::CHANNELS_LAST_LEGACY : proto::NetworkSpec::NCHW;
}

absl::Status ResolveTrainSpec(proto::TrainSpec* spec) {
  absl::Status data = ResolveDatasetSpec(spec->mutable_data());
  if (!data.ok()) return data;
  proto::NetworkSpec* net = spec->mutable_network();
  if (net->channels() < 0) return Invalid("network.channels", "must be > 0");
  if (net->cells_per_stage() < 0) return Invalid("network.cells_per_stage", "must be > 0");
  if (net->channels() == 0) net->set_channels(16);
  if (!(net->bn_momentum() >= 0 && net->bn_momentum() <= 1))
    return Invalid("network.bn_momentum", absl::StrCat(net->bn_momentum(), " (must be in [0, 1])"));
  if (net->bn_momentum() == 0) net->set_bn_momentum(0.1);
  if (net->cells_per_stage() == 0) net->set_cells_per_stage(5);
  // Enums take only their named values (a text-format number without a name parses but means nothing).
  if (!proto::NetworkSpec::MemoryLayout_IsValid(net->memory_layout()))
    return Invalid("network.memory_layout",
                   absl::StrCat(net->memory_layout(), " (known: NCHW, CHANNELS_LAST_LEGACY, CHANNELS_LAST)"));
  if (!proto::NetworkSpec::CellKernels_IsValid(net->cell_kernels()))
    return Invalid("network.cell_kernels", absl::StrCat(net->cell_kernels(), " (known: ATEN, SHARED_RELU)"));
  if (net->memory_layout() != proto::NetworkSpec::MEMORY_LAYOUT_UNSPECIFIED && net->channels_last())
    return Invalid("network.channels_last",
                   absl::StrCat("set together with network.memory_layout ",
                                proto::NetworkSpec::MemoryLayout_Name(net->memory_layout()),
                                "; give one (channels_last: true is memory_layout: CHANNELS_LAST_LEGACY)"));
  if (spec->epochs() <= 0) return Invalid("epochs", absl::StrCat(spec->epochs(), " (required, must be > 0)"));
  if (spec->batch_size() < 0) return Invalid("batch_size", "must be > 0");
  if (spec->batch_size() == 0) spec->set_batch_size(256);
  auto check_real = [](absl::string_view field, double v) -> absl::Status {
    if (!std::isfinite(v) || v < 0) return Invalid(field, absl::StrCat(v, " (must be finite and >= 0)"));
    return absl::OkStatus();
  };
  NAS_RETURN_IF_ERROR(check_real("learning_rate", spec->learning_rate()));
  NAS_RETURN_IF_ERROR(check_real("momentum", spec->momentum()));
  NAS_RETURN_IF_ERROR(check_real("weight_decay", spec->weight_decay()));
  if (spec->learning_rate() == 0) spec->set_learning_rate(0.1);
  if (spec->momentum() == 0) spec->set_momentum(0.9);
  if (spec->momentum() >= 1) return Invalid("momentum", absl::StrCat(spec->momentum(), " (must be < 1)"));
  if (spec->weight_decay() == 0) spec->set_weight_decay(5e-4);
  if (spec->device().empty()) spec->set_device("cpu");
  if (spec->device() != "cpu" && spec->device() != "cuda")
    return Invalid("device", absl::StrCat("\"", spec->device(), "\" (known: cpu, cuda)"));
  if (spec->threads() < 0) return Invalid("threads", "must be > 0");
  if (spec->threads() == 0) spec->set_threads(1);
  return CheckTrainSpecLimits(*spec);
}

absl::Status CheckHasChildNetwork(const std::string& space_name) { return FindChildNetwork(space_name).status(); }

absl::Status CheckTrainable(const SearchSpace& space, const proto::TrainSpec& spec) {
  NAS_ASSIGN_OR_RETURN(const ChildNetworkFamily* family, FindChildNetwork(space.name()));
  return family->check ? family->check(space, spec) : absl::OkStatus();
}

absl::StatusOr<TrainResult> TrainChild(const SearchSpace& space, const Actions& arch, const proto::TrainSpec& spec,
                                       const Dataset& data, uint64_t seed) {
  NAS_RETURN_IF_ERROR(FindChildNetwork(space.name()).status());
  if (!space.IsValid(arch))
    return absl::InvalidArgumentError(absl::StrCat("arch: not a valid ", space.name(), " architecture (", arch.size(),
                                                   " decisions)"));
  if (spec.epochs() <= 0 || spec.batch_size() <= 0 || spec.threads() <= 0)
    return absl::InvalidArgumentError("spec: not resolved (call ResolveTrainSpec first)");
  if (data.train().size == 0) return absl::InvalidArgumentError("data.train_size: the train split is empty");

  TrainResult result;
  auto prepared = PrepareDevice(spec, &result.device);
  if (!prepared.ok()) return prepared.status();
  const torch::Device device = *prepared;

  ChildInput input;
  input.channels = data.channels();
  input.image_size = data.image_size();
  input.num_classes = data.num_classes();
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<ChildNetwork> net, BuildChildNetwork(space, arch, spec.network(), input));
  return TrainNetwork(*net, spec, data, seed, device, std::move(result));
}

}  // namespace nas
