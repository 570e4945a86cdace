#include "benchmarks/search_efficiency.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "nas/util/stats.h"
#include "nas/experiment/config.h"
#include "nas/experiment/runner.h"
#include "nas/experiment/table_evaluator.h"
#include "nas/space/space.h"
#include "nas/table/nb201_csv.h"
#include "nas/table/table_io.h"
#include "nas/testing/shared_data.h"
#include "nas/testing/synthetic_table.h"
#include "nas/util/sha256.h"
#include "nas/util/status.h"

namespace nas::efficiency {
namespace {

constexpr char kEmbeddedPath[] = "datasets/nb201_fmnist/nb201_fmnist.h5";
constexpr char kCsvRelative[] = "nasbench201/nasbench201_cifar10.csv";

bool Exists(const std::string& path) { return std::ifstream(path).good(); }

constexpr char kDefaultMethods[] = R"(
methods { name: "random" }
methods { name: "regularized_evolution" evolution { population_size: 10 tournament_size: 3 } }
methods { name: "local_search" }
methods { name: "reinforce" label: "reinforce_per_edge" reinforce { policy: PER_EDGE learning_rate: 0.1 } }
)";

}  // namespace

proto::Experiment ProtocolConfig(const std::string& table_name, const std::string& dataset, int search_epochs,
                                 int report_epochs, const std::string& methods_text) {
  const std::string text = absl::StrCat(
      "name: \"search_efficiency\"\nbenchmark { table: \"", table_name, "\" dataset: \"", dataset,
      "\" search_epochs: ", search_epochs, " report_epochs: ", report_epochs,
      " seed_mode: MEAN }\nbudget { evaluations: 100 }\nseeds { experiment_seed: 2026 runs: 30 }\n",
      methods_text.empty() ? kDefaultMethods : methods_text);
  auto config = ParseExperiment(text, "search_efficiency protocol");
  NAS_CHECK(config.ok());
  NAS_CHECK(ResolveExperiment(&*config, "search_efficiency protocol").ok());
  return *config;
}

absl::StatusOr<ProtocolTable> LoadProtocolTable(const std::string& kind, const std::string& tmp_dir) {
  if (kind != "auto" && kind != "embedded" && kind != "nb201_csv" && kind != "synthetic")
    return absl::InvalidArgumentError(
        absl::StrCat("unknown table kind '", kind, "'; known: auto, embedded, nb201_csv, synthetic"));
  ProtocolTable p;
  if ((kind == "auto" && Exists(kEmbeddedPath)) || kind == "embedded") {
    if (!Exists(kEmbeddedPath))
      return absl::NotFoundError(absl::StrCat(kEmbeddedPath, ": the embedded table does not exist (yet)"));
    NAS_ASSIGN_OR_RETURN(p.table, ReadTable(kEmbeddedPath));
    p.name = "nb201_fmnist";
    p.description = absl::StrCat("embedded table ", kEmbeddedPath);
    // The dataset as datasets/nb201_fmnist/build.textproto names it ("fashion-mnist-8px"), or "fashion-mnist".
    std::string dataset;
    for (const std::string& n : p.table->dataset_names())
      if (dataset.empty() && n.rfind("fashion-mnist", 0) == 0) dataset = n;
    if (dataset.empty())
      return absl::NotFoundError(absl::StrCat(kEmbeddedPath, ": has no fashion-mnist dataset"));
    // Search on the 2-epoch validation accuracy (rank correlation with the reported 2-epoch test accuracy 0.86;
    // the 1-epoch signal's is 0.49, too noisy for a regression check of 30 runs to see a weakened strategy).
    p.config = ProtocolConfig(p.name, dataset, 2, 2);
    return p;
  }
  const std::string csv = testing::SharedDataFile(kCsvRelative);
  if ((kind == "auto" && !csv.empty()) || kind == "nb201_csv") {
    if (csv.empty())
      return absl::NotFoundError(absl::StrCat("../shared/data/", kCsvRelative, ": absent on this machine"));
    NAS_ASSIGN_OR_RETURN(p.table, ImportNb201Csv(csv, "cifar10-valid"));
    p.name = "nb201_csv_cifar10";
    p.description = absl::StrCat("NB201 CSV ../shared/data/", kCsvRelative, " (cifar10-valid, 200 epochs)");
    p.config = ProtocolConfig(p.name, "cifar10-valid", 200, 200);
    return p;
  }
  const std::string path = testing::WriteSyntheticNb201Table(tmp_dir + "/search_efficiency_synthetic.h5");
  NAS_ASSIGN_OR_RETURN(p.table, ReadTable(path));
  p.name = "synthetic_nb201";
  p.description = "synthetic NB201 table (nas/testing/synthetic_table.h; no real data available)";
  p.config = ProtocolConfig(p.name, "toy", 12, 200);
  return p;
}

absl::StatusOr<std::string> TableChecksum(const Table& table, const proto::Benchmark& benchmark) {
  NAS_ASSIGN_OR_RETURN(const TableDataset* d, table.dataset(benchmark.dataset()));
  NAS_ASSIGN_OR_RETURN(int search, d->FidelityIndex(benchmark.search_epochs()));
  NAS_ASSIGN_OR_RETURN(int report, d->FidelityIndex(benchmark.report_epochs()));
  std::string bytes = absl::StrCat(table.space(), "|", table.num_archs(), "|", d->name(), "|",
                                   benchmark.search_epochs(), "|", benchmark.report_epochs(), "|");
  bytes.reserve(bytes.size() + d->num_archs() * 16);
  for (int64_t a = 0; a < d->num_archs(); ++a) {
    const double v[2] = {d->at(a, search, d->mean_slot()).valid_acc, d->at(a, report, d->mean_slot()).test_acc};
    bytes.append(reinterpret_cast<const char*>(v), sizeof v);
  }
  return Sha256Hex(bytes);
}

absl::StatusOr<Results> RunProtocol(const Table& table, const proto::Experiment& config,
                                    const std::string& table_name) {
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<SearchSpace> space, CreateSpace(table.space()));
  NAS_ASSIGN_OR_RETURN(TableEvaluator evaluator, TableEvaluator::Create(table, *space, config.benchmark(), false));
  Results r;
  r.table_name = table_name;
  NAS_ASSIGN_OR_RETURN(r.table_checksum, TableChecksum(table, config.benchmark()));
  r.protocol_checksum = Sha256Hex(ExperimentToText(config));
  r.best_test_acc = evaluator.best_test_acc();
  for (const proto::Method& m : config.methods()) r.labels.push_back(m.label());
  Runner runner(config, *space, evaluator, 1);
  for (const RunJob& job : runner.Jobs()) {
    NAS_ASSIGN_OR_RETURN(RunLog log, runner.Run(job));
    RunMetrics m;
    double area = 0;
    for (const Episode& e : log.episodes) area += r.best_test_acc - e.incumbent_test;
    m.final_regret = log.episodes.empty() ? NAN : r.best_test_acc - log.episodes.back().incumbent_test;
    m.auc_regret = log.episodes.empty() ? NAN : area / log.episodes.size();
    r.by_label[log.label].push_back(m);
  }
  return r;
}

std::string FormatCsv(const Results& r) {
  std::string out = absl::StrCat(
      "# Search-efficiency reference (benchmarks/search_efficiency.h). Generated, never edited by hand:\n# ",
      kRegenerateCommand, "\n# table: ", r.table_name, "\n# table_checksum: ", r.table_checksum,
      "\n# protocol_checksum: ", r.protocol_checksum, "\n# best_test_acc: ", absl::StrFormat("%.17g", r.best_test_acc),
      "\nmethod,run,final_regret,auc_regret\n");
  for (const std::string& label : r.labels) {
    const auto& runs = r.by_label.at(label);
    for (size_t i = 0; i < runs.size(); ++i)
      absl::StrAppendFormat(&out, "%s,%d,%.17g,%.17g\n", label, static_cast<int>(i), runs[i].final_regret,
                            runs[i].auc_regret);
  }
  return out;
}

absl::StatusOr<Results> ParseCsv(const std::string& text, const std::string& origin) {
  Results r;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  bool header = false;
  auto bad = [&](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat(origin, ":", line_no, ": ", what));
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::vector<std::string> kv = absl::StrSplit(line.substr(1), absl::MaxSplits(':', 1));
      if (kv.size() != 2) continue;
      const std::string key(absl::StripAsciiWhitespace(kv[0])), value(absl::StripAsciiWhitespace(kv[1]));
      if (key == "table") r.table_name = value;
      if (key == "table_checksum") r.table_checksum = value;
      if (key == "protocol_checksum") r.protocol_checksum = value;
      if (key == "best_test_acc" && !absl::SimpleAtod(value, &r.best_test_acc)) return bad("bad best_test_acc");
      continue;
    }
    if (!header) {
      if (line != "method,run,final_regret,auc_regret")
        return bad("expected the header 'method,run,final_regret,auc_regret'");
      header = true;
      continue;
    }
    std::vector<std::string> f = absl::StrSplit(line, ',');
    int run = 0;
    RunMetrics m;
    if (f.size() != 4 || !absl::SimpleAtoi(f[1], &run) || !absl::SimpleAtod(f[2], &m.final_regret) ||
        !absl::SimpleAtod(f[3], &m.auc_regret))
      return bad("expected 'method,run,final_regret,auc_regret' with numbers");
    if (!r.by_label.count(f[0])) r.labels.push_back(f[0]);
    auto& runs = r.by_label[f[0]];
    if (run != static_cast<int>(runs.size())) return bad(absl::StrCat("run ", run, " out of order"));
    runs.push_back(m);
  }
  if (!header) return absl::InvalidArgumentError(absl::StrCat(origin, ": no 'method,run,...' header (empty file?)"));
  if (r.table_checksum.empty() || r.protocol_checksum.empty())
    return absl::InvalidArgumentError(absl::StrCat(origin, ": lacks the '# table_checksum:' or '# protocol_checksum:' line"));
  return r;
}

Verdict Check(const Results& current, const Results& reference, double alpha) {
  Verdict v;
  std::string& out = v.report;
  for (const std::string& label : reference.labels) {
    auto it = current.by_label.find(label);
    if (it == current.by_label.end()) {
      absl::StrAppend(&out, label, ": FAIL: in the reference but not run now\n");
      v.pass = v.identical = false;
      continue;
    }
    const auto& ref = reference.by_label.at(label);
    const auto& now = it->second;
    std::vector<double> ref_final, now_final, ref_auc, now_auc;
    for (const RunMetrics& m : ref) ref_final.push_back(m.final_regret), ref_auc.push_back(m.auc_regret);
    for (const RunMetrics& m : now) now_final.push_back(m.final_regret), now_auc.push_back(m.auc_regret);
    std::vector<std::string> moved;
    int n_moved = 0;
    for (size_t i = 0; i < std::max(ref.size(), now.size()); ++i) {
      if (i < ref.size() && i < now.size() && std::memcmp(&ref[i], &now[i], sizeof(RunMetrics)) == 0) continue;
      ++n_moved;
      if (moved.size() >= 8) continue;
      if (i >= ref.size() || i >= now.size()) {
        moved.push_back(absl::StrCat("run ", i, (i >= ref.size() ? " is new" : " is missing now")));
        continue;
      }
      moved.push_back(absl::StrFormat("run %d: final %.4f -> %.4f (%+.4f), AUC %.4f -> %.4f (%+.4f)",
                                      static_cast<int>(i), ref[i].final_regret, now[i].final_regret,
                                      now[i].final_regret - ref[i].final_regret, ref[i].auc_regret,
                                      now[i].auc_regret, now[i].auc_regret - ref[i].auc_regret));
    }
    const stats::MannWhitneyResult p_final = stats::MannWhitneyUGreater(now_final, ref_final);
    const stats::MannWhitneyResult p_auc = stats::MannWhitneyUGreater(now_auc, ref_auc);
    const bool worse = p_final.p < alpha || p_auc.p < alpha;
    absl::StrAppendFormat(&out,
                          "%s: %s; mean final regret %.4f -> %.4f (p = %.3g), mean AUC %.4f -> %.4f (p = %.3g): %s\n",
                          label, n_moved == 0 ? "identical" : absl::StrCat(n_moved, " of ", ref.size(), " runs moved"),
                          stats::Mean(ref_final), stats::Mean(now_final), p_final.p, stats::Mean(ref_auc),
                          stats::Mean(now_auc), p_auc.p,
                          worse ? absl::StrFormat("FAIL (significantly less efficient, p < %g)", alpha) : "pass");
    for (const std::string& m : moved) absl::StrAppend(&out, "    ", m, "\n");
    if (n_moved > static_cast<int>(moved.size())) absl::StrAppend(&out, "    ... ", n_moved - moved.size(), " more\n");
    if (n_moved) v.identical = false;
    if (worse) v.pass = false;
  }
  for (const std::string& label : current.labels)
    if (!reference.by_label.count(label)) {
      absl::StrAppend(&out, label, ": not in the reference (new method; regenerate to record it)\n");
      v.identical = false;
    }
  return v;
}

}  // namespace nas::efficiency
