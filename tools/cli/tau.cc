// `nas tau CONFIG`: how well a weight-sharing run's trained supernet ranks architectures against its truth table
// (weight_sharing.table): the run is re-run (deterministically, as `nas replay` would), then the shared-weight
// accuracy on the whole validation split of a fixed seeded sample of architectures is compared with the
// table (nas/analysis/ranking.h: Kendall tau-b and Spearman rho, beside the table's seed-vs-seed figures).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nas/analysis/ranking.h"
#include "nas/experiment/config.h"
#include "nas/experiment/experiment.h"
#include "nas/experiment/runner.h"
#include "nas/search/weight_sharing.h"
#include "nas/train/supernet_evaluator.h"
#include "nas/util/status.h"
#include "tools/cli/args.h"
#include "tools/cli/commands.h"

namespace nas::cli {

int TauCommand(int argc, char** argv) {
  Args args("tau", "CONFIG.textproto",
            "Re-runs one run of a weight-sharing method (enas, rsps) of CONFIG, then prints the Kendall tau and\n"
            "Spearman rho between its supernet's validation accuracy (whole validation split) and the truth\n"
            "table's (weight_sharing.table: largest fidelity, mean over seeds) over a seeded sample of\n"
            "architectures, beside the table's own seed-vs-seed tau (the ceiling against one seed).");
  args.Option("method", "the method's label (default: the first weight-sharing method)")
      .Option("run", "the run number", "0")
      .Option("sample", "architectures in the sample (at least 1000 for a figure worth quoting)", "1000")
      .Option("sample_seed", "seed of the sample", "0");
  if (absl::Status s = args.Parse(argc, argv, 1, 1); !s.ok()) return Fail(s);
  if (args.help()) return std::printf("%s", args.HelpText().c_str()), 0;
  const std::string config_path = ResolvePath(args.positional()[0]);
  auto config = ReadExperimentFile(config_path);
  if (!config.ok()) return Fail(config.status());
  if (absl::Status s = ResolveExperiment(&*config, config_path); !s.ok()) return Fail(s);
  auto run = args.GetInt("run", 0, 1 << 30);
  if (!run.ok()) return Fail(run.status());
  auto sample = args.GetInt("sample", 1, 1 << 30);
  if (!sample.ok()) return Fail(sample.status());
  auto sample_seed = args.GetInt("sample_seed", 0, 1 << 30);
  if (!sample_seed.ok()) return Fail(sample_seed.status());
  int method = -1;
  for (int m = 0; m < config->methods_size() && method < 0; ++m)
    if (IsWeightSharingMethod(config->methods(m).name()) &&
        (!args.Has("method") || config->methods(m).label() == args.Get("method")))
      method = m;
  if (method < 0)
    return Fail(absl::InvalidArgumentError(absl::StrCat(
        config_path, ": ", args.Has("method") ? absl::StrCat("no weight-sharing method labelled '", args.Get("method"), "'")
                                              : std::string("no weight-sharing method (enas, rsps)"))));
  proto::Method* m = config->mutable_methods(method);
  if (m->weight_sharing().table().empty())
    return Fail(absl::InvalidArgumentError(
        absl::StrCat(config_path, ": method '", m->label(), "': weight_sharing.table: no truth table to rank against")));
  m->mutable_weight_sharing()->set_table(ResolvePath(m->weight_sharing().table()));
  if (config->benchmark().has_train() && !config->benchmark().train().data().path().empty())
    config->mutable_benchmark()->mutable_train()->mutable_data()->set_path(
        ResolvePath(config->benchmark().train().data().path()));
  auto prepared = PrepareExperiment(*config);
  if (!prepared.ok() && (absl::StartsWith(prepared.status().message(), "benchmark.") ||
                         absl::StartsWith(prepared.status().message(), "method")))
    prepared = absl::Status(prepared.status().code(), absl::StrCat(config_path, ": ", prepared.status().message()));
  if (!prepared.ok()) return Fail(prepared.status());
  Runner runner(prepared->config, *prepared->space, *prepared->evaluator, 1);
  std::unique_ptr<Evaluator> owned;
  runner.set_keep_owned_evaluator(&owned);
  auto log = runner.Run(RunJob{method, *run}, nullptr);
  if (!log.ok()) return Fail(log.status());
  const auto* supernet = dynamic_cast<const SupernetEvaluator*>(owned.get());
  if (supernet == nullptr || supernet->truth_table() == nullptr)
    return Fail(absl::InternalError("the run kept no supernet with a truth table"));
  const Table& table = *supernet->truth_table();
  const std::string dataset = supernet->truth_dataset();
  auto d = table.dataset(dataset);
  if (!d.ok()) return Fail(d.status());
  const std::vector<int64_t> rows = analysis::RankingSample((*d)->num_archs(), *sample, *sample_seed);
  std::vector<double> estimate;
  for (int64_t row : rows) {
    auto acc = supernet->WholeSplitAccuracy(prepared->space->FromOrdinal(row));
    if (!acc.ok()) return Fail(acc.status());
    estimate.push_back(*acc);
  }
  auto agreement = analysis::RankAgainstTable(table, dataset, rows, estimate);
  if (!agreement.ok()) return Fail(agreement.status());
  std::printf("%s/%d: %zu episodes; supernet (%s) vs %s:\n%s", m->label().c_str(), *run, log->episodes.size(),
              m->weight_sharing().batchnorm().c_str(), m->weight_sharing().table().c_str(),
              analysis::FormatRankingAgreement(*agreement).c_str());
  return 0;
}

}  // namespace nas::cli
