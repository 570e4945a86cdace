#include "nas/experiment/config.h"

#include <sys/stat.h>

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "nas/experiment/config_limits.h"
#include "nas/experiment/reward.h"
#include "nas/search/strategy.h"
#include "nas/util/status.h"
#include "nas/util/text_proto.h"

namespace nas {

absl::StatusOr<proto::Experiment> ParseExperiment(const std::string& text, const std::string& origin) {
  proto::Experiment experiment;
  NAS_RETURN_IF_ERROR(ParseTextProto(text, origin, &experiment));
  return experiment;
}

absl::StatusOr<proto::Experiment> ReadExperimentFile(const std::string& path) {
  // Opening a FIFO blocks until a writer appears: only regular files are read.
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
    return absl::InvalidArgumentError(absl::StrCat(path, ": is not a regular file (a FIFO, device or socket)"));
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot open the experiment config"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseExperiment(buffer.str(), path);
}

absl::Status ResolveExperiment(proto::Experiment* e, const std::string& origin) {
  auto bad = [&](const std::string& why) { return absl::InvalidArgumentError(absl::StrCat(origin, ": ", why)); };
  if (absl::Status s = CheckExperimentText(*e); !s.ok()) return bad(std::string(s.message()));
  if (e->name().empty()) e->set_name("experiment");
  proto::Benchmark* b = e->mutable_benchmark();
  if (b->has_train()) {
    if (!b->table().empty()) return bad("benchmark: give either `table` or `train`, not both");
    if (b->space().empty()) b->set_space("nb201");
    NAS_RETURN_IF_ERROR(ResolveSpaceParams(b, origin));
    if (b->report_datasets_size() > 0) return bad("benchmark.report_datasets needs a table (datasets of the same table)");
    if (b->dataset().empty()) b->set_dataset(b->train().data().name());
    if (b->seed_mode() == proto::SAMPLE) return bad("benchmark.seed_mode SAMPLE needs a table; training draws its own seeds");
    if (e->budget().limit_case() == proto::Budget::kSimulatedSeconds && b->cost_per_evaluation_s() == 0)
      return bad("a budget in simulated_seconds with `train` needs benchmark.cost_per_evaluation_s (wall time is not deterministic)");
    // The training spec itself is resolved (defaults, validation) by the train evaluator before any I/O.
  } else {
    if (b->table().empty()) return bad("benchmark.table is required (or give --table)");
    if (!b->space().empty()) return bad("benchmark.space is only for `train`; a table names its own space");
    if (b->has_space_params()) return bad("benchmark.space_params is only for `train`; a table names its own space");
  }
  if (b->has_reward()) NAS_RETURN_IF_ERROR(ResolveReward(b->mutable_reward(), origin));
  if (b->dataset().empty()) return bad("benchmark.dataset is required (e.g. \"cifar10-valid\")");
  if (b->search_epochs() < 0 || b->report_epochs() < 0) return bad("benchmark epochs must be >= 0");
  if (b->seed_mode() == proto::SEED_MODE_UNSPECIFIED) b->set_seed_mode(proto::MEAN);
  if (!(b->cost_per_evaluation_s() >= 0) || !std::isfinite(b->cost_per_evaluation_s()))
    return bad("benchmark.cost_per_evaluation_s must be a finite number >= 0");

  const proto::Budget& budget = e->budget();
  switch (budget.limit_case()) {
    case proto::Budget::kEvaluations:
      if (budget.evaluations() < 1) return bad("budget.evaluations must be >= 1");
      break;
    case proto::Budget::kSimulatedSeconds:
      if (!(budget.simulated_seconds() > 0) || !std::isfinite(budget.simulated_seconds()))
        return bad("budget.simulated_seconds must be a finite number > 0");
      break;
    default:
      return bad("budget needs `evaluations` or `simulated_seconds`");
  }
  if (budget.has_workers() && budget.workers() < 1) return bad("budget.workers must be >= 1");
  if (e->seeds().runs() < 1) return bad("seeds.runs must be >= 1");
  if (e->seeds().first_run() < 0) return bad("seeds.first_run must be >= 0");
  if (e->methods().empty()) return bad("at least one `methods { name: ... }` is required");

  std::set<std::string> labels;
  for (proto::Method& m : *e->mutable_methods()) {
    if (m.name().empty()) return bad("every method needs a name");
    auto info = FindStrategy(m.name());
    if (!info.ok()) return bad(std::string(info.status().message()));
    if (m.label().empty()) m.set_label(m.name());
    for (char c : m.label())
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
        return bad(absl::StrCat("method label '", m.label(), "' may only hold letters, digits, '_', '-', '.'"));
    if (!labels.insert(m.label()).second)
      return bad(absl::StrCat("two methods are labelled '", m.label(), "'; give each a unique `label`"));
    absl::Status s = (*info)->resolve(&m);
    if (!s.ok()) return bad(std::string(s.message()));
  }
  if (absl::Status s = CheckExperimentLimits(*e); !s.ok()) return bad(std::string(s.message()));
  return absl::OkStatus();
}

std::string ExperimentToText(const proto::Experiment& experiment) {
  google::protobuf::TextFormat::Printer printer;
  std::string out;
  printer.PrintToString(experiment, &out);
  return out;
}

}  // namespace nas
