// The shared suite every registered evaluator runs (parametrised over the registry, as the strategy suite):
// its fidelities ascend and hold the search fidelity, an evaluation at each fidelity records that fidelity
// and is deterministic for the run's stream, the search fidelity is the default, costs grow with the
// fidelity, and a deferrable evaluator's Draw / EvaluateDrawn equal EvaluateAt. Determinism is judged against a
// twin built the same way (a run's own evaluator, e.g. the weight-sharing supernet, keeps state between calls);
// a run's own evaluator is built for a method that owns it, on the synthetic table or, when it needs one, a
// tiny Fashion-MNIST `train` benchmark. Also: a method owning a
// stateful evaluator (registered here, as weight sharing would be) that its strategy trains, run by the
// runner without it knowing the method.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "nas/experiment/config.h"
#include "nas/experiment/evaluator.h"
#include "nas/experiment/runner.h"
#include "nas/experiment/table_evaluator.h"
#include "nas/log/replay.h"
#include "nas/search/strategy.h"
#include "nas/space/nb201_space.h"
#include "nas/table/table_io.h"
#include "nas/testing/synthetic_table.h"
#include "nas/util/status.h"

namespace nas {
namespace {

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

const Table& SyntheticTable() {
  static const Table* t = [] {
    auto r = ReadTable(testing::WriteSyntheticMultiFidelityTable(::testing::TempDir() + "/suite_mf.h5"));
    NAS_CHECK(r.ok());
    return r->release();
  }();
  return *t;
}

proto::Benchmark TableBenchmark() {
  proto::Benchmark b;
  b.set_table("synthetic");
  b.set_dataset("toy");
  b.set_search_epochs(36);
  b.set_seed_mode(proto::SAMPLE);
  return b;
}

// A stateful evaluator: the table's answer plus a bonus its owner trains (one step per result told).
class LearningEvaluator : public Evaluator {
 public:
  explicit LearningEvaluator(const Evaluator* base) : base_(base) {}
  absl::StatusOr<Evaluation> EvaluateAt(const Actions& arch, int fidelity, Rng& rng) const override {
    NAS_ASSIGN_OR_RETURN(Evaluation e, base_->EvaluateAt(arch, fidelity, rng));
    e.valid_acc += 0.001 * steps_;
    return e;
  }
  void Train() { ++steps_; }
  int64_t steps() const { return steps_; }
  std::vector<int> fidelity_epochs() const override { return base_->fidelity_epochs(); }
  int search_fidelity() const override { return base_->search_fidelity(); }
  int32_t LoggedFidelity(int f) const override { return base_->LoggedFidelity(f); }
  int search_epochs() const override { return base_->search_epochs(); }
  int report_epochs() const override { return base_->report_epochs(); }
  std::string Describe() const override { return "learning (test)"; }

 private:
  const Evaluator* base_;
  int64_t steps_ = 0;
};

const bool kEvaluatorRegistered = RegisterEvaluator(EvaluatorInfo{
    "learning_test", "a stateful evaluator its owner trains (test)",
    [](const EvaluatorContext& c) -> absl::StatusOr<std::unique_ptr<Evaluator>> {
      if (c.benchmark_evaluator == nullptr) return absl::FailedPreconditionError("builds on the benchmark's evaluator");
      return std::unique_ptr<Evaluator>(std::make_unique<LearningEvaluator>(c.benchmark_evaluator));
    }});

// Owns a learning_test evaluator; trains it with every result and samples at random.
class OwnerStrategy : public Strategy {
 public:
  OwnerStrategy(const StrategyContext& c) : space_(c.space), rng_(c.seed), ev_(static_cast<LearningEvaluator*>(c.evaluator)) {}
  Proposal Ask() override {
    Proposal p;
    p.actions = space_->Sample(rng_);
    return p;
  }
  void Tell(const Proposal&, double) override { ev_->Train(); }

 private:
  const SearchSpace* space_;
  Rng rng_;
  LearningEvaluator* ev_;
};

const bool kStrategyRegistered = [] {
  StrategyInfo info{"owner_test", "owns a learning_test evaluator (test)",
                    [](proto::Method* m) {
                      m->mutable_random();
                      return absl::OkStatus();
                    },
                    [](const StrategyContext& c) -> absl::StatusOr<std::unique_ptr<Strategy>> {
                      if (c.evaluator == nullptr) return absl::FailedPreconditionError("needs its evaluator");
                      return std::unique_ptr<Strategy>(std::make_unique<OwnerStrategy>(c));
                    }};
  info.evaluator = "learning_test";
  return RegisterStrategy(std::move(info));
}();

struct Built {
  proto::Benchmark benchmark;
  std::unique_ptr<proto::Method> method;  // per-run evaluators: a method that owns one
  std::unique_ptr<Evaluator> base;        // what a per-run evaluator builds on
  std::unique_ptr<Evaluator> evaluator;
};

// The default-resolved method of a registered strategy that owns the evaluator `name` (null: none does).
std::unique_ptr<proto::Method> OwnerMethod(const std::string& name) {
  for (const std::string& strategy : RegisteredStrategies()) {
    const StrategyInfo* info = *FindStrategy(strategy);
    if (info->evaluator != name) continue;
    auto m = std::make_unique<proto::Method>();
    m->set_name(strategy);
    m->set_label(strategy);
    if (info->resolve(m.get()).ok()) return m;
  }
  return nullptr;
}

// One epoch of 128 Fashion-MNIST images at 8x8 (C=4, N=1); fidelities 1 and 2 epochs when `epochs` is 2.
proto::Benchmark TrainBenchmark(int epochs) {
  proto::Benchmark b;
  b.set_space("nb201");
  proto::TrainSpec& t = *b.mutable_train();
  t.mutable_data()->set_name("fashion-mnist");
  t.mutable_data()->set_train_size(128);
  t.mutable_data()->set_valid_size(64);
  t.mutable_data()->set_test_size(64);
  t.mutable_data()->set_image_size(8);
  t.mutable_network()->set_channels(4);
  t.mutable_network()->set_cells_per_stage(1);
  t.set_epochs(epochs);
  t.set_batch_size(64);
  b.set_cost_per_evaluation_s(10);
  return b;
}

// The evaluator `name` on a benchmark it serves: the synthetic table's, else a tiny `train` benchmark (two
// epochs for "train"; one for a per-run evaluator, whose search is one schedule); a per-run evaluator builds on
// the experiment's evaluator of that benchmark for a method that owns it. Skips when the data is absent.
Built Build(const std::string& name, const SearchSpace& space, std::string* skip) {
  absl::Status last;
  for (const bool train : {false, true}) {
    Built b;
    EvaluatorContext c;
    c.space = &space;
    c.seed = 99;
    b.method = OwnerMethod(name);
    c.method = b.method.get();
    if (train) {
      if (::access("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", R_OK) != 0) {
        *skip = "wanted /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)";
        return b;
      }
      b.benchmark = TrainBenchmark(name == "train" ? 2 : 1);
    } else {
      b.benchmark = TableBenchmark();
      c.table = &SyntheticTable();
    }
    c.benchmark = &b.benchmark;
    if (name != "table" && name != "train") {
      auto base = (*FindEvaluator(train ? "train" : "table"))->create(c);
      EXPECT_TRUE(base.ok()) << base.status();
      if (!base.ok()) return b;
      b.base = std::move(*base);
      c.benchmark_evaluator = b.base.get();
    }
    auto e = (*FindEvaluator(name))->create(c);
    if (e.ok()) {
      b.evaluator = std::move(*e);
      return b;
    }
    last = e.status();
  }
  ADD_FAILURE() << name << " builds on neither the table nor the train benchmark: " << last;
  return Built();
}

class EvaluatorSuite : public ::testing::TestWithParam<std::string> {};

TEST_P(EvaluatorSuite, FidelitiesCostsAndDeterminism) {
  Nb201Space space;
  std::string skip;
  Built b = Build(GetParam(), space, &skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(b.evaluator, nullptr);
  // A twin built the same way: an evaluator with state (a run's own) is compared call for call with it.
  Built twin = Build(GetParam(), space, &skip);
  ASSERT_NE(twin.evaluator, nullptr);
  const Evaluator& ev = *b.evaluator;
  const Evaluator& ev2 = *twin.evaluator;
  const std::vector<int> epochs = ev.fidelity_epochs();
  ASSERT_FALSE(epochs.empty());
  for (size_t i = 0; i < epochs.size(); ++i) {
    EXPECT_GT(epochs[i], 0);
    if (i > 0) {
      EXPECT_GT(epochs[i], epochs[i - 1]);
    }
  }
  ASSERT_GE(ev.search_fidelity(), 0);
  ASSERT_LT(ev.search_fidelity(), static_cast<int>(epochs.size()));
  EXPECT_EQ(epochs[ev.search_fidelity()], ev.search_epochs());
  EXPECT_EQ(ev.LoggedFidelity(Evaluator::kSearchFidelity), ev.LoggedFidelity(ev.search_fidelity()));
  Rng arch_rng(5);
  const Actions arch = space.Sample(arch_rng);
  double previous_cost = -1;
  for (int f : {0, ev.search_fidelity()}) {
    Rng r1(7), r2(7);
    auto a = ev.EvaluateAt(arch, f, r1);
    auto c = ev2.EvaluateAt(arch, f, r2);
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(c.ok()) << c.status();
    EXPECT_EQ(a->fidelity, ev.LoggedFidelity(f));
    EXPECT_TRUE(SameBits(a->valid_acc, c->valid_acc) && SameBits(a->test_acc, c->test_acc) &&
                SameBits(a->cost_s, c->cost_s) && a->slot == c->slot)
        << "fidelity " << f << " not deterministic";
    EXPECT_GE(a->cost_s, previous_cost) << "fidelity " << f;
    previous_cost = a->cost_s;
    if (ev.deferrable()) {
      Rng r3(7);
      auto d = ev2.EvaluateDrawn(arch, ev2.Draw(r3), f);
      ASSERT_TRUE(d.ok()) << d.status();
      EXPECT_TRUE(SameBits(d->valid_acc, a->valid_acc) && SameBits(d->cost_s, ev.deferred_cost_s(f)));
    }
  }
  Rng r1(7), r2(7);
  auto dflt = ev.Evaluate(arch, r1);
  auto search = ev2.EvaluateAt(arch, ev.search_fidelity(), r2);
  ASSERT_TRUE(dflt.ok() && search.ok());
  EXPECT_TRUE(SameBits(dflt->valid_acc, search->valid_acc));
  EXPECT_EQ(dflt->fidelity, search->fidelity);
}

INSTANTIATE_TEST_SUITE_P(AllRegistered, EvaluatorSuite, ::testing::ValuesIn(RegisteredEvaluators()),
                         [](const auto& info) { return info.param; });

TEST(EvaluatorRegistry, UnknownNameListsKnownOnes) {
  auto r = FindEvaluator("tabel");
  ASSERT_FALSE(r.ok());
  for (const char* n : {"learning_test", "table", "train"})
    EXPECT_NE(std::string(r.status().message()).find(n), std::string::npos) << r.status();
}

TEST(StatefulEvaluator, TheMethodOwnsAndTrainsItsEvaluatorPerRun) {
  auto config = ParseExperiment(R"(
benchmark { table: "synthetic" dataset: "toy" search_epochs: 36 seed_mode: SAMPLE }
budget { evaluations: 30 }
seeds { experiment_seed: 3 runs: 2 }
methods { name: "owner_test" }
methods { name: "random" }
)", "test");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_TRUE(ResolveExperiment(&*config, "test").ok());
  Nb201Space space;
  auto ev = TableEvaluator::Create(SyntheticTable(), space, config->benchmark(), false);
  ASSERT_TRUE(ev.ok());
  Runner runner(*config, space, *ev);
  std::vector<RunLog> first;
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<RunLog> logs;
    for (const RunJob& job : runner.Jobs()) {
      auto r = runner.Run(job);
      ASSERT_TRUE(r.ok()) << r.status();
      logs.push_back(*r);
    }
    const TableDataset& d = **SyntheticTable().dataset("toy");
    for (const RunLog& r : logs) {
      for (const Episode& e : r.episodes) {
        const double table = d.at(e.arch, e.fidelity, static_cast<int>(e.table_slot)).valid_acc;
        // Each run's own evaluator, trained once per earlier result of that run; random uses the table's.
        const double expected = r.label == "owner_test" ? table + 0.001 * e.index : table;
        ASSERT_TRUE(SameBits(e.valid_acc, expected)) << r.label << "/" << r.run << " episode " << e.index;
      }
    }
    if (pass == 0) first = logs;
    for (size_t j = 0; pass == 1 && j < logs.size(); ++j) {
      auto div = FirstDivergence(first[j], logs[j]);
      EXPECT_FALSE(div.has_value()) << div->ToString();
    }
  }
}

}  // namespace
}  // namespace nas
