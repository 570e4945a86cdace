// Fidelity in the ask/tell protocol: successive halving, Hyperband and ASHA (1 and 4 workers) on the
// synthetic four-fidelity table (4, 12, 36, 108 epochs) and on the embedded Fashion-MNIST table (1 and 2
// epochs). Every episode is evaluated at the fidelity its proposal named (the logged `fidelity`, its
// validation accuracy and its cost are the table's at that fidelity), the schedule climbs the rungs, runs are
// deterministic for any thread count, and single-fidelity methods keep evaluating at the search fidelity.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "nas/experiment/config.h"
#include "nas/experiment/runner.h"
#include "nas/experiment/table_evaluator.h"
#include "nas/log/replay.h"
#include "nas/space/nb201_space.h"
#include "nas/table/table_io.h"
#include "nas/testing/synthetic_table.h"

namespace nas {
namespace {

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

struct Runs {
  proto::Experiment config;
  std::vector<RunLog> logs;
};

Runs RunAll(const Table& table, const std::string& config_text, int threads) {
  Runs out;
  auto config = ParseExperiment(config_text, "test");
  EXPECT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(ResolveExperiment(&*config, "test").ok());
  out.config = *config;
  Nb201Space space;
  auto ev = TableEvaluator::Create(table, space, config->benchmark(),
                                   config->budget().limit_case() == proto::Budget::kSimulatedSeconds);
  EXPECT_TRUE(ev.ok()) << ev.status();
  Runner runner(out.config, space, *ev);
  const auto jobs = runner.Jobs();
  out.logs.resize(jobs.size());
  std::mutex mu;
  Runner::Callbacks cb;
  cb.finished = [&](int j, const RunLog& r) {
    std::lock_guard<std::mutex> lock(mu);
    out.logs[j] = r;
    return absl::OkStatus();
  };
  absl::Status s = runner.RunAll(jobs, threads, cb);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

// Every episode is the table's entry at its fidelity (valid_acc at the logged seed slot, cost = that slot's
// training time, sim_time the running sum with one worker), and the incumbent is the best by validation
// accuracy among the highest fidelity so far.
void CheckAgainstTable(const Table& table, const Runs& runs, const std::string& dataset) {
  Nb201Space space;
  const TableDataset& d = **table.dataset(dataset);
  const bool one_worker = !runs.config.budget().has_workers();
  for (const RunLog& r : runs.logs) {
    double clock = 0;
    const Episode* best = nullptr;
    for (const Episode& e : r.episodes) {
      ASSERT_GE(e.fidelity, 0);
      ASSERT_LT(e.fidelity, static_cast<int>(d.fidelities().size()));
      const TableEntry& x = d.at(e.arch, e.fidelity, static_cast<int>(e.table_slot));
      ASSERT_TRUE(SameBits(e.valid_acc, x.valid_acc)) << r.label << " episode " << e.index;
      if (one_worker) {
        clock += x.train_time;
        ASSERT_TRUE(SameBits(e.sim_time, clock)) << r.label << " episode " << e.index;
      }
      if (best == nullptr || e.fidelity > best->fidelity ||
          (e.fidelity == best->fidelity && e.valid_acc > best->valid_acc))
        best = &e;
      ASSERT_EQ(e.incumbent, best->arch);
    }
  }
}

std::map<int, int> FidelityCounts(const RunLog& r) {
  std::map<int, int> n;
  for (const Episode& e : r.episodes) ++n[e.fidelity];
  return n;
}

class MultiFidelity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto t = ReadTable(testing::WriteSyntheticMultiFidelityTable(::testing::TempDir() + "/mf_synthetic.h5"));
    ASSERT_TRUE(t.ok()) << t.status();
    table_ = t->release();
  }
  static void TearDownTestSuite() { delete table_; }
  static Table* table_;
};
Table* MultiFidelity::table_ = nullptr;

constexpr char kSynthetic[] = R"(
benchmark { table: "x" dataset: "toy" seed_mode: SAMPLE }
budget { simulated_seconds: 20000 }
seeds { experiment_seed: 19 runs: 3 }
methods { name: "random" }
methods { name: "successive_halving" }
methods { name: "hyperband" }
methods { name: "asha" }
)";

TEST_F(MultiFidelity, EpisodesAreTheTablesEntriesAtTheirFidelity) {
  const Runs runs = RunAll(*table_, kSynthetic, 1);
  ASSERT_EQ(runs.logs.size(), 12u);
  CheckAgainstTable(*table_, runs, "toy");
  for (const RunLog& r : runs.logs) {
    const std::map<int, int> n = FidelityCounts(r);
    if (r.label == "random") {  // single-fidelity: the search fidelity (the largest, 108 epochs) throughout
      EXPECT_EQ(n.size(), 1u);
      EXPECT_EQ(n.begin()->first, 3);
      continue;
    }
    // Rungs 4, 12, 36, 108 (eta 3): every rung used, fewer evaluations the higher the rung.
    ASSERT_EQ(n.size(), 4u) << r.label;
    for (int f = 1; f < 4; ++f) EXPECT_LT(n.at(f), n.at(f - 1)) << r.label << " fidelity " << f;
  }
  // Successive halving's first bracket: 27 architectures at 4 epochs, the best 9 of them at 12, the best 3 at
  // 36, the best 1 at 108.
  const RunLog& sh = runs.logs[3];
  ASSERT_EQ(sh.label, "successive_halving");
  ASSERT_GE(sh.episodes.size(), 40u);
  std::vector<std::pair<double, int64_t>> rung0;
  for (int i = 0; i < 27; ++i) {
    EXPECT_EQ(sh.episodes[i].fidelity, 0);
    rung0.push_back({-sh.episodes[i].reward, i});
  }
  std::sort(rung0.begin(), rung0.end());
  for (int i = 0; i < 9; ++i) {
    EXPECT_EQ(sh.episodes[27 + i].fidelity, 1);
    EXPECT_EQ(sh.episodes[27 + i].actions, sh.episodes[rung0[i].second].actions) << "promotion " << i;
  }
  for (int i = 36; i < 39; ++i) EXPECT_EQ(sh.episodes[i].fidelity, 2);
  EXPECT_EQ(sh.episodes[39].fidelity, 3);
}

TEST_F(MultiFidelity, DeterministicForAnyThreadCountAndWorkers) {
  std::string parallel = kSynthetic;
  parallel.replace(parallel.find("budget {"), 8, "budget { workers: 4");
  for (const std::string& text : {std::string(kSynthetic), parallel}) {
    const Runs a = RunAll(*table_, text, 1);
    const Runs b = RunAll(*table_, text, 2);
    ASSERT_EQ(a.logs.size(), b.logs.size());
    for (size_t j = 0; j < a.logs.size(); ++j) {
      auto d = FirstDivergence(a.logs[j], b.logs[j]);
      EXPECT_FALSE(d.has_value()) << d->ToString();
    }
  }
  // ASHA keeps 4 workers busy: no worker idles while another works (it never waits for results).
  const Runs p = RunAll(*table_, parallel, 1);
  for (const RunLog& r : p.logs) {
    if (r.label != "asha") continue;
    std::set<int64_t> workers;
    for (const Episode& e : r.episodes) workers.insert(e.worker);
    EXPECT_EQ(workers.size(), 4u);
    EXPECT_EQ(FidelityCounts(r).size(), 4u);
  }
}

TEST_F(MultiFidelity, MinEpochsAndSearchEpochsBoundTheRungs) {
  const std::string text = R"(
benchmark { table: "x" dataset: "toy" search_epochs: 36 }
budget { evaluations: 60 }
seeds { experiment_seed: 5 runs: 1 }
methods { name: "hyperband" multi_fidelity { min_epochs: 12 } }
methods { name: "asha" label: "asha_eta2" multi_fidelity { eta: 2 } }
)";
  const Runs runs = RunAll(*table_, text, 1);
  CheckAgainstTable(*table_, runs, "toy");
  // hyperband: rungs 12, 36 (108 is above the search fidelity, 4 below min_epochs).
  std::map<int, int> n = FidelityCounts(runs.logs[0]);
  EXPECT_EQ(n.size(), 2u);
  EXPECT_TRUE(n.count(1) && n.count(2));
  // eta 2 over 4, 12, 36: from 36 the largest at most 18 is 12, then at most 6 is 4.
  n = FidelityCounts(runs.logs[1]);
  EXPECT_EQ(n.size(), 3u);
  EXPECT_FALSE(n.count(3));
}

TEST_F(MultiFidelity, OneFidelityIsAClearErrorNotACrash) {
  auto config = ParseExperiment(R"(
benchmark { table: "x" dataset: "toy" search_epochs: 4 }
budget { evaluations: 10 }
seeds { experiment_seed: 5 runs: 1 }
methods { name: "successive_halving" }
)", "test");
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(ResolveExperiment(&*config, "test").ok());
  Nb201Space space;
  auto ev = TableEvaluator::Create(*table_, space, config->benchmark(), false);
  ASSERT_TRUE(ev.ok());
  Runner runner(*config, space, *ev);
  auto r = runner.Run(runner.Jobs()[0]);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string(r.status().message()).find("needs at least two fidelities"), std::string::npos)
      << r.status();
}

// The embedded table (fidelities 1 and 2 epochs): every multi-fidelity method evaluates at both.
TEST(EmbeddedTable, HyperbandAndAshaUseBothFidelities) {
  const std::string path = "datasets/nb201_fmnist/nb201_fmnist.h5";
  if (!std::ifstream(path).good()) GTEST_SKIP() << "wanted the embedded table " << path;
  auto table = ReadTable(path);
  ASSERT_TRUE(table.ok()) << table.status();
  const std::string text = R"(
benchmark { table: "x" dataset: "fashion-mnist-8px" search_epochs: 2 report_epochs: 2 seed_mode: SAMPLE }
budget { simulated_seconds: 25 }
seeds { experiment_seed: 2026 runs: 4 }
methods { name: "random" }
methods { name: "successive_halving" }
methods { name: "hyperband" }
methods { name: "asha" }
)";
  const Runs a = RunAll(**table, text, 1);
  const Runs b = RunAll(**table, text, 2);
  CheckAgainstTable(**table, a, "fashion-mnist-8px");
  for (size_t j = 0; j < a.logs.size(); ++j) {
    auto d = FirstDivergence(a.logs[j], b.logs[j]);
    EXPECT_FALSE(d.has_value()) << d->ToString();
    if (a.logs[j].label != "random") {
      EXPECT_EQ(FidelityCounts(a.logs[j]).size(), 2u) << a.logs[j].label;
    }
  }
}

}  // namespace
}  // namespace nas
