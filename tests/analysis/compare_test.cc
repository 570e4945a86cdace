// nas::analysis::Compare on small synthetic logs: merging, refusals, statistics at budget points, CSV, plot.
#include "nas/analysis/compare.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "nas/analysis/plot.h"
#include "tests/analysis/synthetic_logs.h"

namespace nas::analysis {
namespace {

// The reference `nas compare` uses (the strategy registered as StrategyInfo::reference).
CompareOptions RandomReference() {
  CompareOptions o;
  o.reference_method = "random";
  return o;
}

using nas::testing::SyntheticLog;
using nas::testing::TmpPath;

NamedLog Make(const std::string& name, const SyntheticLog& s) {
  const std::string path = TmpPath(name);
  const std::string error = nas::testing::WriteSyntheticLog(path, s);
  EXPECT_EQ(error, "");
  auto log = ReadLog(path);
  EXPECT_TRUE(log.ok()) << log.status();
  return {path, log.ok() ? *log : LogFile{}};
}

const MethodResult& Method(const BenchmarkResult& b, const std::string& label) {
  for (const MethodResult& m : b.methods)
    if (m.label == label) return m;
  ADD_FAILURE() << "no method " << label;
  return b.methods.front();
}

TEST(Compare, TwoLogsWithDifferentSeedRangesMergeIntoOneTable) {
  SyntheticLog a, b;
  b.first_run = 3;
  auto c = Compare({Make("a.h5", a), Make("b.h5", b)}, RandomReference());
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->benchmarks.size(), 1u);
  const BenchmarkResult& bench = c->benchmarks[0];
  EXPECT_EQ(bench.dataset, "toy");
  EXPECT_EQ(bench.unit, "evaluations");
  EXPECT_DOUBLE_EQ(bench.budget, 10);
  EXPECT_EQ(bench.files.size(), 2u);
  EXPECT_EQ(bench.reference, "random");
  ASSERT_EQ(bench.methods.size(), 2u);
  const MethodResult& rl = Method(bench, "rl");
  const MethodResult& rs = Method(bench, "random");
  ASSERT_EQ(rl.traces.size(), 6u);
  for (int r = 0; r < 6; ++r) EXPECT_EQ(rl.traces[r].run, r);
  // Final incumbent of rl run r: 90 + 0.1 r, r = 0..5 -> mean 90.25, median 90.25, type-7 quartiles 90.125, 90.375.
  ASSERT_EQ(rl.points.size(), 4u);
  const PointStats& last = rl.points[3];
  EXPECT_DOUBLE_EQ(last.percent, 100);
  EXPECT_DOUBLE_EQ(last.budget, 10);
  EXPECT_EQ(last.test.n, 6);
  EXPECT_NEAR(last.test.mean, 90.25, 1e-12);
  EXPECT_NEAR(last.test.median, 90.25, 1e-12);
  EXPECT_NEAR(last.test.q1, 90.125, 1e-12);
  EXPECT_NEAR(last.test.q3, 90.375, 1e-12);
  EXPECT_NEAR(last.test.std, std::sqrt(0.175 / 5), 1e-12);  // deviations +-0.05, 0.15, 0.25
  EXPECT_NEAR(last.regret.mean, 92 - 90.25, 1e-12);
  // 50 % of 10 evaluations = 5: the incumbent after episode index 4 is 2.5 lower.
  EXPECT_DOUBLE_EQ(rl.points[1].budget, 5);
  EXPECT_NEAR(rl.points[1].test.mean, 87.75, 1e-12);
  // 25 % = 2.5 evaluations: the incumbent after 2 evaluations (index 1).
  EXPECT_NEAR(rl.points[0].test.mean, 90.25 - 4.0, 1e-12);
  EXPECT_DOUBLE_EQ(rl.rank, 1);
  EXPECT_DOUBLE_EQ(rs.rank, 2);
  EXPECT_TRUE(rl.has_test);
  EXPECT_FALSE(rs.has_test);
  EXPECT_DOUBLE_EQ(rl.vs_random.u, 36);             // every rl run beats every random run
  EXPECT_NEAR(rl.vs_random.p, 2.0 / 924, 1e-15);    // exact, 6 vs 6
  EXPECT_DOUBLE_EQ(c->average_rank.at("rl").first, 1);

  const std::string md = FormatMarkdown(*c);
  EXPECT_NE(md.find("## toy"), std::string::npos) << md;
  EXPECT_NE(md.find("| rl | 6 | 25% | 2.5 |"), std::string::npos) << md;
  EXPECT_NE(md.find("90.250 ± 0.187"), std::string::npos) << md;
  EXPECT_NE(md.find("| (reference) |"), std::string::npos) << md;

  const std::string csv = FormatCsv(*c);
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u + 2 * 4);  // header + 1 benchmark x 2 methods x 4 budget points
  EXPECT_TRUE(absl::StartsWith(lines[0], "dataset,table_sha256,unit,budget,label,method,runs,percent,point,n,test_mean"));
  EXPECT_TRUE(absl::StartsWith(lines[1], "toy,aaaa1111,evaluations,10,random,random,6,25,2.5,6,")) << lines[1];
  EXPECT_TRUE(absl::StartsWith(lines[8], "toy,aaaa1111,evaluations,10,rl,reinforce,6,100,10,6,90.25,")) << lines[8];
  EXPECT_TRUE(absl::EndsWith(lines[8], ",1,1,random,36,0.002164502165")) << lines[8];
  for (const std::string& line : lines) EXPECT_EQ(std::count(line.begin(), line.end(), ','), 28) << line;
}

TEST(Compare, RefusesLogsOfDifferentBenchmarksNamingBothFiles) {
  SyntheticLog a, other_table, other_epochs, other_budget;
  other_table.sha256 = "bbbb2222";
  other_table.first_run = 3;
  other_epochs.report_epochs = "12";
  other_epochs.first_run = 3;
  other_budget.budget = "evaluations: 8";
  other_budget.first_run = 3;
  const NamedLog la = Make("x.h5", a);
  for (const auto& [name, log, expect] :
       {std::make_tuple("other_table.h5", other_table, "dataset 'toy' comes from different tables"),
        std::make_tuple("other_epochs.h5", other_epochs, "different epochs"),
        std::make_tuple("other_budget.h5", other_budget, "different budgets")}) {
    auto c = Compare({la, Make(name, log)}, RandomReference());
    ASSERT_FALSE(c.ok()) << name;
    const std::string msg(c.status().message());
    EXPECT_NE(msg.find(la.path), std::string::npos) << msg;
    EXPECT_NE(msg.find(name), std::string::npos) << msg;
    EXPECT_NE(msg.find(expect), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  // --align: different budgets compare at the smaller one.
  CompareOptions align = RandomReference();
  align.align = true;
  auto c = Compare({la, Make("other_budget.h5", other_budget)}, align);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_DOUBLE_EQ(c->benchmarks[0].budget, 8);
  EXPECT_TRUE(c->benchmarks[0].aligned);
  // Runs 0-2 have 10 episodes, runs 3-5 have 8: the final point is after 8 evaluations for all.
  EXPECT_NEAR(Method(c->benchmarks[0], "rl").final_test.mean, 90.25 - 1.0, 1e-12);
}

// Without a reference method (nas compare names the registered one) no method is tested against another.
TEST(Compare, NoReferenceMethodNoTests) {
  SyntheticLog a;
  auto c = Compare({Make("noref.h5", a)}, {});
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->benchmarks.size(), 1u);
  EXPECT_EQ(c->benchmarks[0].reference, "");
  for (const MethodResult& m : c->benchmarks[0].methods) EXPECT_FALSE(m.has_test) << m.label;
}

TEST(Compare, RefusesADuplicateRunAcrossLogs) {
  SyntheticLog a, b;
  b.first_run = 2;  // run 2 in both
  auto c = Compare({Make("d1.h5", a), Make("d2.h5", b)}, RandomReference());
  ASSERT_FALSE(c.ok());
  const std::string msg(c.status().message());
  EXPECT_NE(msg.find("d1.h5 and "), std::string::npos) << msg;
  EXPECT_NE(msg.find("d2.h5: both hold run 2 of 'random'"), std::string::npos) << msg;
  // An unfinished run (a writer that was killed).
  NamedLog partial = Make("d4.h5", a);
  partial.log.runs[1].complete = false;
  c = Compare({partial}, RandomReference());
  ASSERT_FALSE(c.ok());
  EXPECT_NE(std::string(c.status().message()).find("d4.h5: run random/1 is incomplete"), std::string::npos)
      << c.status();
  // The same file twice.
  const NamedLog once = Make("d3.h5", a);
  EXPECT_FALSE(Compare({once, once}, RandomReference()).ok());
}

TEST(Compare, DifferentDatasetsAreSeparateBenchmarksWithAverageRank) {
  SyntheticLog a, b;
  b.dataset = "other";
  b.incumbent_test = [](const std::string& label, int run, int i) { return (label == "rl" ? 80.0 : 85.0) + i; };
  auto c = Compare({Make("b1.h5", a), Make("b2.h5", b)}, RandomReference());
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->benchmarks.size(), 2u);
  EXPECT_DOUBLE_EQ(c->average_rank.at("rl").first, 1.5);
  EXPECT_DOUBLE_EQ(c->average_rank.at("random").first, 1.5);
  EXPECT_EQ(c->average_rank.at("rl").second, 2);
  std::vector<std::string> lines = absl::StrSplit(FormatCsv(*c), '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.size(), 1u + 2 * 2 * 4);  // header + 2 benchmarks x 2 methods x 4 points
}

TEST(Compare, SecondsBudgetUsesSimulatedTime) {
  SyntheticLog s;
  s.budget = "simulated_seconds: 1000";  // episode i ends at 100 (i + 1) s
  auto c = Compare({Make("sec.h5", s)}, RandomReference());
  ASSERT_TRUE(c.ok()) << c.status();
  const BenchmarkResult& b = c->benchmarks[0];
  EXPECT_EQ(b.unit, "simulated seconds");
  const MethodResult& rl = Method(b, "rl");
  EXPECT_DOUBLE_EQ(rl.points[0].budget, 250);  // 2 episodes done by 250 s
  EXPECT_NEAR(rl.points[0].test.mean, 90.1 - 4.0, 1e-12);
  // 5 % = 50 s: no episode has finished; no run has an incumbent.
  CompareOptions early = RandomReference();
  early.budget_percents = {5};
  auto e = Compare({Make("sec.h5", s)}, early);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(Method(e->benchmarks[0], "rl").points[0].test.n, 0);
  EXPECT_NE(FormatMarkdown(*e).find("| rl | 0/3 | 5% | 50 | n/a |"), std::string::npos) << FormatMarkdown(*e);
}

TEST(Compare, MissingAttributesAndBadBudgetsAreClearErrors) {
  NamedLog bare{"bare.h5", LogFile{}};
  auto c = Compare({bare}, RandomReference());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "bare.h5: cannot compare: the log lacks the root attribute 'table_sha256'");
  EXPECT_FALSE(ParseBudgetPercents("0,50").ok());
  EXPECT_FALSE(ParseBudgetPercents("50,101").ok());
  EXPECT_FALSE(ParseBudgetPercents("50,50").ok());
  EXPECT_FALSE(ParseBudgetPercents("abc").ok());
  auto p = ParseBudgetPercents("100, 25,50");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (std::vector<double>{25, 50, 100}));
}

TEST(Plot, CurvesAndGnuplotOutput) {
  SyntheticLog a;
  auto c = Compare({Make("plot.h5", a)}, RandomReference());
  ASSERT_TRUE(c.ok());
  const std::vector<Curve> curves = AnytimeCurves(c->benchmarks[0], false, 400);
  ASSERT_EQ(curves.size(), 2u);
  ASSERT_EQ(curves[1].x.size(), 10u);  // every evaluation 1..10
  EXPECT_NEAR(curves[1].mean.back(), 90.1, 1e-12);
  EXPECT_NEAR(curves[1].sem.back(), 0.1 / std::sqrt(3.0), 1e-12);
  const std::vector<Curve> regret = AnytimeCurves(c->benchmarks[0], true, 400);
  EXPECT_NEAR(regret[1].mean.back(), 92 - 90.1, 1e-12);

  PlotOptions missing;
  missing.gnuplot = "no-such-gnuplot-binary";
  absl::Status s = WriteAnytimePlot(*c, TmpPath("p.svg"), missing);
  EXPECT_NE(s.message().find("gnuplot-nox"), std::string::npos) << s;
  EXPECT_NE(WriteAnytimePlot(*c, TmpPath("p.pdf"), {}).message().find("must be .svg or .png"), std::string::npos);

  if (FindProgram("gnuplot").empty()) GTEST_SKIP() << "gnuplot not installed";
  for (const char* name : {"p.svg", "p.png"}) {
    PlotOptions o;
    o.regret = std::string(name) == "p.png";
    ASSERT_TRUE(WriteAnytimePlot(*c, TmpPath(name), o).ok()) << name;
    std::ifstream in(TmpPath(name), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    if (o.regret)
      EXPECT_EQ(ss.str().substr(1, 3), "PNG");
    else
      EXPECT_NE(ss.str().find("<svg"), std::string::npos);
  }
}

}  // namespace
}  // namespace nas::analysis
