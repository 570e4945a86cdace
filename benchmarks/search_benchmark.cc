// Google Benchmark of a tabular experiment's hot paths, one thread. Figures: benchmarks/README.md.
#include <benchmark/benchmark.h>

#include <cmath>

#include "nas/experiment/table_evaluator.h"
#include "nas/search/policy.h"
#include "nas/search/reinforce.h"
#include "nas/search/strategy.h"
#include "nas/space/nb201_space.h"
#include "nas/table/table.h"
#include "nas/util/rng.h"

namespace nas {
namespace {

// A full-size NB201 table (15,625 cells, 2 fidelities, 3 seeds) with synthetic values: the query cost does
// not depend on the numbers.
const Table& BenchTable() {
  static Table* t = [] {
    auto* table = new Table("nb201", 15625);
    TableDataset& d = table->AddDataset("bench", {12, 200}, {777, 888, 999});
    for (int64_t a = 0; a < 15625; ++a)
      for (int f = 0; f < 2; ++f)
        for (int s = 0; s < 3; ++s) {
          TableEntry& e = d.mutable_at(a, f, s);
          e.valid_acc = 50 + std::fmod(a * 0.618 + s, 40.0);
          e.test_acc = e.valid_acc - 0.5;
          e.train_acc = e.valid_acc + 5;
          e.train_time = 100 + f * 1000 + s;
        }
    d.ComputeMeans();
    return table;
  }();
  return *t;
}

void BM_TableEvaluate(benchmark::State& state) {
  proto::Benchmark b;
  b.set_dataset("bench");
  b.set_search_epochs(12);
  b.set_report_epochs(200);
  b.set_seed_mode(state.range(0) ? proto::SAMPLE : proto::MEAN);
  static Nb201Space space;
  auto ev = TableEvaluator::Create(BenchTable(), space, b, true);
  Rng rng(1);
  std::vector<int64_t> archs(1 << 16);
  for (auto& a : archs) a = static_cast<int64_t>(rng.UniformInt(15625));
  size_t i = 0;
  for (auto _ : state) {
    Evaluation e = ev->Lookup(archs[i++ & 0xffff], rng);
    benchmark::DoNotOptimize(e);
  }
  state.SetLabel(state.range(0) ? "SAMPLE seed" : "MEAN");
}
BENCHMARK(BM_TableEvaluate)->Arg(0)->Arg(1);

void BM_PerEdgeEpisode(benchmark::State& state) {
  Nb201Space space;
  auto policy = CreatePolicy(space, DefaultReinforceParams(proto::ReinforceParams::PER_EDGE), 1);
  Rng rng(2);
  double baseline = 0;
  for (auto _ : state) {
    PolicySample s = (*policy)->Sample(rng);
    const double reward = 80 + s.actions[0];
    baseline = 0.9 * baseline + 0.1 * reward;
    (*policy)->Update({s.actions}, {reward - baseline});
  }
}
BENCHMARK(BM_PerEdgeEpisode);

void BM_StrategyStep(benchmark::State& state, const std::string& name) {
  Nb201Space space;
  proto::Method m;
  m.set_name(name);
  m.set_label(name);
  auto info = FindStrategy(name);
  (void)(*info)->resolve(&m);
  // Runs of 1,000 evaluations (a fresh strategy each), as in an experiment; creation is included.
  auto s = (*info)->create(StrategyContext{&space, &m, 3});
  int64_t step = 0;
  for (auto _ : state) {
    if (++step % 1000 == 0) s = (*info)->create(StrategyContext{&space, &m, static_cast<uint64_t>(step)});
    Proposal p = (*s)->Ask();
    (*s)->Tell(p, 50 + std::fmod(space.Ordinal(p.actions) * 0.618, 40.0));
  }
}
BENCHMARK_CAPTURE(BM_StrategyStep, random, std::string("random"));
BENCHMARK_CAPTURE(BM_StrategyStep, regularized_evolution, std::string("regularized_evolution"));
BENCHMARK_CAPTURE(BM_StrategyStep, local_search, std::string("local_search"));

}  // namespace
}  // namespace nas
