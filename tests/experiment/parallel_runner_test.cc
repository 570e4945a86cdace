// Batched strategies and simulated parallel workers (budget.workers) on the synthetic NB201 table:
// workers unset = 1 = the sequential loop; synchronous REINFORCE with m workers evaluates exactly the
// sequential batch_size-m episodes; asynchronous workers are told in simulated finish order, never overlap,
// and are deterministic for any thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
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

class ParallelRunner : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string path = testing::WriteSyntheticNb201Table(::testing::TempDir() + "/parallel_synthetic.h5");
    auto t = ReadTable(path);
    ASSERT_TRUE(t.ok()) << t.status();
    table_ = t->release();
  }
  static void TearDownTestSuite() { delete table_; }

  // Every run of `config_text` (methods, budget, seeds; the benchmark is the synthetic table), on `threads`.
  std::vector<RunLog> RunAll(const std::string& config_text, int threads = 1) {
    auto config = ParseExperiment("benchmark { table: \"x\" dataset: \"toy\" search_epochs: 12 seed_mode: SAMPLE }\n" +
                                      config_text,
                                  "test");
    EXPECT_TRUE(config.ok()) << config.status();
    EXPECT_TRUE(ResolveExperiment(&*config, "test").ok());
    auto ev = TableEvaluator::Create(*table_, space_, config->benchmark(),
                                     config->budget().limit_case() == proto::Budget::kSimulatedSeconds);
    EXPECT_TRUE(ev.ok()) << ev.status();
    Runner runner(*config, space_, *ev);
    const auto jobs = runner.Jobs();
    std::vector<RunLog> logs(jobs.size());
    std::mutex mu;
    Runner::Callbacks cb;
    cb.finished = [&](int j, const RunLog& r) {
      std::lock_guard<std::mutex> lock(mu);
      logs[j] = r;
      return absl::OkStatus();
    };
    EXPECT_TRUE(runner.RunAll(jobs, threads, cb).ok());
    return logs;
  }

  static Table* table_;
  Nb201Space space_;
};
Table* ParallelRunner::table_ = nullptr;

const char kMethods[] =
    "methods { name: \"reinforce\" label: \"lstm\" reinforce { policy: LSTM batch_size: 4 } }\n"
    "methods { name: \"reinforce\" label: \"edge\" reinforce { policy: PER_EDGE } }\n"
    "methods { name: \"random\" }\nmethods { name: \"regularized_evolution\" }\n"
    "methods { name: \"local_search\" }\n"
    "methods { name: \"local_search\" label: \"first\" local_search { first_improvement: true } }\n";

TEST_F(ParallelRunner, OneWorkerIsTheSequentialLoop) {
  const std::string seeds = "seeds { experiment_seed: 3 runs: 2 }\n";
  for (const char* budget : {"budget { evaluations: 150 ", "budget { simulated_seconds: 4000 "}) {
    auto unset = RunAll(std::string(budget) + "}\n" + seeds + kMethods);
    auto one = RunAll(std::string(budget) + "workers: 1 }\n" + seeds + kMethods);
    ASSERT_EQ(unset.size(), one.size());
    for (size_t r = 0; r < unset.size(); ++r) {
      auto d = FirstDivergence(unset[r], one[r]);
      EXPECT_FALSE(d.has_value()) << d->ToString();
      for (const Episode& e : one[r].episodes) {
        EXPECT_EQ(e.worker, 0);
        EXPECT_EQ(e.proposal, e.index);
      }
    }
  }
}

TEST_F(ParallelRunner, SynchronousReinforceEvaluatesTheSequentialBatches) {
  for (const char* policy : {"LSTM", "PER_EDGE"}) {
    const std::string method = std::string("methods { name: \"reinforce\" reinforce { policy: ") + policy +
                               " batch_size: 8 } }\nseeds { experiment_seed: 5 runs: 2 }\n";
    auto seq = RunAll("budget { evaluations: 160 }\n" + method);
    auto par = RunAll("budget { evaluations: 160 workers: 8 }\n" + method);
    for (size_t r = 0; r < seq.size(); ++r) {
      ASSERT_EQ(par[r].episodes.size(), 160u);
      std::vector<const Episode*> by_proposal(160);
      for (const Episode& e : par[r].episodes) by_proposal[e.proposal] = &e;
      bool reordered = false;
      for (size_t i = 0; i < 160; ++i) {
        const Episode& a = seq[r].episodes[i];
        const Episode& b = *by_proposal[i];
        reordered |= b.index != static_cast<int64_t>(i);
        ASSERT_EQ(a.actions, b.actions) << policy << " proposal " << i;
        ASSERT_TRUE(SameBits(a.log_prob, b.log_prob) && SameBits(a.entropy, b.entropy) && SameBits(a.reward, b.reward));
        EXPECT_EQ(a.table_slot, b.table_slot);  // the evaluation stream is drawn in proposal order
        EXPECT_EQ(b.proposal / 8 * 8 + static_cast<int64_t>(b.worker), b.proposal);  // batch k on workers 0..7
      }
      EXPECT_TRUE(reordered) << "finish order should differ from proposal order";
      // Eight at a time: the batch ends when its slowest child does.
      EXPECT_LT(par[r].episodes.back().sim_time, seq[r].episodes.back().sim_time / 4);
    }
  }
}

TEST_F(ParallelRunner, AsynchronousWorkersInSimulatedFinishOrder) {
  const std::string cfg = "budget { evaluations: 200 workers: 4 }\nseeds { experiment_seed: 9 runs: 2 }\n" +
                          std::string(kMethods);
  auto a = RunAll(cfg, 1);
  auto b = RunAll(cfg, 2);
  auto seq = RunAll("budget { evaluations: 200 }\nseeds { experiment_seed: 9 runs: 2 }\n" + std::string(kMethods));
  for (size_t r = 0; r < a.size(); ++r) {
    auto d = FirstDivergence(a[r], b[r]);
    EXPECT_FALSE(d.has_value()) << d->ToString();
    const RunLog& log = a[r];
    ASSERT_EQ(log.episodes.size(), 200u) << log.label;
    std::set<int64_t> proposals;
    std::map<int64_t, double> worker_free;  // worker -> finish time of its previous evaluation
    std::set<int64_t> workers;
    for (size_t i = 0; i < log.episodes.size(); ++i) {
      const Episode& e = log.episodes[i];
      proposals.insert(e.proposal);
      workers.insert(e.worker);
      ASSERT_GE(e.worker, 0);
      ASSERT_LT(e.worker, 4);
      if (i > 0) {
        ASSERT_GE(e.sim_time, log.episodes[i - 1].sim_time) << log.label;
      }
      // The cost of an evaluation is the table's training time: it started when its worker became free or later.
      const double cost = table_->dataset("toy").value()->at(e.arch, 0, e.table_slot).train_time;
      ASSERT_GE(e.sim_time - cost, worker_free[e.worker] - 1e-6) << log.label << " episode " << i;
      worker_free[e.worker] = e.sim_time;
    }
    EXPECT_EQ(proposals.size(), 200u);
    EXPECT_EQ(*proposals.rbegin(), 199);
    if (log.label == "edge") {
      // REINFORCE with batch_size 1 is synchronous: one child at a time, whatever the workers.
      EXPECT_EQ(workers.size(), 1u);
      EXPECT_EQ(log.episodes.back().sim_time, seq[r].episodes.back().sim_time);
    } else {
      EXPECT_EQ(workers.size(), 4u) << log.label;
      EXPECT_LT(log.episodes.back().sim_time, 0.4 * seq[r].episodes.back().sim_time) << log.label;
    }
  }
}

TEST_F(ParallelRunner, SecondsBudgetIsSimulatedWallClock) {
  const std::string seeds = "seeds { experiment_seed: 4 runs: 1 }\n";
  auto one = RunAll("budget { simulated_seconds: 3000 }\n" + seeds + kMethods);
  auto four = RunAll("budget { simulated_seconds: 3000 workers: 4 }\n" + seeds + kMethods);
  for (size_t r = 0; r < one.size(); ++r) {
    for (const Episode& e : four[r].episodes) ASSERT_LE(e.sim_time, 3000);
    if (four[r].label == "edge")  // batch_size 1: sequential
      EXPECT_EQ(four[r].episodes.size(), one[r].episodes.size());
    else  // 4 workers; REINFORCE's batches of 4 wait for their slowest child
      EXPECT_GT(four[r].episodes.size(), 2.5 * one[r].episodes.size()) << four[r].label;
  }
}

}  // namespace
}  // namespace nas
