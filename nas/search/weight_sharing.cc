#include "nas/search/weight_sharing.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "nas/util/field_check.h"
#include "nas/util/status.h"

namespace nas {
namespace {

WeightSharingFactory& Factory() {
  static auto* f = new WeightSharingFactory();
  return *f;
}

absl::Status Resolve(proto::Method* m) {
  auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat("method '", m->label(), "' (", m->name(), "): ", why));
  };
  if (m->params_case() != proto::Method::PARAMS_NOT_SET && !m->has_weight_sharing())
    return bad("takes `weight_sharing { ... }` params");
  absl::Status s = ResolveWeightSharingParams(m->mutable_weight_sharing());
  return s.ok() ? s : bad(std::string(s.message()));
}

absl::StatusOr<std::unique_ptr<Strategy>> Create(const StrategyContext& c, bool controller) {
  if (!Factory())
    return absl::UnimplementedError("the weight-sharing methods need LibTorch (run them with nas-torch)");
  if (c.evaluator == nullptr) return absl::FailedPreconditionError("the weight-sharing methods own a supernet evaluator");
  return Factory()(c, controller);
}

const bool kRegistered =
    RegisterStrategy(StrategyInfo{"enas",
                                  "ENAS: LSTM controller over a weight-sharing supernet (NB201 cell space)", Resolve,
                                  [](const StrategyContext& c) { return Create(c, true); }, kSupernetEvaluator}) &&
    RegisterStrategy(StrategyInfo{"rsps", "RSPS: uniform sampling over a weight-sharing supernet (NB201 cell space)",
                                  Resolve, [](const StrategyContext& c) { return Create(c, false); },
                                  kSupernetEvaluator});

}  // namespace

absl::Status ResolveWeightSharingParams(proto::WeightSharingParams* p) {
  const std::string f = "weight_sharing.";
  if (p->batchnorm().empty()) p->set_batchnorm("running");
  if (!p->has_controller_steps()) p->set_controller_steps(30);
  if (!p->has_archs_per_step()) p->set_archs_per_step(20);
  if (!p->has_derive_samples()) p->set_derive_samples(100);
  if (!p->has_lstm_hidden()) p->set_lstm_hidden(32);
  if (!p->has_lstm_layers()) p->set_lstm_layers(2);
  if (p->init_range() == 0) p->set_init_range(0.1);
  if (p->temperature() == 0) p->set_temperature(5.0);
  if (p->tanh_constant() == 0) p->set_tanh_constant(2.5);
  if (p->entropy_weight() == 0) p->set_entropy_weight(1e-4);
  if (p->baseline_decay() == 0) p->set_baseline_decay(0.99);
  if (p->learning_rate() == 0) p->set_learning_rate(1e-3);
  if (p->adam_beta2() == 0) p->set_adam_beta2(0.999);
  if (p->adam_eps() == 0) p->set_adam_eps(1e-3);
  if (p->grad_clip() == 0) p->set_grad_clip(5.0);
  if (p->batchnorm() != "running" && p->batchnorm() != "batch")
    return absl::InvalidArgumentError(absl::StrCat(f, "batchnorm: \"", p->batchnorm(), "\" (known: running, batch)"));
  NAS_RETURN_IF_ERROR(CheckIntRange(f + "controller_steps", p->controller_steps(), 1, 100000));
  NAS_RETURN_IF_ERROR(CheckIntRange(f + "archs_per_step", p->archs_per_step(), 1, 100000));
  NAS_RETURN_IF_ERROR(CheckIntRange(f + "derive_samples", p->derive_samples(), 1, 100000));
  NAS_RETURN_IF_ERROR(CheckIntRange(f + "lstm_hidden", p->lstm_hidden(), 1, 512));
  NAS_RETURN_IF_ERROR(CheckIntRange(f + "lstm_layers", p->lstm_layers(), 1, 8));
  NAS_RETURN_IF_ERROR(CheckRealRange(f + "init_range", p->init_range(), {0, 1, true}));
  NAS_RETURN_IF_ERROR(CheckRealRange(f + "temperature", p->temperature(), {0, 1e6, true}));
  NAS_RETURN_IF_ERROR(CheckRealRange(f + "tanh_constant", p->tanh_constant(), {0, 1e6, true}));
  NAS_RETURN_IF_ERROR(CheckRealRange(f + "entropy_weight", p->entropy_weight(), {0, 100}));
  NAS_RETURN_IF_ERROR(CheckRealRange(f + "baseline_decay", p->baseline_decay(), {0, 1, true, true}));
  NAS_RETURN_IF_ERROR(CheckRealRange(f + "learning_rate", p->learning_rate(), {0, 10, true}));
  NAS_RETURN_IF_ERROR(CheckRealRange(f + "adam_beta1", p->adam_beta1(), {0, 1, false, true}));
  NAS_RETURN_IF_ERROR(CheckRealRange(f + "adam_beta2", p->adam_beta2(), {0, 1, true, true}));
  NAS_RETURN_IF_ERROR(CheckRealRange(f + "adam_eps", p->adam_eps(), {0, 1, true}));
  NAS_RETURN_IF_ERROR(CheckRealRange(f + "grad_clip", p->grad_clip(), {0, 1e6, true}));
  NAS_RETURN_IF_ERROR(CheckText(f + "table", p->table(), kMaxPathBytes));
  NAS_RETURN_IF_ERROR(CheckText(f + "table_dataset", p->table_dataset()));
  if (p->table().empty() && !p->table_dataset().empty())
    return absl::InvalidArgumentError(absl::StrCat(f, "table_dataset: \"", p->table_dataset(), "\" without a table"));
  return absl::OkStatus();
}

bool RegisterWeightSharingFactory(WeightSharingFactory factory) {
  NAS_CHECK(!Factory());
  Factory() = std::move(factory);
  return true;
}

bool HasWeightSharing() { return static_cast<bool>(Factory()); }

bool IsWeightSharingMethod(const std::string& name) { return name == "enas" || name == "rsps"; }

}  // namespace nas
