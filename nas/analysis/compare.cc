#include "nas/analysis/compare.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nas/experiment/config.h"
#include "nas/proto/experiment.pb.h"
#include "nas/util/status.h"

namespace nas::analysis {
namespace {

constexpr const char* kEvaluations = "evaluations";
constexpr const char* kSeconds = "simulated seconds";

// What one log says about its benchmark and protocol.
struct LogInfo {
  const NamedLog* log = nullptr;
  std::string table_id;  // table_values_sha256 (the table's contents) when the log has it, else table_sha256
  std::string table_sha256, dataset, search_epochs, report_epochs, experiment;
  std::string seed_mode, cost;  // protocol details that must agree within a benchmark
  std::string unit;
  double budget = 0, best_test_acc = 0;
  int workers = 1;  // budget.workers
  // A weight-sharing log (enas, rsps; the truth_* attributes): judged by its truth table, compared on that
  // table's benchmark in simulated seconds; its budget is its longest run's charge.
  bool weight_sharing = false;
  std::map<std::string, std::string> method_settings;  // label -> Method in text form
};

// The label a run is compared under: its method label, with "@P" for P > 1 parallel workers.
std::string CompareLabel(const std::string& label, int workers) {
  return workers > 1 ? absl::StrCat(label, "@", workers) : label;
}

absl::Status Bad(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

absl::Status Conflict(const std::string& a, const std::string& b, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(a, " and ", b, ": ", what));
}

absl::StatusOr<LogInfo> Describe(const NamedLog& named) {
  const auto& attrs = named.log.attributes;
  auto attr = [&](const char* key) -> absl::StatusOr<std::string> {
    auto it = attrs.find(key);
    if (it == attrs.end() || it->second.empty())
      return Bad(named.path, absl::StrCat("cannot compare: the log lacks the root attribute '", key, "'"));
    return it->second;
  };
  LogInfo info;
  info.log = &named;
  auto truth = attrs.find("truth_table_sha256");
  auto table = attrs.find("table_sha256");
  info.weight_sharing = truth != attrs.end() && !truth->second.empty() && (table == attrs.end() || table->second.empty());
  const std::string prefix = info.weight_sharing ? "truth_" : "";
  NAS_ASSIGN_OR_RETURN(info.table_sha256, attr(info.weight_sharing ? "truth_table_sha256" : "table_sha256"));
  // Logs of the same values in differently-made files (e.g. two imports of one CSV) compare as one benchmark.
  auto values = attrs.find(prefix + "table_values_sha256");
  info.table_id = values != attrs.end() && !values->second.empty() ? "values:" + values->second : info.table_sha256;
  NAS_ASSIGN_OR_RETURN(std::string config_text, attr("config"));
  NAS_ASSIGN_OR_RETURN(std::string best, attr(info.weight_sharing ? "truth_best_test_acc" : "best_test_acc"));
  info.search_epochs = attrs.count("search_epochs") ? attrs.at("search_epochs") : "";
  info.report_epochs = attrs.count("report_epochs") ? attrs.at("report_epochs") : "";
  if (info.weight_sharing) {
    info.search_epochs = "";
    NAS_ASSIGN_OR_RETURN(info.report_epochs, attr("truth_epochs"));
  }
  info.experiment = attrs.count("experiment") ? attrs.at("experiment") : "";
  if (!absl::SimpleAtod(best, &info.best_test_acc) || !std::isfinite(info.best_test_acc))
    return Bad(named.path, absl::StrCat("root attribute 'best_test_acc' is not a number: '", best, "'"));
  auto config = ParseExperiment(config_text, absl::StrCat(named.path, ": attribute 'config'"));
  if (!config.ok()) return config.status();
  info.dataset = config->benchmark().dataset();
  if (info.weight_sharing) {
    NAS_ASSIGN_OR_RETURN(info.dataset, attr("truth_dataset"));
  }
  if (info.dataset.empty()) return Bad(named.path, "the stored config names no benchmark dataset");
  info.seed_mode = proto::SeedMode_Name(config->benchmark().seed_mode());
  info.cost = absl::StrCat(config->benchmark().cost_per_evaluation_s());
  switch (config->budget().limit_case()) {
    case proto::Budget::kEvaluations:
      info.unit = kEvaluations;
      info.budget = static_cast<double>(config->budget().evaluations());
      break;
    case proto::Budget::kSimulatedSeconds:
      info.unit = kSeconds;
      info.budget = config->budget().simulated_seconds();
      break;
    default:
      return Bad(named.path, "the stored config has no budget");
  }
  if (!(info.budget > 0) || !std::isfinite(info.budget))
    return Bad(named.path, absl::StrCat("the stored config's budget is not positive: ", info.budget));
  info.workers = config->budget().has_workers() ? config->budget().workers() : 1;
  if (info.weight_sharing) {  // its schedule, not the budget cap, ends a run: the budget is what it was charged
    info.unit = kSeconds;
    info.budget = 0;
    for (const RunLog& run : named.log.runs)
      if (!run.episodes.empty()) info.budget = std::max(info.budget, run.episodes.back().sim_time);
    if (!(info.budget > 0)) return Bad(named.path, "a weight-sharing log without a charged run cannot be compared");
  }
  for (const proto::Method& m : config->methods())
    info.method_settings[CompareLabel(m.label().empty() ? m.name() : m.label(), info.workers)] = m.ShortDebugString();
  return info;
}

// Within one benchmark: everything but the budget must agree; the budget too unless `align`.
absl::Status CheckSameProtocol(const LogInfo& a, const LogInfo& b, bool align) {
  const std::string& pa = a.log->path;
  const std::string& pb = b.log->path;
  const std::string on = absl::StrCat(" on benchmark '", a.dataset, "'");
  // A weight-sharing log searches with its supernet, not the table: only what it is judged by must agree (the
  // reported epochs and the best test accuracy, i.e. the regret), and its charge aligns the budgets.
  const bool ws = a.weight_sharing || b.weight_sharing;
  if ((!ws && a.search_epochs != b.search_epochs) || a.report_epochs != b.report_epochs)
    return Conflict(pa, pb, absl::StrCat("different epochs", on, " (search/report ", a.search_epochs, "/", a.report_epochs,
                                         " vs ", b.search_epochs, "/", b.report_epochs, ")"));
  if (ws && a.best_test_acc != b.best_test_acc)
    return Conflict(pa, pb, absl::StrCat("different best test accuracies", on, " (", a.best_test_acc, " vs ",
                                         b.best_test_acc, ")"));
  if (!ws && a.seed_mode != b.seed_mode)
    return Conflict(pa, pb, absl::StrCat("different seed modes", on, " (", a.seed_mode, " vs ", b.seed_mode, ")"));
  if (a.unit != b.unit)
    return Conflict(pa, pb, absl::StrCat("budgets in different units", on, " (", a.unit, " vs ", b.unit, ")"));
  if (!ws && a.unit == kSeconds && a.cost != b.cost)
    return Conflict(pa, pb, absl::StrCat("different cost_per_evaluation_s", on, " (", a.cost, " vs ", b.cost, ")"));
  if (a.budget != b.budget && !align && !ws)
    return Conflict(pa, pb, absl::StrCat("different budgets", on, " (", a.budget, " vs ", b.budget, " ", a.unit,
                                         "); --align compares them at the smaller one"));
  for (const auto& [label, settings] : a.method_settings) {
    auto it = b.method_settings.find(label);
    if (it != b.method_settings.end() && it->second != settings)
      return Conflict(pa, pb, absl::StrCat("method label '", label, "' has different settings (", settings, " vs ",
                                           it->second, "); give one of them another label"));
  }
  return absl::OkStatus();
}

std::string Fixed(double v, int digits) { return std::isnan(v) ? "n/a" : absl::StrFormat("%.*f", digits, v); }
std::string General(double v) { return std::isnan(v) ? "n/a" : absl::StrFormat("%.4g", v); }
std::string Csv(double v) { return std::isnan(v) ? "" : absl::StrFormat("%.10g", v); }

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string MeanStd(const stats::Summary& s) {
  if (s.n == 0) return "n/a";
  return std::isnan(s.std) ? Fixed(s.mean, 3) : absl::StrCat(Fixed(s.mean, 3), " ± ", Fixed(s.std, 3));
}

std::string MedianIqr(const stats::Summary& s) {
  if (s.n == 0) return "n/a";
  return absl::StrCat(Fixed(s.median, 3), " [", Fixed(s.q1, 3), ", ", Fixed(s.q3, 3), "]");
}

}  // namespace

double IncumbentAt(const Trace& trace, double point) {
  const size_t k = std::upper_bound(trace.x.begin(), trace.x.end(), point) - trace.x.begin();
  return k == 0 ? NAN : trace.y[k - 1];
}

absl::StatusOr<Comparison> Compare(const std::vector<NamedLog>& logs, const CompareOptions& options) {
  NAS_CHECK(!options.budget_percents.empty());
  for (double p : options.budget_percents) NAS_CHECK(p > 0 && p <= 100);
  if (logs.empty()) return absl::InvalidArgumentError("no logs to compare");
  std::vector<LogInfo> infos;
  for (const NamedLog& log : logs) {
    NAS_ASSIGN_OR_RETURN(LogInfo info, Describe(log));
    infos.push_back(std::move(info));
  }

  Comparison out;
  out.budget_percents = options.budget_percents;
  std::vector<std::vector<const LogInfo*>> groups;
  std::map<std::string, size_t> group_of;            // sha256 + dataset -> group
  std::map<std::string, const LogInfo*> by_dataset;  // dataset -> the first log naming it
  for (const LogInfo& info : infos) {
    auto [it, fresh] = by_dataset.emplace(info.dataset, &info);
    if (!fresh && it->second->table_id != info.table_id)
      return Conflict(it->second->log->path, info.log->path,
                      absl::StrCat("dataset '", info.dataset, "' comes from different tables (sha256 ",
                                   it->second->table_sha256.substr(0, 12), "... vs ", info.table_sha256.substr(0, 12),
                                   "...): different benchmarks cannot be compared"));
    const std::string key = info.table_id + "\n" + info.dataset;
    auto [g, added] = group_of.emplace(key, groups.size());
    if (added) groups.emplace_back();
    for (const LogInfo* other : groups[g->second]) {
      if (other->log->path == info.log->path) return Bad(info.log->path, "the log is given twice");
      NAS_RETURN_IF_ERROR(CheckSameProtocol(*other, info, options.align));
    }
    groups[g->second].push_back(&info);
  }

  for (const auto& group : groups) {
    BenchmarkResult b;
    const LogInfo& first = *group.front();
    b.dataset = first.dataset;
    b.table_sha256 = first.table_sha256;
    b.search_epochs = first.search_epochs;
    for (const LogInfo* info : group)
      if (!info->weight_sharing) {
        b.search_epochs = info->search_epochs;
        break;
      }
    b.report_epochs = first.report_epochs;
    b.unit = first.unit;
    b.best_test_acc = first.best_test_acc;
    b.budget = first.budget;
    // Parallel workers: compare in simulated wall-clock. A budget in evaluations then becomes the longest
    // run's simulated time (every run ends by then; a finished run keeps its final incumbent).
    bool parallel = false;
    for (const LogInfo* info : group) parallel |= info->workers > 1;
    const bool evaluations_as_seconds = parallel && first.unit == kEvaluations;
    if (evaluations_as_seconds) {
      b.unit = kSeconds;
      b.budget = 0;
      for (const LogInfo* info : group)
        for (const RunLog& run : info->log->log.runs)
          if (!run.episodes.empty()) b.budget = std::max(b.budget, run.episodes.back().sim_time);
      if (!(b.budget > 0)) return Bad(first.log->path, "parallel logs without simulated times cannot be compared");
    }
    for (const LogInfo* info : group) {
      if (evaluations_as_seconds) {
        b.aligned |= info->budget != first.budget;
        b.files.push_back(info->log->path);
        if (std::find(b.experiments.begin(), b.experiments.end(), info->experiment) == b.experiments.end())
          b.experiments.push_back(info->experiment);
        continue;
      }
      b.aligned |= info->budget != first.budget;
      b.budget = std::min(b.budget, info->budget);
      b.files.push_back(info->log->path);
      if (std::find(b.experiments.begin(), b.experiments.end(), info->experiment) == b.experiments.end())
        b.experiments.push_back(info->experiment);
    }
    std::map<std::pair<std::string, int32_t>, const std::string*> seen;  // (label, run) -> file
    std::map<std::string, size_t> method_index;
    for (const LogInfo* info : group) {
      for (const RunLog& run : info->log->log.runs) {
        if (!run.complete)
          return Bad(info->log->path, absl::StrCat("run ", run.label, "/", run.run, " is incomplete (its writer stopped after ",
                                                   run.episodes.size(), " episodes); only finished runs can be compared"));
        const std::string label = CompareLabel(run.label, info->workers);
        auto [s, fresh] = seen.emplace(std::make_pair(label, run.run), &info->log->path);
        if (!fresh)
          return Conflict(*s->second, info->log->path,
                          absl::StrCat("both hold run ", run.run, " of '", run.label, "' on benchmark '", b.dataset,
                                       "' (overlapping seeds.first_run ranges?); leave one of them out"));
        auto [m, added] = method_index.emplace(label, b.methods.size());
        if (added) {
          b.methods.emplace_back();
          b.methods.back().label = label;
          b.methods.back().method = run.method;
          b.methods.back().base_label = run.label;
          b.methods.back().workers = info->workers;
        }
        MethodResult& mr = b.methods[m->second];
        if (mr.method != run.method)
          return Bad(info->log->path, absl::StrCat("label '", label, "' is method '", run.method,
                                                   "' here but '", mr.method, "' in another log"));
        if (std::find(mr.files.begin(), mr.files.end(), info->log->path) == mr.files.end())
          mr.files.push_back(info->log->path);
        Trace t;
        t.run = run.run;
        for (const Episode& e : run.episodes) {
          const double x = b.unit == kEvaluations ? static_cast<double>(e.index + 1) : e.sim_time;
          if (!t.x.empty() && x < t.x.back())
            return Bad(info->log->path, absl::StrCat("run ", run.label, "/", run.run, ": episode ", e.index,
                                                     " goes back in ", b.unit));
          t.x.push_back(x);
          t.y.push_back(e.incumbent_test);
        }
        mr.traces.push_back(std::move(t));
      }
    }
    for (MethodResult& m : b.methods) {
      std::sort(m.traces.begin(), m.traces.end(), [](const Trace& x, const Trace& y) { return x.run < y.run; });
      auto at = [&](double point, bool regret) {
        std::vector<double> v;
        for (const Trace& t : m.traces) {
          const double y = IncumbentAt(t, point);
          v.push_back(regret ? b.best_test_acc - y : y);
        }
        return v;
      };
      for (double p : options.budget_percents) {
        PointStats ps;
        ps.percent = p;
        ps.budget = b.budget * (p / 100);
        ps.test = stats::Summarize(at(ps.budget, false));
        ps.regret = stats::Summarize(at(ps.budget, true));
        m.points.push_back(ps);
      }
      m.final_test = stats::Summarize(at(b.budget, false));
      std::vector<double> ends;
      for (const Trace& t : m.traces)
        if (!t.x.empty()) ends.push_back(t.x.back());
      m.finish_time = stats::Summarize(ends);
    }
    // Speed-up of P workers over one, per method label, in simulated time to finish the same runs.
    if (parallel)
      for (MethodResult& m : b.methods) {
        if (m.workers == 1) continue;
        for (const MethodResult& one : b.methods)
          if (one.workers == 1 && one.base_label == m.base_label && m.finish_time.n > 0 && one.finish_time.n > 0)
            m.speedup = one.finish_time.mean / m.finish_time.mean;
      }
    // Ranks by mean final test accuracy (1 = best); methods without a final value get no rank.
    std::vector<double> neg_means;
    std::vector<MethodResult*> ranked;
    for (MethodResult& m : b.methods) {
      m.rank = NAN;
      if (m.final_test.n > 0) neg_means.push_back(-m.final_test.mean), ranked.push_back(&m);
    }
    const std::vector<double> ranks = stats::AverageRanks(neg_means);
    for (size_t i = 0; i < ranked.size(); ++i) ranked[i]->rank = ranks[i];
    // The reference: the label equal to the reference method's name if one is, else its first label.
    const std::string& ref_method = options.reference_method;
    for (const MethodResult& m : b.methods)
      if (!ref_method.empty() && m.method == ref_method && (b.reference.empty() || m.label == ref_method))
        b.reference = m.label;
    if (!b.reference.empty()) {
      const MethodResult& ref = b.methods[method_index.at(b.reference)];
      auto finals = [&](const MethodResult& m) {
        std::vector<double> v;
        for (const Trace& t : m.traces) v.push_back(IncumbentAt(t, b.budget));
        return v;
      };
      const std::vector<double> ref_final = finals(ref);
      for (MethodResult& m : b.methods) {
        if (m.label == b.reference) continue;
        m.has_test = true;
        m.vs_random = stats::MannWhitneyU(finals(m), ref_final);
      }
    }
    out.benchmarks.push_back(std::move(b));
  }

  std::map<std::string, std::pair<double, int>> sums;
  for (const BenchmarkResult& b : out.benchmarks)
    for (const MethodResult& m : b.methods)
      if (!std::isnan(m.rank)) sums[m.label].first += m.rank, sums[m.label].second += 1;
  for (const auto& [label, s] : sums) out.average_rank[label] = {s.first / s.second, s.second};
  return out;
}

// Parallel workers: the simulated wall-clock each method needed and its speed-up over one worker.
std::string SpeedupMarkdown(const BenchmarkResult& b) {
  bool any = false;
  for (const MethodResult& m : b.methods) any |= m.workers > 1;
  if (!any) return "";
  std::string out =
      "Parallel workers (simulated wall-clock; label@P = P workers): time to finish the runs and speed-up over the "
      "same method with 1 worker.\n\n| method | workers | runs | sim. seconds to finish (mean) | speed-up | final "
      "test acc mean ± std |\n|---|---:|---:|---:|---:|---:|\n";
  for (const MethodResult& m : b.methods)
    absl::StrAppend(&out, "| ", m.label, " | ", m.workers, " | ", m.finish_time.n, " | ", General(m.finish_time.mean),
                    " | ", m.workers == 1 ? "1" : (std::isnan(m.speedup) ? "n/a" : absl::StrFormat("%.2fx", m.speedup)),
                    " | ", MeanStd(m.final_test), " |\n");
  return out + "\n";
}

std::string FormatMarkdown(const Comparison& c) {
  std::string out;
  for (const BenchmarkResult& b : c.benchmarks) {
    const bool evals = b.unit == kEvaluations;
    absl::StrAppend(&out, "## ", b.dataset, " (table sha256 ", b.table_sha256.substr(0, 12), "..., search ",
                    b.search_epochs, " / report ", b.report_epochs, " epochs)\n\n");
    absl::StrAppend(&out, "Budget ", absl::StrFormat("%g", b.budget), " ", b.unit, " per run",
                    b.aligned ? " (aligned: the smallest of the logs' budgets)" : "", "; best test accuracy in the table ",
                    Fixed(b.best_test_acc, 3), " (regret = best - incumbent test accuracy). Logs: ",
                    absl::StrJoin(b.files, ", "), " (experiment ", absl::StrJoin(b.experiments, ", "), ").\n");
    if (b.reference.empty())
      out += "No random-search method: no significance tests.\n\n";
    else
      absl::StrAppend(&out, "U and p: two-sided Mann-Whitney U test of the final test accuracy against `", b.reference,
                      "` (U counts pairs where the method wins). Rank: by mean final test accuracy, 1 = best.\n\n");
    absl::StrAppend(&out, "| method | runs | budget | ", evals ? "evaluations" : "sim. seconds",
                    " | test acc mean ± std | test median [Q1, Q3] | regret mean ± std | regret median [Q1, Q3] | "
                    "rank | U | p |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const MethodResult& m : b.methods) {
      for (size_t i = 0; i < m.points.size(); ++i) {
        const PointStats& p = m.points[i];
        const int total = static_cast<int>(m.traces.size());
        std::string runs = p.test.n == total ? absl::StrCat(total) : absl::StrCat(p.test.n, "/", total);
        std::string rank, u, pv;
        if (i == 0) {
          rank = Fixed(m.rank, 1);
          if (m.has_test) u = General(m.vs_random.u), pv = General(m.vs_random.p);
          else if (m.label == b.reference) u = pv = "(reference)";
        }
        absl::StrAppend(&out, "| ", i == 0 ? m.label : "", " | ", runs, " | ", absl::StrFormat("%g%%", p.percent), " | ",
                        absl::StrFormat("%g", p.budget), " | ", MeanStd(p.test), " | ", MedianIqr(p.test), " | ",
                        MeanStd(p.regret), " | ", MedianIqr(p.regret), " | ", rank, " | ", u, " | ", pv, " |\n");
      }
    }
    out += "\n";
    out += SpeedupMarkdown(b);
  }
  if (!c.average_rank.empty()) {
    std::vector<std::pair<std::string, std::pair<double, int>>> rows(c.average_rank.begin(), c.average_rank.end());
    std::stable_sort(rows.begin(), rows.end(), [](const auto& x, const auto& y) { return x.second.first < y.second.first; });
    absl::StrAppend(&out, "## Average rank over ", c.benchmarks.size(), c.benchmarks.size() == 1 ? " benchmark" : " benchmarks",
                    " (by mean final test accuracy, 1 = best)\n\n| method | benchmarks | average rank |\n|---|---:|---:|\n");
    for (const auto& [label, r] : rows) absl::StrAppend(&out, "| ", label, " | ", r.second, " | ", Fixed(r.first, 2), " |\n");
  }
  return out;
}

std::string FormatCsv(const Comparison& c) {
  std::string out =
      "dataset,table_sha256,unit,budget,label,method,runs,percent,point,n,test_mean,test_std,test_sem,test_median,"
      "test_q1,test_q3,test_iqr,regret_mean,regret_std,regret_sem,regret_median,regret_q1,regret_q3,regret_iqr,"
      "rank,average_rank,reference,u_vs_reference,p_vs_reference\n";
  for (const BenchmarkResult& b : c.benchmarks)
    for (const MethodResult& m : b.methods)
      for (const PointStats& p : m.points) {
        auto avg = c.average_rank.find(m.label);
        std::vector<std::string> f = {CsvField(b.dataset), b.table_sha256, CsvField(b.unit), Csv(b.budget),
                                      CsvField(m.label), CsvField(m.method), absl::StrCat(m.traces.size()),
                                      Csv(p.percent), Csv(p.budget), absl::StrCat(p.test.n)};
        for (const stats::Summary* s : {&p.test, &p.regret})
          for (double v : {s->mean, s->std, s->sem, s->median, s->q1, s->q3, s->iqr}) f.push_back(Csv(v));
        f.push_back(Csv(m.rank));
        f.push_back(avg != c.average_rank.end() ? Csv(avg->second.first) : "");
        f.push_back(CsvField(b.reference));
        f.push_back(m.has_test ? Csv(m.vs_random.u) : "");
        f.push_back(m.has_test ? Csv(m.vs_random.p) : "");
        absl::StrAppend(&out, absl::StrJoin(f, ","), "\n");
      }
  return out;
}

absl::StatusOr<std::vector<double>> ParseBudgetPercents(const std::string& text) {
  std::vector<double> out;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    part = absl::StripAsciiWhitespace(part);
    double v;
    if (!absl::SimpleAtod(part, &v) || !(v > 0 && v <= 100))
      return absl::InvalidArgumentError(absl::StrCat("budget point '", std::string(part),
                                                     "' is not a percentage in (0, 100] (e.g. 25,50,75,100)"));
    if (std::find(out.begin(), out.end(), v) != out.end())
      return absl::InvalidArgumentError(absl::StrCat("budget point ", std::string(part), " is given twice"));
    out.push_back(v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace nas::analysis
