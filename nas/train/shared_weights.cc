#include "nas/train/shared_weights.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nas/train/network.h"
#include "nas/train/supernet.h"
#include "nas/train/train_util.h"
#include "nas/train/trainer.h"
#include "nas/util/exception_status.h"
#include "nas/util/rng.h"
#include "nas/util/status.h"

namespace nas {

absl::Status ResolveSupernetSpec(proto::SupernetSpec* spec) {
  absl::Status train = ResolveTrainSpec(spec->mutable_train());
  if (!train.ok()) return absl::Status(train.code(), absl::StrCat("train.", train.message()));
  if (spec->train().network().cell_kernels() == proto::NetworkSpec::SHARED_RELU)
    return absl::InvalidArgumentError(
        "train.network.cell_kernels: SHARED_RELU is for the standalone nb201 network; the supernet computes "
        "every edge as the NB201 authors do (ATEN)");
  if (spec->batchnorm().empty()) spec->set_batchnorm("running");
  if (spec->batchnorm() != "running" && spec->batchnorm() != "batch")
    return absl::InvalidArgumentError(
        absl::StrCat("batchnorm: \"", spec->batchnorm(), "\" (known: running, batch)"));
  const proto::DatasetSpec& data = spec->train().data();
  if (data.train_size() > 0 && spec->train().batch_size() > data.train_size())
    return absl::InvalidArgumentError(absl::StrCat("train.batch_size: ", spec->train().batch_size(),
                                                   " exceeds data.train_size ", data.train_size()));
  return absl::OkStatus();
}

struct SharedWeights::State {
  proto::SupernetSpec spec;
  std::shared_ptr<const Dataset> data;
  uint64_t seed = 0;
  torch::Device device{torch::kCPU};
  std::string device_name;
  Nb201Supernet net{nullptr};
  DeviceSplit train, valid;
  std::unique_ptr<torch::optim::SGD> optimizer;
  int epochs_done = 0;
  int64_t step = 0, steps_per_epoch = 0;
  bool channels_last = false;  // batches in channels-last memory (the spec's memory layout)
};

SharedWeights::SharedWeights(std::unique_ptr<State> state) : state_(std::move(state)) {}
SharedWeights::~SharedWeights() = default;

absl::StatusOr<std::unique_ptr<SharedWeights>> SharedWeights::Create(const proto::SupernetSpec& spec,
                                                                     std::shared_ptr<const Dataset> data,
                                                                     uint64_t seed) {
  const proto::TrainSpec& train = spec.train();
  if (train.epochs() <= 0 || train.batch_size() <= 0 || train.threads() <= 0 || spec.batchnorm().empty())
    return absl::InvalidArgumentError("spec: not resolved (call ResolveSupernetSpec first)");
  if (train.batch_size() > data->train().size)
    return absl::InvalidArgumentError(absl::StrCat("train.batch_size: ", train.batch_size(),
                                                   " exceeds the train split (", data->train().size, " images)"));
  if (data->valid().size == 0) return absl::InvalidArgumentError("train.data.valid_size: the validation split is empty");
  auto state = std::make_unique<State>();
  state->spec = spec;
  state->data = data;
  state->seed = seed;
  auto device = PrepareDevice(train, &state->device_name);
  if (!device.ok()) return absl::Status(device.status().code(), absl::StrCat("train.", device.status().message()));
  state->device = *device;

  SupernetConfig config;
  config.channels = train.network().channels();
  config.cells_per_stage = train.network().cells_per_stage();
  config.in_channels = data->channels();
  config.num_classes = data->num_classes();
  config.batch_statistics = spec.batchnorm() == "batch";
  state->net = Nb201Supernet(config);
  state->net->InitWeights(seed);  // on the CPU, so every device starts from the same weights
  for (const auto& module : state->net->modules(/*include_self=*/false))
    if (auto* bn = module->as<torch::nn::BatchNorm2d>()) bn->options.momentum(train.network().bn_momentum());
  state->net->to(state->device);
  state->channels_last = ApplyMemoryLayout(*state->net, EffectiveMemoryLayout(train.network()));
  state->train = ToDevice(data->train(), *data, state->device);
  state->valid = ToDevice(data->valid(), *data, state->device);
  state->steps_per_epoch = (state->train.size + train.batch_size() - 1) / train.batch_size();
  state->optimizer = std::make_unique<torch::optim::SGD>(
      state->net->parameters(), torch::optim::SGDOptions(train.learning_rate())
                                    .momentum(train.momentum())
                                    .nesterov(train.nesterov())
                                    .weight_decay(train.weight_decay()));
  return std::unique_ptr<SharedWeights>(new SharedWeights(std::move(state)));
}

namespace {

absl::Status CheckArch(const std::vector<int>& arch) {
  bool ok = arch.size() == 6;
  for (int op : arch) ok = ok && op >= 0 && op < 5;
  if (!ok) return absl::InvalidArgumentError("arch: not an nb201 architecture (6 operation indices, each 0..4)");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SupernetEpoch> SharedWeights::TrainEpoch(const Sampler& sample) {
  State& s = *state_;
  const proto::TrainSpec& spec = s.spec.train();
  if (s.epochs_done >= spec.epochs())
    return absl::FailedPreconditionError(
        absl::StrCat("train.epochs: the schedule of ", spec.epochs(), " epochs is complete"));
  const bool channels_last = s.channels_last;
  const int64_t batch = spec.batch_size();
  const double total_steps = static_cast<double>(s.steps_per_epoch) * spec.epochs();
  const double lr0 = spec.learning_rate();
  SupernetEpoch m;
  m.epoch = s.epochs_done + 1;
  const auto start = std::chrono::steady_clock::now();
  s.net->train();
  std::vector<int64_t> order = EpochOrder(s.seed, s.epochs_done, s.train.size);
  torch::Tensor order_t = torch::from_blob(order.data(), {s.train.size}, torch::kLong).clone().to(s.device);
  std::vector<torch::Tensor> params = s.net->parameters();
  double loss_sum = 0;
  int64_t correct = 0;
  for (int64_t b = 0; b < s.train.size; b += batch, ++s.step, ++m.steps) {
    const std::vector<int> arch = sample(m.steps);
    NAS_RETURN_IF_ERROR(CheckArch(arch));
    const int64_t n = std::min(batch, s.train.size - b);
    torch::Tensor idx = order_t.narrow(0, b, n);
    torch::Tensor x = Layout(s.train.images.index_select(0, idx), channels_last);
    torch::Tensor y = s.train.labels.index_select(0, idx);
    const double lr = 0.5 * lr0 * (1.0 + std::cos(M_PI * s.step / total_steps));
    for (auto& group : s.optimizer->param_groups()) static_cast<torch::optim::SGDOptions&>(group.options()).lr(lr);
    // No gradient at all (not a zero one) for the operations this architecture does not use, so SGD leaves
    // them, their momentum and their weight decay alone.
    for (torch::Tensor& p : params) p.mutable_grad() = torch::Tensor();
    torch::Tensor logits = s.net->forward(x, arch);
    torch::Tensor loss = CrossEntropy(logits, y);
    loss.backward();
    s.optimizer->step();
    loss_sum += loss.item<double>() * n;
    correct += logits.detach().argmax(1).eq(y).sum().item<int64_t>();
  }
  ++s.epochs_done;
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.train_loss = loss_sum / s.train.size;
  m.train_acc = 100.0 * correct / s.train.size;
  if (!std::isfinite(m.train_loss))
    return absl::InternalError(absl::StrCat("supernet training diverged (loss ", m.train_loss, ") in epoch ", m.epoch));
  return m;
}

absl::StatusOr<SupernetEpoch> SharedWeights::TrainEpochUniform() {
  Rng rng(DeriveSeed(state_->seed, state_->epochs_done, "supernet/uniform-arch"));
  return TrainEpoch([&rng](int64_t) {
    std::vector<int> arch(6);
    for (int& op : arch) op = static_cast<int>(rng.UniformInt(5));
    return arch;
  });
}

absl::StatusOr<double> SharedWeights::ValidAccuracy(const std::vector<int>& arch, int64_t first, int64_t count) {
  NAS_RETURN_IF_ERROR(CheckArch(arch));
  State& s = *state_;
  if (count < 0) count = s.valid.size - first;
  if (first < 0 || count <= 0 || first + count > s.valid.size)
    return absl::InvalidArgumentError(absl::StrCat("valid range [", first, ", ", first + count,
                                                   ") is not inside the validation split of ", s.valid.size));
  torch::NoGradGuard no_grad;
  s.net->eval();
  const bool channels_last = s.channels_last;
  const int64_t batch = s.spec.train().batch_size();
  int64_t correct = 0;
  for (int64_t b = first; b < first + count; b += batch) {
    const int64_t n = std::min(batch, first + count - b);
    torch::Tensor x = Layout(s.valid.images.narrow(0, b, n), channels_last), y = s.valid.labels.narrow(0, b, n);
    correct += s.net->forward(x, arch).argmax(1).eq(y).sum().item<int64_t>();
  }
  return 100.0 * correct / count;
}

int SharedWeights::epochs_done() const { return state_->epochs_done; }
int64_t SharedWeights::steps_per_epoch() const { return state_->steps_per_epoch; }
int64_t SharedWeights::valid_size() const { return state_->valid.size; }
const std::string& SharedWeights::device() const { return state_->device_name; }
std::string SharedWeights::WeightsSha256() const { return nas::WeightsSha256(*state_->net); }

void SharedWeights::Save(torch::serialize::OutputArchive& archive) const {
  const State& s = *state_;
  torch::serialize::OutputArchive tensors, optimizer;
  for (const auto& p : s.net->named_parameters()) tensors.write("p/" + p.key(), p.value().detach());
  for (const auto& b : s.net->named_buffers()) tensors.write("b/" + b.key(), b.value(), /*is_buffer=*/true);
  s.optimizer->save(optimizer);
  archive.write("tensors", tensors);
  archive.write("optimizer", optimizer);
  archive.write("epochs_done", c10::IValue(static_cast<int64_t>(s.epochs_done)));
  archive.write("step", c10::IValue(s.step));
}

absl::Status SharedWeights::Load(torch::serialize::InputArchive& archive) {
  State& s = *state_;
  try {
    torch::serialize::InputArchive tensors, optimizer;
    archive.read("tensors", tensors);
    archive.read("optimizer", optimizer);
    torch::NoGradGuard no_grad;
    auto copy_into = [&](const std::string& key, torch::Tensor target, bool buffer) -> absl::Status {
      torch::Tensor saved;
      tensors.read(key, saved, buffer);
      if (!saved.sizes().equals(target.sizes()) || saved.scalar_type() != target.scalar_type())
        return absl::DataLossError(absl::StrCat("supernet entry ", key, " has shape ", c10::str(saved.sizes()),
                                                ", expected ", c10::str(target.sizes())));
      target.copy_(saved);
      return absl::OkStatus();
    };
    for (const auto& p : s.net->named_parameters()) NAS_RETURN_IF_ERROR(copy_into("p/" + p.key(), p.value(), false));
    for (const auto& b : s.net->named_buffers()) NAS_RETURN_IF_ERROR(copy_into("b/" + b.key(), b.value(), true));
    s.optimizer->load(optimizer);
    c10::IValue epochs, step;
    archive.read("epochs_done", epochs);
    archive.read("step", step);
    if (epochs.toInt() < 0 || epochs.toInt() > s.spec.train().epochs() ||
        step.toInt() != epochs.toInt() * s.steps_per_epoch)
      return absl::DataLossError(absl::StrCat("supernet state after ", epochs.toInt(), " epochs and ", step.toInt(),
                                              " steps does not fit this schedule"));
    s.epochs_done = static_cast<int>(epochs.toInt());
    s.step = step.toInt();
  } catch (...) {
    return CurrentExceptionToStatus("supernet state");
  }
  return absl::OkStatus();
}

}  // namespace nas
