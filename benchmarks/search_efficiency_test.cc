// Search-efficiency regression (benchmarks/search_efficiency.h): the reduced protocol on the best available
// table, compared with the committed reference results/search_efficiency/<table>.csv; plus the check's own
// tests: an unchanged strategy passes, a deliberately weakened one is flagged.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "benchmarks/search_efficiency.h"
#include "nas/experiment/config.h"
#include "nas/util/status.h"

namespace nas::efficiency {
namespace {

std::string TmpDir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d ? d : "/tmp";
}

// Loaded and run once for the whole test binary.
struct Fixture {
  ProtocolTable table;
  Results current;
};
const Fixture& Shared() {
  static const Fixture* f = [] {
    // NAS_SEARCH_EFFICIENCY_TABLE=embedded|nb201_csv|synthetic forces a table (default: the first available).
    const char* kind = std::getenv("NAS_SEARCH_EFFICIENCY_TABLE");
    auto table = LoadProtocolTable(kind && *kind ? kind : "auto", TmpDir());
    if (!table.ok()) std::fprintf(stderr, "%s\n", std::string(table.status().message()).c_str());
    NAS_CHECK(table.ok());
    auto results = RunProtocol(*table->table, table->config, table->name);
    if (!results.ok()) std::fprintf(stderr, "%s\n", std::string(results.status().message()).c_str());
    NAS_CHECK(results.ok());
    std::printf("search-efficiency table: %s (%s)\n", table->name.c_str(), table->description.c_str());
    return new Fixture{std::move(*table), std::move(*results)};
  }();
  return *f;
}

Results Only(const Results& r, const std::string& label) {
  Results o = r;
  o.labels = {label};
  o.by_label = {{label, r.by_label.at(label)}};
  return o;
}

TEST(SearchEfficiency, NoSignificantLossAgainstCommittedReference) {
  const Fixture& f = Shared();
  const std::string path = "results/search_efficiency/" + f.table.name + ".csv";
  std::ifstream in(path);
  if (!in.good())
    GTEST_SKIP() << "no reference for table " << f.table.name << " (" << f.table.description << "): " << path
                 << " is absent; create it with: " << kRegenerateCommand;
  std::stringstream text;
  text << in.rdbuf();
  auto reference = ParseCsv(text.str(), path);
  ASSERT_TRUE(reference.ok()) << reference.status().message();
  if (reference->table_checksum != f.current.table_checksum)
    GTEST_SKIP() << path << " was made on a table with checksum " << reference->table_checksum
                 << ", but this run's table " << f.table.name << " (" << f.table.description << ") has "
                 << f.current.table_checksum << ": not comparable, not compared. Regenerate on this table with: "
                 << kRegenerateCommand;
  ASSERT_EQ(reference->protocol_checksum, f.current.protocol_checksum)
      << "the protocol (benchmarks/search_efficiency.cc) changed since " << path
      << " was made; regenerate it with: " << kRegenerateCommand;
  const Verdict v = Check(f.current, *reference);
  std::printf("table %s: %s\n%s", f.table.name.c_str(),
              v.identical ? "every run identical to the reference" : "results changed", v.report.c_str());
  EXPECT_TRUE(v.pass) << "significant loss of search efficiency on " << f.table.description << " vs " << path
                      << ":\n"
                      << v.report << "If the change is intended, regenerate the reference with: "
                      << kRegenerateCommand;
  if (v.pass && !v.identical)
    std::printf("results moved without a significant loss; to record them: %s\n", kRegenerateCommand);
}

TEST(SearchEfficiency, UnchangedStrategyPassesAndIsIdentical) {
  const Fixture& f = Shared();
  auto again = RunProtocol(*f.table.table, f.table.config, f.table.name);
  ASSERT_TRUE(again.ok()) << again.status().message();
  // Through the CSV, as the committed reference is read.
  auto reference = ParseCsv(FormatCsv(f.current), "in-memory reference");
  ASSERT_TRUE(reference.ok()) << reference.status().message();
  EXPECT_EQ(reference->table_checksum, again->table_checksum);
  EXPECT_EQ(reference->protocol_checksum, again->protocol_checksum);
  const Verdict v = Check(*again, *reference);
  EXPECT_TRUE(v.identical) << v.report;
  EXPECT_TRUE(v.pass) << v.report;
}

TEST(SearchEfficiency, WeakenedStrategyIsFlagged) {
  const Fixture& f = Shared();
  // Aging evolution with population 1 and tournament 1: every child mutates the previous one, a random walk
  // without selection. Same label, so it is compared with the real regularized_evolution's runs.
  proto::Experiment weak = f.table.config;
  weak.clear_methods();
  proto::Method* m = weak.add_methods();
  m->set_name("regularized_evolution");
  m->set_label("regularized_evolution");
  m->mutable_evolution()->set_population_size(1);
  m->mutable_evolution()->set_tournament_size(1);
  ASSERT_TRUE(ResolveExperiment(&weak, "weakened").ok());
  auto weakened = RunProtocol(*f.table.table, weak, f.table.name);
  ASSERT_TRUE(weakened.ok()) << weakened.status().message();
  const Verdict v = Check(*weakened, Only(f.current, "regularized_evolution"));
  std::printf("weakened regularized_evolution on %s:\n%s", f.table.name.c_str(), v.report.c_str());
  EXPECT_FALSE(v.identical);
  EXPECT_FALSE(v.pass) << "the check missed a random walk posing as regularized_evolution:\n" << v.report;
}

TEST(SearchEfficiency, ImprovementPasses) {
  // One-sided: a method that got better (here: the reference is the weakened one) is not a failure.
  const Fixture& f = Shared();
  Results better = Only(f.current, "regularized_evolution");
  Results worse_reference = better;
  for (RunMetrics& r : worse_reference.by_label["regularized_evolution"]) r.final_regret += 1, r.auc_regret += 1;
  const Verdict v = Check(better, worse_reference);
  EXPECT_FALSE(v.identical);
  EXPECT_TRUE(v.pass) << v.report;
}

TEST(SearchEfficiency, CsvRoundTripIsExactAndErrorsNameTheLine) {
  const Fixture& f = Shared();
  auto back = ParseCsv(FormatCsv(f.current), "x.csv");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(FormatCsv(*back), FormatCsv(f.current));
  auto bad = ParseCsv("# table_checksum: a\n# protocol_checksum: b\nmethod,run,final_regret,auc_regret\nrandom,0,x,1\n",
                      "bad.csv");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(std::string(bad.status().message()).rfind("bad.csv:4: ", 0), 0u) << bad.status().message();
}

}  // namespace
}  // namespace nas::efficiency
