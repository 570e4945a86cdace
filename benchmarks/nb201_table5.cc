// The NB201 search protocol on the published CSVs (benchmarks/experiments/nb201_protocol_csv_{cifar10,cifar100}
// .textproto) run through the library (TableEvaluator, Runner, EpisodeLogWriter: one HDF5 log per dataset),
// compared with the NB201 authors' own code on the same data and, for context, with the NB201 paper's Table 5.
//
//   bazel run -c opt //benchmarks:nb201_table5 -- [--table T] [--runs N] [--threads N] [--out_dir D]
//                                                 [--flush_every N] [--no_log]
//   nb201_table5 --logs LOG[,LOG...]   judges the logs of `nas run` instead of running (tools/main_job.sh)
//
// Default tables: ../shared/data/nasbench201/nasbench201_{cifar10,cifar100}.csv, imported in memory. --table T
// (an HDF5 table or an NB201 CSV) runs the protocol of each dataset T holds (cifar10-valid, cifar100). Logs go
// to a temporary directory (removed at the end) or --out_dir, at `nas run`'s default durability (group commit
// every 1,000 ms); --flush_every N commits every N episodes of a run instead (1: a commit per episode).
// --no_log creates the log but appends nothing (the search alone, for timing).
// --logs reads logs of the same protocol (e.g. benchmarks/experiments/main_job_{cifar10,cifar100}.textproto) and
// judges each against the figures below: the dataset comes from the log's config, a method by its label; labels
// without an authors' figure (the Zoph & Le LSTM controller: the authors ran none) are printed, not judged.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nas/util/stats.h"
#include "nas/experiment/config.h"
#include "nas/experiment/provenance.h"
#include "nas/experiment/runner.h"
#include "nas/experiment/table_evaluator.h"
#include "nas/log/episode_log.h"
#include "nas/space/space.h"
#include "nas/table/nb201_csv.h"
#include "nas/table/table_io.h"
#include "nas/util/sha256.h"
#include "nas/util/status.h"

namespace nas {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct MeanStd {
  double mean, std;
};
// The NB201 authors' code (AutoDL-Projects exps/NAS-Bench-201-algos) on the same CSVs, 500 runs each.
struct AuthorsRow {
  const char* label;
  const char* name;
  MeanStd cifar10, cifar100;
};
constexpr AuthorsRow kAuthors[] = {
    {"random", "random search", {90.759, 0.294}, {71.634, 0.852}},
    {"rea", "REA (10, 3)", {90.974, 0.296}, {72.438, 0.870}},
    {"reinforce_lr0.5", "REINFORCE per-edge, lr 0.5", {90.301, 0.702}, {71.000, 1.319}},
    {"reinforce_lr0.01", "REINFORCE per-edge, lr 0.01", {90.834, 0.295}, {71.825, 0.840}},
};
constexpr int kAuthorsRuns = 500;
// What is known about a row outside 2 standard errors (printed under the table when that row FAILs).
struct FailNote {
  const char* label;
  bool cifar10;
  const char* text;
};
constexpr FailNote kFailNotes[] = {
    {"random", false,
     "random search on CIFAR-100: the reference is the outlier. Random search's expectation on this table\n"
     "  depends on neither code; computed exactly (benchmarks/nb201_random_search_exact.py on the CSV) it is\n"
     "  71.553 (std 0.864 per run): ours is 0.7 standard errors of 500 runs below it, the authors' 71.634 is\n"
     "  2.1 above it."},
};
// Dong & Yang, ICLR 2020, Table 5, CIFAR-10 test accuracy (500 runs).
struct PaperRow {
  const char* label;
  const char* name;
  MeanStd cifar10;
};
constexpr PaperRow kPaper[] = {
    {"random", "RS", {93.70, 0.36}},
    {"rea", "REA", {93.92, 0.30}},
    {"reinforce_lr0.01", "REINFORCE", {93.85, 0.37}},
};

struct Protocol {
  const char* title;
  const char* dataset;  // in the table
  const char* config;   // relative to the workspace
  const char* csv;      // relative to ../shared/data
  bool cifar10;
};
constexpr Protocol kProtocols[] = {
    {"CIFAR-10", "cifar10-valid", "benchmarks/experiments/nb201_protocol_csv_cifar10.textproto",
     "nasbench201/nasbench201_cifar10.csv", true},
    {"CIFAR-100", "cifar100", "benchmarks/experiments/nb201_protocol_csv_cifar100.textproto",
     "nasbench201/nasbench201_cifar100.csv", false},
};

std::string UserPath(const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  const char* wd = std::getenv("BUILD_WORKING_DIRECTORY");
  return wd ? absl::StrCat(wd, "/", p) : p;
}

struct Options {
  std::string table, out_dir, logs;
  int runs = 0, threads = 0, flush_every = 0;
  bool no_log = false;  // measure the search alone
};

int Usage(const std::string& what) {
  std::fprintf(stderr, "nb201_table5: %s\nusage: nb201_table5 [--table T] [--runs N] [--threads N] [--out_dir D] "
                       "[--flush_every N] [--no_log]\n"
                       "       nb201_table5 --logs LOG[,LOG...]\n", what.c_str());
  return 1;
}

int Fail(const absl::Status& s) {
  std::fprintf(stderr, "nb201_table5: %s\n", std::string(s.message()).c_str());
  return 1;
}

// Comparison row: ours vs a reference (mean, std over n_ref runs): difference and its standard errors.
// Returns false when the row is judged and FAILs.
bool PrintRow(const std::string& name, const stats::Summary& ours, MeanStd ref, int n_ref, bool judge,
              int* pass, int* total) {
  const double diff = ours.mean - ref.mean;
  const double se = std::sqrt(ours.std * ours.std / ours.n + ref.std * ref.std / n_ref);
  const double z = diff / se;
  const char* verdict = "context";
  if (judge) {
    verdict = std::fabs(z) <= 2 ? "PASS" : "FAIL";
    ++*total;
    *pass += std::fabs(z) <= 2;
  }
  std::printf("| %-28s | %7.3f +- %.3f | %7.3f +- %.3f | %+7.3f | %+7.2f | %-7s |\n", name.c_str(), ours.mean,
              ours.std, ref.mean, ref.std, diff, z, verdict);
  return !judge || std::fabs(z) <= 2;
}

// Test accuracy of the final incumbent per label (nullopt: no run of that label).
using SummaryOf = std::function<std::optional<stats::Summary>(const std::string& label)>;

// The comparison of one protocol with the authors' code (judged) and, on CIFAR-10, the paper (context).
void PrintComparison(const Protocol& p, const SummaryOf& summary_of, int* pass, int* judged) {
  std::printf("Test accuracy of the final incumbent, mean +- std; diff/SE = difference in standard errors of the "
              "difference; PASS at |diff/SE| <= 2.\n");
  std::printf("| %-28s | %-16s | %-16s | %-7s | %-7s | %-7s |\n", "method", "ours", "authors' code", "diff",
              "diff/SE", "verdict");
  std::printf("|%s|%s|%s|%s|%s|%s|\n", std::string(30, '-').c_str(), std::string(18, '-').c_str(),
              std::string(18, '-').c_str(), std::string(9, '-').c_str(), std::string(9, '-').c_str(),
              std::string(9, '-').c_str());
  std::vector<std::string> failed;
  for (const AuthorsRow& r : kAuthors) {
    auto s = summary_of(r.label);
    if (!s) continue;
    if (!PrintRow(r.name, *s, p.cifar10 ? r.cifar10 : r.cifar100, kAuthorsRuns, true, pass, judged))
      failed.push_back(r.label);
  }
  if (auto s = summary_of("reinforce_lstm"))
    std::printf("| %-28s | %7.3f +- %.3f | %-16s | %-7s | %-7s | %-7s |\n", "REINFORCE LSTM (Zoph & Le)", s->mean,
                s->std, "none", "", "", "-");
  for (const std::string& label : failed) {
    const char* text = nullptr;
    for (const FailNote& n : kFailNotes)
      if (label == n.label && p.cifar10 == n.cifar10) text = n.text;
    std::printf("FAIL %s: %s\n", label.c_str(), text ? text : "no explanation on record; this needs investigating.");
  }
  if (p.cifar10) {
    std::printf("For context, the NB201 paper (Dong & Yang, ICLR 2020, Table 5; not judged): the full NB201 with "
                "the 12-epoch\nvalidation accuracy as search signal, the real training times as the 12,000 s budget "
                "and the test accuracy\nof the cell trained on the full CIFAR-10 train set. The CSV has none of "
                "these (200-epoch means, a fixed\n100 s per evaluation, cifar10-valid test accuracy), so the "
                "levels differ by design:\n");
    for (const PaperRow& r : kPaper) {
      auto s = summary_of(r.label);
      if (s) PrintRow(absl::StrCat("paper: ", r.name), *s, r.cifar10, 500, false, pass, judged);
    }
  }
}

// --logs: judges logs written by `nas run` (each holding one protocol's dataset) against the same figures.
int JudgeLogs(const std::string& logs) {
  int pass = 0, judged = 0;
  for (const std::string& path : std::vector<std::string>(absl::StrSplit(logs, ',', absl::SkipEmpty()))) {
    auto log = ReadLog(UserPath(path));
    if (!log.ok()) return Fail(log.status());
    auto config = ParseExperiment(log->attributes["config"], path + " (attribute config)");
    if (!config.ok()) return Fail(config.status());
    const Protocol* protocol = nullptr;
    for (const Protocol& p : kProtocols)
      if (config->benchmark().dataset() == p.dataset) protocol = &p;
    if (protocol == nullptr)
      return Fail(absl::InvalidArgumentError(absl::StrCat(path, ": dataset '", config->benchmark().dataset(),
                                                          "' has no reference (cifar10-valid or cifar100)")));
    std::map<std::string, std::vector<double>> finals;
    for (const RunLog& r : log->runs) {
      if (!r.complete || r.episodes.empty())
        return Fail(absl::FailedPreconditionError(absl::StrCat(path, ": run ", r.label, "/", r.run,
                                                               " is incomplete; resume the log first")));
      finals[r.label].push_back(r.episodes.back().incumbent_test);
    }
    std::printf("\n%s (%s, %s): %d methods x %d runs, %s\n", protocol->title, protocol->dataset, path.c_str(),
                config->methods_size(), config->seeds().runs(),
                config->budget().limit_case() == proto::Budget::kSimulatedSeconds
                    ? absl::StrCat(config->budget().simulated_seconds(), " simulated s at ",
                                   config->benchmark().cost_per_evaluation_s(), " s each").c_str()
                    : absl::StrCat(config->budget().evaluations(), " evaluations").c_str());
    PrintComparison(
        *protocol,
        [&](const std::string& label) -> std::optional<stats::Summary> {
          auto it = finals.find(label);
          if (it == finals.end()) return std::nullopt;
          return stats::Summarize(it->second);
        },
        &pass, &judged);
  }
  std::printf("\n%d of %d rows PASS against the authors' code (2 standard errors of the difference).\n", pass,
              judged);
  return 0;
}

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i], v;
    if (a == "--help" || a == "-h") return Usage("runs the NB201 CSV protocol and compares it with the references");
    if (a == "--no_log") {
      o.no_log = true;
      continue;
    }
    const size_t eq = a.find('=');
    if (eq != std::string::npos) {
      v = a.substr(eq + 1), a = a.substr(0, eq);
    } else if (i + 1 < argc) {
      v = argv[++i];
    } else {
      return Usage(absl::StrCat(a, " needs a value"));
    }
    int* n = a == "--runs" ? &o.runs : a == "--threads" ? &o.threads : a == "--flush_every" ? &o.flush_every : nullptr;
    if (a == "--table") {
      o.table = UserPath(v);
    } else if (a == "--logs") {
      o.logs = v;
    } else if (a == "--out_dir") {
      o.out_dir = UserPath(v);
    } else if (n) {
      char* end = nullptr;
      *n = static_cast<int>(std::strtol(v.c_str(), &end, 10));
      if (v.empty() || *end || *n < 1) return Usage(absl::StrCat(a, ": expected a positive integer, got '", v, "'"));
    } else {
      return Usage(absl::StrCat("unknown option ", a));
    }
  }
  if (!o.logs.empty()) return JudgeLogs(o.logs);
  if (o.threads == 0) o.threads = std::max(1u, std::thread::hardware_concurrency());
  const char* ws_env = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  const std::string ws = ws_env ? ws_env : ".";
  const std::string shared = ws + "/../shared/data/";

  const auto start = Clock::now();
  std::unique_ptr<Table> given;
  if (!o.table.empty()) {
    auto t = absl::EndsWith(o.table, ".csv") ? ImportNb201Csv(o.table, GuessNb201Dataset(o.table)) : ReadTable(o.table);
    if (!t.ok()) return Fail(t.status());
    given = std::move(*t);
  }
  bool temp_dir = false;
  if (o.out_dir.empty()) {
    std::string tmpl = std::filesystem::temp_directory_path().string() + "/nb201_table5.XXXXXX";
    if (!mkdtemp(tmpl.data())) return Fail(absl::InternalError("cannot create a temporary directory"));
    o.out_dir = tmpl;
    temp_dir = true;
  } else {
    std::error_code ec;
    std::filesystem::create_directories(o.out_dir, ec);
    if (ec) return Fail(absl::InternalError(absl::StrCat(o.out_dir, ": cannot create: ", ec.message())));
  }

  int pass = 0, judged = 0, protocols_run = 0;
  double run_seconds = 0;
  std::string flush_note;
  for (const Protocol& p : kProtocols) {
    const auto t0 = Clock::now();
    std::unique_ptr<Table> own;
    const Table* table = given.get();
    std::string source;
    if (given) {
      if (!given->dataset(p.dataset).ok()) continue;
      source = o.table;
    } else {
      const std::string csv = shared + p.csv;
      auto t = ImportNb201Csv(csv, p.dataset);
      if (!t.ok())
        return Fail(absl::NotFoundError(absl::StrCat(
            t.status().message(), " (the default tables are ../shared/data's NB201 CSVs; give --table otherwise)")));
      own = std::move(*t);
      table = own.get();
      source = csv;
    }
    const double import_s = Since(t0);

    const std::string config_path = ws + "/" + p.config;
    auto config = ReadExperimentFile(config_path);
    if (!config.ok()) return Fail(config.status());
    config->mutable_benchmark()->set_table(source);
    if (o.runs) config->mutable_seeds()->set_runs(o.runs);
    if (absl::Status s = ResolveExperiment(&*config, config_path); !s.ok()) return Fail(s);
    auto space = CreateSpace(table->space());
    if (!space.ok()) return Fail(space.status());
    const bool by_seconds = config->budget().limit_case() == proto::Budget::kSimulatedSeconds;
    auto evaluator = TableEvaluator::Create(*table, **space, config->benchmark(), by_seconds);
    if (!evaluator.ok()) return Fail(absl::Status(evaluator.status().code(),
                                                  absl::StrCat(source, ": ", evaluator.status().message())));
    const double cost = config->benchmark().cost_per_evaluation_s();
    flush_note = o.flush_every ? absl::StrCat("a commit every ", o.flush_every, " episodes (--flush_every)")
                               : "group commit every 1,000 ms (nas run's default)";

    const auto t1 = Clock::now();
    Runner runner(*config, **space, *evaluator, 1);
    const std::vector<RunJob> jobs = runner.Jobs();
    std::vector<RunSlot> slots;
    for (const RunJob& j : jobs) {
      const proto::Method& m = config->methods(j.method_index);
      slots.push_back(RunSlot{m.label(), m.name(), j.run, {}});
    }
    std::map<std::string, std::string> attributes = CollectProvenance();
    attributes["config"] = ExperimentToText(*config);
    attributes["experiment"] = config->name();
    attributes["table_path"] = source;
    // An HDF5 table: its file's SHA-256 (as `nas run` records it); a CSV imported in memory: the CSV's.
    if (given && !absl::EndsWith(o.table, ".csv")) {
      auto sha = Sha256File(o.table);
      if (!sha.ok()) return Fail(sha.status());
      attributes["table_sha256"] = *sha;
    } else {
      attributes["table_sha256"] = table->attributes().count("source_sha256") ? table->attributes().at("source_sha256") : "";
    }
    attributes["space"] = (*space)->name();
    attributes["num_decisions"] = std::to_string((*space)->num_decisions());
    attributes["search_epochs"] = std::to_string(evaluator->search_epochs());
    attributes["report_epochs"] = std::to_string(evaluator->report_epochs());
    attributes["best_test_acc"] = absl::StrCat(evaluator->best_test_acc());
    attributes["worker_threads"] = std::to_string(o.threads);
    attributes["compute_threads"] = "1";
    const std::string log_path = absl::StrCat(o.out_dir, "/", config->name(), ".h5");
    // `nas run`'s default durability (group commit every 1,000 ms), or a commit every --flush_every episodes.
    LogWriterOptions log_options;
    log_options.overwrite = true;
    log_options.flush_every = o.flush_every;
    log_options.flush_interval_ms = o.flush_every ? 0 : 1000;
    auto writer = EpisodeLogWriter::Create(log_path, attributes, (*space)->num_decisions(), slots, log_options);
    if (!writer.ok()) return Fail(writer.status());
    const double create_s = Since(t1);
    std::vector<double> final_test(jobs.size(), NAN);
    Runner::Callbacks cb;
    if (!o.no_log) cb.episode = [&](int j, const Episode& e) { return (*writer)->Append(j, e); };
    cb.finished = [&](int j, const RunLog& r) -> absl::Status {
      if (!r.episodes.empty()) final_test[j] = r.episodes.back().incumbent_test;
      return o.no_log ? absl::OkStatus() : (*writer)->FinishRun(j);
    };
    const auto t2 = Clock::now();
    absl::Status status = runner.RunAll(jobs, o.threads, cb);
    const double search_s = Since(t2);
    const auto t3 = Clock::now();
    if (status.ok()) status = (*writer)->Close();
    if (!status.ok()) return Fail(status);
    const double close_s = Since(t3);
    const double seconds = Since(t1);
    run_seconds += seconds;
    ++protocols_run;

    std::printf("\n%s: %s, dataset %s, %d methods x %d runs, %s\n  import %.3f s; run + log %.3f s (create log "
                "%.3f s, search + append %.3f s, close %.3f s), %d thread%s; log %s\n",
                p.title, source.c_str(), p.dataset, config->methods_size(), config->seeds().runs(),
                by_seconds ? absl::StrCat(config->budget().simulated_seconds(), " simulated s at ", cost, " s each").c_str()
                           : absl::StrCat(config->budget().evaluations(), " evaluations").c_str(),
                import_s, seconds, create_s, search_s, close_s, o.threads, o.threads == 1 ? "" : "s",
                temp_dir ? "in a temporary directory" : log_path.c_str());
    auto summary_of = [&](const std::string& label) -> std::optional<stats::Summary> {
      std::vector<double> v;
      for (size_t j = 0; j < jobs.size(); ++j)
        if (config->methods(jobs[j].method_index).label() == label) v.push_back(final_test[j]);
      if (v.empty()) return std::nullopt;
      return stats::Summarize(v);
    };
    PrintComparison(p, summary_of, &pass, &judged);
  }
  if (protocols_run == 0)
    return Fail(absl::InvalidArgumentError(absl::StrCat(o.table, ": has neither dataset cifar10-valid nor cifar100")));
  if (temp_dir) std::filesystem::remove_all(o.out_dir);
  std::printf("\n%d of %d rows PASS against the authors' code. Wall time: %.3f s in all (%.3f s running and logging "
              "%d protocol%s; %s; %d thread%s).\n",
              pass, judged, Since(start), run_seconds, protocols_run, protocols_run == 1 ? "" : "s",
              flush_note.c_str(), o.threads, o.threads == 1 ? "" : "s");
  return 0;
}

}  // namespace
}  // namespace nas

int main(int argc, char** argv) { return nas::Main(argc, argv); }
