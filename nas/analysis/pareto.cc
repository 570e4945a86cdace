#include "nas/analysis/pareto.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nas/analysis/plot.h"
#include "nas/experiment/config.h"

namespace nas::analysis {

std::vector<ParetoPoint> ParetoFront(std::vector<ParetoPoint> points) {
  std::sort(points.begin(), points.end(), [](const ParetoPoint& a, const ParetoPoint& b) {
    if (a.cost != b.cost) return a.cost < b.cost;
    if (a.accuracy != b.accuracy) return a.accuracy > b.accuracy;
    return a.arch < b.arch;
  });
  std::vector<ParetoPoint> front;
  for (const ParetoPoint& p : points)
    if (front.empty() || p.accuracy > front.back().accuracy) front.push_back(p);
  return front;
}

double Hypervolume(const std::vector<ParetoPoint>& front, double ref_cost, double ref_accuracy) {
  double area = 0;
  for (size_t i = 0; i < front.size(); ++i) {
    const double next_cost = i + 1 < front.size() ? front[i + 1].cost : ref_cost;
    const double width = std::max(0.0, std::min(next_cost, ref_cost) - front[i].cost);
    area += width * std::max(0.0, front[i].accuracy - ref_accuracy);
  }
  return area;
}

absl::StatusOr<std::vector<BenchmarkPareto>> ParetoFronts(const std::vector<NamedLog>& logs,
                                                          const std::string& cost_field) {
  if (cost_field != "params_m" && cost_field != "flops_m")
    return absl::InvalidArgumentError(
        absl::StrCat("nas compare: --pareto: unknown cost '", cost_field, "' (known: params_m, flops_m)"));
  const bool params = cost_field == "params_m";
  std::vector<BenchmarkPareto> out;
  std::map<std::string, size_t> group_of;
  // Per group and label: the points and the late-quarter figures.
  std::vector<std::map<std::string, std::vector<ParetoPoint>>> points;
  std::vector<std::map<std::string, std::vector<double>>> late_cost, late_acc;
  for (const NamedLog& named : logs) {
    auto attr = [&](const char* key) {
      auto it = named.log.attributes.find(key);
      return it == named.log.attributes.end() ? std::string() : it->second;
    };
    auto config = ParseExperiment(attr("config"), absl::StrCat(named.path, ": attribute 'config'"));
    if (!config.ok()) return config.status();
    const std::string dataset = config->benchmark().dataset();
    const std::string key = attr("table_sha256") + "\n" + dataset;
    auto [it, fresh] = group_of.emplace(key, out.size());
    if (fresh) {
      BenchmarkPareto b;
      b.dataset = dataset;
      b.table_sha256 = attr("table_sha256");
      b.cost_field = cost_field;
      out.push_back(b);
      points.emplace_back();
      late_cost.emplace_back();
      late_acc.emplace_back();
    }
    const size_t g = it->second;
    int64_t with_cost = 0;
    for (const RunLog& run : named.log.runs) {
      auto& pts = points[g][run.label];
      auto m = std::find_if(out[g].methods.begin(), out[g].methods.end(),
                            [&](const MethodPareto& x) { return x.label == run.label; });
      if (m == out[g].methods.end()) {
        out[g].methods.push_back(MethodPareto{run.label});
        m = out[g].methods.end() - 1;
      }
      ++m->runs;
      const size_t n = run.episodes.size();
      for (size_t i = 0; i < n; ++i) {
        const Episode& e = run.episodes[i];
        const double cost = params ? e.params_m : e.flops_m;
        if (!std::isfinite(cost) || !std::isfinite(e.test_acc)) continue;
        ++with_cost;
        pts.push_back({cost, e.test_acc, e.arch});
        if (i >= n - std::max<size_t>(1, n / 4)) {
          late_cost[g][run.label].push_back(cost);
          late_acc[g][run.label].push_back(e.test_acc);
        }
      }
    }
    if (with_cost == 0)
      return absl::FailedPreconditionError(absl::StrCat(
          named.path, ": no episode has ", cost_field,
          " (a log written before the cost fields, or a table without that column)"));
  }
  for (size_t g = 0; g < out.size(); ++g) {
    BenchmarkPareto& b = out[g];
    b.reference_cost = 0;
    b.reference_accuracy = INFINITY;
    for (auto& [label, pts] : points[g])
      for (const ParetoPoint& p : pts) {
        b.reference_cost = std::max(b.reference_cost, p.cost);
        b.reference_accuracy = std::min(b.reference_accuracy, p.accuracy);
      }
    for (MethodPareto& m : b.methods) {
      std::vector<ParetoPoint>& pts = points[g][m.label];
      m.evaluated = static_cast<int64_t>(pts.size());
      if (pts.empty()) continue;
      std::vector<double> costs;
      for (const ParetoPoint& p : pts) costs.push_back(p.cost);
      std::sort(costs.begin(), costs.end());
      const size_t k = costs.size();
      m.median_cost = k % 2 ? costs[k / 2] : 0.5 * (costs[k / 2 - 1] + costs[k / 2]);
      double sc = 0, sa = 0;
      for (double c : late_cost[g][m.label]) sc += c;
      for (double a : late_acc[g][m.label]) sa += a;
      m.late_mean_cost = sc / late_cost[g][m.label].size();
      m.late_mean_accuracy = sa / late_acc[g][m.label].size();
      m.front = ParetoFront(pts);
      m.hypervolume = Hypervolume(m.front, b.reference_cost, b.reference_accuracy);
    }
  }
  return out;
}

std::string FormatParetoMarkdown(const std::vector<BenchmarkPareto>& fronts) {
  std::string out;
  for (const BenchmarkPareto& b : fronts) {
    absl::StrAppend(&out, "## Pareto fronts: ", b.dataset, " (table sha256 ", b.table_sha256.substr(0, 12),
                    "...; cost ", b.cost_field, ", accuracy = test accuracy)\n\n");
    absl::StrAppendFormat(&out, "| method | runs | evaluated | median %s | last-quarter mean %s | last-quarter test acc "
                                "| front size | hypervolume (ref %.4g, %.2f) |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n",
                          b.cost_field, b.cost_field, b.reference_cost, b.reference_accuracy);
    for (const MethodPareto& m : b.methods)
      absl::StrAppendFormat(&out, "| %s | %d | %d | %.4f | %.4f | %.3f | %d | %.4f |\n", m.label, m.runs, m.evaluated,
                            m.median_cost, m.late_mean_cost, m.late_mean_accuracy, m.front.size(), m.hypervolume);
    for (const MethodPareto& m : b.methods) {
      absl::StrAppend(&out, "\n", m.label, " front (", b.cost_field, " -> test acc):");
      for (const ParetoPoint& p : m.front) absl::StrAppendFormat(&out, " %.4f->%.3f", p.cost, p.accuracy);
      absl::StrAppend(&out, "\n");
    }
    absl::StrAppend(&out, "\n");
  }
  return out;
}

absl::Status WriteParetoPlot(const std::vector<BenchmarkPareto>& fronts, const std::string& path,
                             const std::string& gnuplot) {
  return RunGnuplot(path, gnuplot, [&](const std::string& dir, const std::string& picture) -> absl::Status {
    std::string script = absl::StrCat("set terminal ", absl::EndsWith(picture, ".png") ? "pngcairo" : "svg",
                                      " size 800,", 450 * fronts.size(), "\nset output '", picture, "'\n");
    absl::StrAppend(&script, "set multiplot layout ", fronts.size(), ",1\nset logscale x\nset key bottom right\n");
    for (size_t bi = 0; bi < fronts.size(); ++bi) {
      const BenchmarkPareto& b = fronts[bi];
      absl::StrAppend(&script, "set title 'Pareto fronts: ", b.dataset, "' noenhanced\nset xlabel '", b.cost_field,
                      "' noenhanced\nset ylabel 'test accuracy (%)'\nplot ");
      for (size_t mi = 0; mi < b.methods.size(); ++mi) {
        const std::string file = absl::StrCat("pareto_", bi, "_", mi, ".dat");
        std::ofstream f(absl::StrCat(dir, "/", file));
        for (const ParetoPoint& p : b.methods[mi].front) f << absl::StrFormat("%.10g %.10g\n", p.cost, p.accuracy);
        if (b.methods[mi].front.empty()) f << "nan nan\n";
        if (!f) return absl::InternalError(absl::StrCat(path, ": cannot write gnuplot data"));
        absl::StrAppend(&script, mi ? ", " : "", "'", file, "' using 1:2 with steps lw 2 title '", b.methods[mi].label,
                        "' noenhanced, '", file, "' using 1:2 with points pt 7 notitle");
      }
      absl::StrAppend(&script, "\n");
    }
    absl::StrAppend(&script, "unset multiplot\n");
    std::ofstream f(absl::StrCat(dir, "/plot.gp"));
    f << script;
    if (!f) return absl::InternalError(absl::StrCat(path, ": cannot write the gnuplot script"));
    return absl::OkStatus();
  });
}

}  // namespace nas::analysis
