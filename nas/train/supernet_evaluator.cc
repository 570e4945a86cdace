#include "nas/train/supernet_evaluator.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <torch/serialize/archive.h>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "nas/search/weight_sharing.h"
#include "nas/table/table.h"
#include "nas/table/table_index.h"
#include "nas/table/table_io.h"
#include "nas/proto/train.pb.h"
#include "nas/util/text_proto.h"
#include "nas/train/trainer.h"
#include "nas/util/exception_status.h"
#include "nas/util/sha256.h"
#include "nas/util/status.h"

namespace nas {

SupernetEvaluator::~SupernetEvaluator() = default;

namespace {

// The truth table's build spec must have the data and skeleton of `train` (both resolved).
absl::Status CheckTableMatches(const Table& table, const std::string& path, const proto::TrainSpec& train) {
  auto bad = [&](const std::string& why) {
    return absl::FailedPreconditionError(absl::StrCat(path, ": weight_sharing.table: ", why));
  };
  if (table.space() != "nb201") return bad(absl::StrCat("space \"", table.space(), "\", not nb201"));
  auto it = table.attributes().find("spec");
  if (it == table.attributes().end())
    return bad("has no build spec (\"spec\" attribute): only tables built by `nas build-table` are a truth");
  auto spec = std::make_unique<proto::TableBuildSpec>();
  if (absl::Status parsed = ParseTextProto(it->second, path, spec.get()); !parsed.ok())
    return bad(std::string(parsed.message()));
  if (spec->space() != "nb201") return bad(absl::StrCat("built on space \"", spec->space(), "\", not nb201"));
  proto::DatasetSpec a = spec->train().data(), b = train.data();
  a.clear_path();
  b.clear_path();
  if (!google::protobuf::util::MessageDifferencer::Equals(a, b))
    return bad(absl::StrCat("its data {", a.ShortDebugString(), "} differs from benchmark.train.data {",
                            b.ShortDebugString(), "}"));
  const proto::NetworkSpec &n = spec->train().network(), &m = train.network();
  if (n.channels() != m.channels() || n.cells_per_stage() != m.cells_per_stage())
    return bad(absl::StrCat("its skeleton (channels ", n.channels(), ", cells_per_stage ", n.cells_per_stage(),
                            ") differs from benchmark.train.network (channels ", m.channels(), ", cells_per_stage ",
                            m.cells_per_stage(), ")"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<SupernetEvaluator>> SupernetEvaluator::Create(const EvaluatorContext& c) {
  if (c.method == nullptr || !c.method->has_weight_sharing())
    return absl::InvalidArgumentError("the supernet evaluator needs a method with `weight_sharing { ... }` params");
  const proto::WeightSharingParams& p = c.method->weight_sharing();
  const std::string who = absl::StrCat("method '", c.method->label(), "' (", c.method->name(), "): ");
  if (!c.benchmark->has_train())
    return absl::InvalidArgumentError(absl::StrCat(
        who, "benchmark.train: a weight-sharing method trains a supernet; give benchmark { train { ... } } (the "
        "table to judge it by goes in weight_sharing.table)"));
  if (c.space == nullptr || c.space->name() != "nb201")
    return absl::InvalidArgumentError(absl::StrCat(who, "benchmark.space: \"", c.space ? c.space->name() : "",
                                                   "\" has no supernet (only nb201 has one)"));
  std::unique_ptr<SupernetEvaluator> e(new SupernetEvaluator());
  e->space_ = c.space;
  e->seed_ = c.seed;
  *e->spec_.mutable_train() = c.benchmark->train();
  e->spec_.set_batchnorm(p.batchnorm());
  absl::Status resolved = ResolveSupernetSpec(&e->spec_);
  if (!resolved.ok()) return absl::Status(resolved.code(), absl::StrCat(who, "benchmark.", resolved.message()));
  // The truth table's errors name the method, then the table.
  absl::Status truth = [&]() -> absl::Status {
    if (p.table().empty()) return absl::OkStatus();
    auto table = ReadTable(p.table());
    if (!table.ok())
      return absl::Status(table.status().code(), absl::StrCat("weight_sharing.table: ", table.status().message()));
    e->table_ = std::move(*table);
    e->method_table_path_ = p.table();
    NAS_RETURN_IF_ERROR(CheckTableMatches(*e->table_, p.table(), e->spec_.train()));
    if (p.table_dataset().empty() && e->table_->datasets().size() != 1)
      return absl::InvalidArgumentError(absl::StrCat(p.table(), ": weight_sharing.table_dataset: the table has ",
                                                     e->table_->datasets().size(), " datasets; name one"));
    const std::string name = p.table_dataset().empty() ? e->table_->datasets()[0].name() : p.table_dataset();
    auto d = e->table_->dataset(name);
    if (!d.ok())
      return absl::Status(d.status().code(),
                          absl::StrCat(p.table(), ": weight_sharing.table_dataset: ", d.status().message()));
    NAS_RETURN_IF_ERROR(CheckTableSpace(*e->table_, *c.space));
    e->truth_ = *d;
    e->truth_fidelity_ = static_cast<int>(e->truth_->fidelities().size()) - 1;
    const int slot = e->truth_->mean_slot();
    double time_sum = 0, best = -1;
    int64_t timed = 0;
    for (int64_t a = 0; a < e->truth_->num_archs(); ++a) {
      const double t = e->truth_->at(a, 0, slot).train_time;
      if (std::isfinite(t)) time_sum += t, ++timed;
      const double test = e->truth_->at(a, e->truth_fidelity_, slot).test_acc;
      if (std::isfinite(test)) best = std::max(best, test);
    }
    if (timed == 0)
      return absl::FailedPreconditionError(absl::StrCat(p.table(), ": weight_sharing.table: no train_time at ",
                                                        e->truth_->fidelities()[0], " epochs (the clock's unit)"));
    e->unit_s_ = time_sum / timed / e->truth_->fidelities()[0];
    e->best_test_ = best;
    return absl::OkStatus();
  }();
  if (!truth.ok()) return absl::Status(truth.code(), absl::StrCat(who, truth.message()));
  auto data = LoadDataset(e->spec_.train().data());
  if (!data.ok()) return absl::Status(data.status().code(), absl::StrCat(who, data.status().message()));
  auto weights = SharedWeights::Create(e->spec_, *data, c.seed);
  if (!weights.ok()) return absl::Status(weights.status().code(), absl::StrCat(who, "benchmark.", weights.status().message()));
  e->weights_ = std::move(*weights);
  e->train_size_ = e->spec_.train().data().train_size();
  e->valid_size_ = e->weights_->valid_size();
  e->batch_ = e->spec_.train().batch_size();
  if (e->train_size_ <= 0) e->train_size_ = e->weights_->steps_per_epoch() * e->batch_;
  return e;
}

absl::StatusOr<Evaluation> SupernetEvaluator::EvaluateAt(const Actions& arch, int fidelity, Rng&) const {
  if (fidelity < 0) fidelity = kMinibatch;
  Evaluation ev;
  std::vector<std::function<absl::Status()>> tasks;
  tasks.swap(tasks_);
  for (const auto& task : tasks) NAS_RETURN_IF_ERROR(task());
  std::vector<SharedWeights::Sampler> scheduled;
  scheduled.swap(scheduled_);
  for (const SharedWeights::Sampler& sample : scheduled) {
    NAS_ASSIGN_OR_RETURN(SupernetEpoch m, weights_->TrainEpoch(sample));
    CurvePoint point;
    point.epoch = m.epoch;
    point.train_loss = m.train_loss;
    point.train_acc = m.train_acc;
    point.valid_loss = point.valid_acc = point.test_loss = point.test_acc = NAN;
    point.train_time = m.seconds;  // measured compute seconds, beside the clock's charge
    ev.curve.push_back(point);
    ev.cost_s += unit_s_;
  }
  int64_t first = 0, count = valid_size_;
  if (fidelity == kMinibatch) {
    const int64_t batches = (valid_size_ + batch_ - 1) / batch_;
    first = (next_minibatch_++ % batches) * batch_;
    count = std::min(batch_, valid_size_ - first);
  }
  NAS_ASSIGN_OR_RETURN(ev.valid_acc, weights_->ValidAccuracy(arch, first, count));
  ev.fidelity = fidelity;
  ev.slot = first;
  ev.cost_s += unit_s_ * static_cast<double>(count) / (3.0 * static_cast<double>(train_size_));
  ev.test_acc = NAN;
  if (truth_ != nullptr) {
    const int64_t row = RowOf(*table_, *space_, arch);
    if (row >= 0) ev.test_acc = truth_->at(row, truth_fidelity_, truth_->mean_slot()).test_acc;
  }
  return ev;
}

int SupernetEvaluator::search_epochs() const { return spec_.train().epochs(); }
int SupernetEvaluator::report_epochs() const {
  return truth_ != nullptr ? truth_->fidelities()[truth_fidelity_] : spec_.train().epochs();
}
int SupernetEvaluator::epochs() const { return spec_.train().epochs(); }
int SupernetEvaluator::epochs_done() const { return weights_->epochs_done(); }
int64_t SupernetEvaluator::steps_per_epoch() const { return weights_->steps_per_epoch(); }
std::string SupernetEvaluator::WeightsSha256() const { return weights_->WeightsSha256(); }

absl::StatusOr<double> SupernetEvaluator::WholeSplitAccuracy(const Actions& arch) const {
  return weights_->ValidAccuracy(arch);
}

absl::StatusOr<std::map<std::string, std::string>> SupernetEvaluator::Provenance() const {
  std::map<std::string, std::string> a;
  if (truth_ == nullptr) return a;
  const std::string& path = method_table_path_;
  NAS_ASSIGN_OR_RETURN(a["truth_table_sha256"], Sha256File(path));
  a["truth_table_path"] = path;
  a["truth_table_values_sha256"] = table_->values_sha256();
  a["truth_dataset"] = truth_->name();
  a["truth_epochs"] = absl::StrCat(truth_->fidelities()[truth_fidelity_]);
  a["truth_best_test_acc"] = absl::StrCat(best_test_);
  a["clock_unit_s"] = absl::StrCat(unit_s_);
  return a;
}

std::string SupernetEvaluator::Identity() const {
  return absl::StrCat("supernet ", spec_.ShortDebugString(), " seed ", seed_, "; ", Describe());
}

void SupernetEvaluator::Save(torch::serialize::OutputArchive& archive) const {
  torch::serialize::OutputArchive weights;
  weights_->Save(weights);
  archive.write("shared_weights", weights);
  archive.write("next_minibatch", c10::IValue(next_minibatch_));
}

absl::Status SupernetEvaluator::Load(torch::serialize::InputArchive& archive) {
  try {
    torch::serialize::InputArchive weights;
    archive.read("shared_weights", weights);
    NAS_RETURN_IF_ERROR(weights_->Load(weights));
    c10::IValue next;
    archive.read("next_minibatch", next);
    next_minibatch_ = next.toInt();
  } catch (...) {
    return CurrentExceptionToStatus("supernet evaluator state");
  }
  return absl::OkStatus();
}

std::string SupernetEvaluator::truth_dataset() const { return truth_ != nullptr ? truth_->name() : ""; }

std::string SupernetEvaluator::Describe() const {
  return absl::StrCat("supernet (batchnorm ", spec_.batchnorm(), ") on ", spec_.train().data().name(),
                      truth_ != nullptr ? absl::StrCat(", truth table ", truth_->name(), " (", unit_s_,
                                                       " s per child epoch)")
                                        : std::string(", no truth table (1 s per child epoch)"));
}

namespace {

const bool kRegistered = RegisterEvaluator(EvaluatorInfo{
    kSupernetEvaluator, "weight-sharing supernet of the NB201 cell space (enas, rsps)",
    [](const EvaluatorContext& c) -> absl::StatusOr<std::unique_ptr<Evaluator>> {
      NAS_ASSIGN_OR_RETURN(std::unique_ptr<SupernetEvaluator> e, SupernetEvaluator::Create(c));
      return std::unique_ptr<Evaluator>(std::move(e));
    }});

}  // namespace

}  // namespace nas
