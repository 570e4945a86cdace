#include "nas/experiment/table_evaluator.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "absl/strings/str_cat.h"
#include "nas/space/analytic_cost.h"
#include "nas/table/table_index.h"
#include "nas/util/status.h"

namespace nas {

int64_t TableEvaluator::SparseRow(const Actions& actions) const { return RowOf(*table_, *space_, actions); }

absl::Status TableEvaluator::MissingArchitecture(const Actions& actions) const {
  if (!space_->IsValid(actions))
    return absl::InvalidArgumentError(
        absl::StrCat("architecture ", space_->ToString(actions), " is not a valid architecture of space '",
                     space_->name(), "'"));
  return absl::NotFoundError(absl::StrCat(
      "architecture ", space_->ToString(actions), " (key ", space_->CanonicalKey(actions), ") has no row in the ",
      table_->num_archs(), "-row sparse table; it is valid in space '", space_->name(),
      "', so the table lacks it (a gap in the benchmark)"));
}

absl::StatusOr<Evaluation> TableEvaluator::LookupAt(int64_t arch, int fidelity, Rng& rng) const {
  NAS_CHECK(fidelity >= 0 && fidelity < static_cast<int>(dataset_->fidelities().size()));
  int slot = mean_slot_;
  if (sample_) {
    std::vector<int> valid;
    for (int s = 0; s < mean_slot_; ++s)
      if (std::isfinite(dataset_->at(arch, fidelity, s).valid_acc)) valid.push_back(s);
    if (!valid.empty()) slot = valid[valid.size() == 1 ? 0 : rng.UniformInt(valid.size())];
  }
  const TableEntry& s = dataset_->at(arch, fidelity, slot);
  const int epochs = dataset_->fidelities()[fidelity];
  if (!std::isfinite(s.valid_acc))
    return absl::FailedPreconditionError(absl::StrCat(
        "dataset '", dataset_->name(), "' has no validation accuracy at ", epochs, " epochs for architecture ",
        sparse_ ? table_->row_archs()[arch] : space_->ToString(space_->FromOrdinal(arch)), " (row ", arch, ")"));
  Evaluation e;
  e.valid_acc = s.valid_acc;
  e.test_acc = dataset_->at(arch, report_fidelity_, mean_slot_).test_acc;
  e.cost_s = fixed_cost_ > 0 ? fixed_cost_ * epochs / search_epochs() : (std::isnan(s.train_time) ? 0.0 : s.train_time);
  e.slot = slot;
  e.fidelity = fidelity;
  if (!params_m_.empty()) e.params_m = params_m_[arch];
  if (!flops_m_.empty()) e.flops_m = flops_m_[arch];
  return e;
}

void TableEvaluator::FillCosts(const Table& table, const SearchSpace& space, const std::string& dataset) {
  auto any_finite = [](const std::vector<double>& v) {
    return std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
  };
  if (any_finite(table.params_m())) params_m_ = table.params_m();
  if (any_finite(table.flops_m())) flops_m_ = table.flops_m();
  if (!params_m_.empty() || !flops_m_.empty()) {
    cost_source_ = "table";
    return;
  }
  // A dense table without counts: the space's analytic model, when it recognises the table (analytic_cost.h).
  if (table.sparse()) return;
  std::optional<AnalyticCosts> analytic = AnalyticTableCosts(space, table.num_archs(), table.attributes(), dataset);
  if (!analytic) return;
  params_m_ = std::move(analytic->params_m);
  flops_m_ = std::move(analytic->flops_m);
  cost_source_ = std::move(analytic->source);
}

absl::StatusOr<TableEvaluator> TableEvaluator::Create(const Table& table, const SearchSpace& space,
                                                      const proto::Benchmark& benchmark, bool budget_in_seconds) {
  TableEvaluator ev;
  ev.table_ = &table;
  ev.space_ = &space;
  ev.sparse_ = table.sparse();
  NAS_RETURN_IF_ERROR(CheckTableSpace(table, space));
  NAS_ASSIGN_OR_RETURN(ev.dataset_, table.dataset(benchmark.dataset()));
  const TableDataset& d = *ev.dataset_;
  const int largest = *std::max_element(d.fidelities().begin(), d.fidelities().end());
  NAS_ASSIGN_OR_RETURN(ev.search_fidelity_,
                       d.FidelityIndex(benchmark.search_epochs() ? benchmark.search_epochs() : largest));
  NAS_ASSIGN_OR_RETURN(ev.report_fidelity_,
                       d.FidelityIndex(benchmark.report_epochs() ? benchmark.report_epochs() : largest));
  ev.mean_slot_ = d.mean_slot();
  ev.sample_ = benchmark.seed_mode() == proto::SAMPLE;
  ev.fixed_cost_ = benchmark.cost_per_evaluation_s();
  if (ev.sample_ && d.seeds().empty())
    return absl::InvalidArgumentError(absl::StrCat("seed_mode SAMPLE needs per-seed results, but dataset '", d.name(),
                                                   "' only has means; use seed_mode: MEAN"));

  // Rows, not the space's ordinals: a sparse table's rows are its measured architectures.
  int64_t missing = 0, first_missing = -1;
  bool times_missing = false;
  ev.best_test_ = -INFINITY;
  if (ev.sample_) ev.valid_slots_.resize(d.num_archs());
  for (int64_t a = 0; a < d.num_archs(); ++a) {
    const TableEntry& m = d.at(a, ev.search_fidelity_, ev.mean_slot_);
    const double test = d.at(a, ev.report_fidelity_, ev.mean_slot_).test_acc;
    bool ok = std::isfinite(m.valid_acc) && std::isfinite(test);
    if (ev.sample_) {
      for (int s = 0; s < ev.mean_slot_; ++s) {
        const TableEntry& e = d.at(a, ev.search_fidelity_, s);
        if (std::isfinite(e.valid_acc)) ev.valid_slots_[a].push_back(s);
        if (std::isfinite(e.valid_acc) && !std::isfinite(e.train_time)) times_missing = true;
      }
      ok = ok && !ev.valid_slots_[a].empty();
    } else if (!std::isfinite(m.train_time)) {
      times_missing = true;
    }
    if (!ok) {
      if (first_missing < 0) first_missing = a;
      ++missing;
      continue;
    }
    ev.best_test_ = std::max(ev.best_test_, test);
  }
  if (missing > 0)
    return absl::FailedPreconditionError(absl::StrCat(
        "dataset '", d.name(), "' lacks the validation accuracy at ", ev.search_epochs(), " epochs or the test accuracy at ",
        ev.report_epochs(), " epochs for ", missing, " architectures (first: row ", first_missing, ", ",
        table.sparse() ? table.row_archs()[first_missing] : space.ToString(space.FromOrdinal(first_missing)), ")"));
  ev.FillCosts(table, space, d.name());
  if (budget_in_seconds && ev.fixed_cost_ == 0 && times_missing)
    return absl::FailedPreconditionError(
        absl::StrCat("dataset '", d.name(), "' has no training times, so a budget in simulated_seconds needs "
                     "benchmark.cost_per_evaluation_s"));
  return ev;
}

namespace {
const bool kRegistered = RegisterEvaluator(EvaluatorInfo{
    "table", "lookup in a tabular benchmark (benchmark.table)",
    [](const EvaluatorContext& c) -> absl::StatusOr<std::unique_ptr<Evaluator>> {
      NAS_CHECK(c.benchmark != nullptr && c.space != nullptr);
      if (c.table == nullptr) return absl::FailedPreconditionError("the table evaluator needs an opened table");
      NAS_ASSIGN_OR_RETURN(TableEvaluator ev, TableEvaluator::Create(*c.table, *c.space, *c.benchmark, c.budget_in_seconds));
      return std::unique_ptr<Evaluator>(std::make_unique<TableEvaluator>(std::move(ev)));
    }});
}  // namespace

}  // namespace nas
