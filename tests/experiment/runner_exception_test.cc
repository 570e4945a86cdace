// Runner::RunAll at its thread boundary: an exception thrown on a worker (std::bad_alloc, or LibTorch's
// c10::Error, whose what() carries a multi-line backtrace) must become the run's one-line error, not
// std::terminate the process.
#include <gtest/gtest.h>

#include <new>
#include <stdexcept>

#include "nas/experiment/config.h"
#include "nas/experiment/runner.h"
#include "nas/experiment/table_evaluator.h"
#include "nas/space/nb201_space.h"
#include "nas/table/table_io.h"
#include "nas/testing/nas_cli.h"
#include "nas/testing/synthetic_table.h"

namespace nas {
namespace {

class RunnerException : public ::testing::Test {
 protected:
  void SetUp() override {
    auto table = ReadTable(testing::WriteSyntheticNb201Table(testing::ScratchPath("runner_exception.h5")));
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = std::move(*table);
    auto e = ParseExperiment(
        "benchmark { table: \"t.h5\" dataset: \"toy\" search_epochs: 12 } budget { evaluations: 5 }\n"
        "seeds { experiment_seed: 3 runs: 4 } methods { name: \"random\" }",
        "test");
    ASSERT_TRUE(e.ok()) << e.status();
    experiment_ = *e;
    ASSERT_TRUE(ResolveExperiment(&experiment_, "test").ok());
    auto ev = TableEvaluator::Create(*table_, space_, experiment_.benchmark(), false);
    ASSERT_TRUE(ev.ok()) << ev.status();
    evaluator_ = std::make_unique<TableEvaluator>(std::move(*ev));
  }

  absl::Status RunThrowing(std::function<void()> thrower) {
    Runner runner(experiment_, space_, *evaluator_);
    Runner::Callbacks cb;
    cb.episode = [&](int j, const Episode& e) -> absl::Status {
      if (j == 2 && e.index == 3) thrower();
      return absl::OkStatus();
    };
    return runner.RunAll(runner.Jobs(), 2, cb);
  }

  Nb201Space space_;
  std::unique_ptr<Table> table_;
  proto::Experiment experiment_;
  std::unique_ptr<TableEvaluator> evaluator_;
};

TEST_F(RunnerException, ATorchStyleErrorOnAWorkerIsTheRunsOneLineError) {
  absl::Status s = RunThrowing([] {
    throw std::runtime_error(
        "[enforce fail at alloc_cpu.cpp:75] DefaultCPUAllocator: not enough memory\n"
        "Exception raised from alloc_cpu at ../c10/core/impl/alloc_cpu.cpp:75 (most recent call first):\nframe #0");
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(s.message(), "run random/2: [enforce fail at alloc_cpu.cpp:75] DefaultCPUAllocator: not enough memory");
}

TEST_F(RunnerException, BadAllocOnAWorkerIsTheRunsError) {
  absl::Status s = RunThrowing([] { throw std::bad_alloc(); });
  EXPECT_EQ(s.message(), "run random/2: out of memory (std::bad_alloc)");
}

TEST_F(RunnerException, ANonStandardThrowIsAnError) {
  absl::Status s = RunThrowing([] { throw 42; });
  EXPECT_EQ(s.message(), "run random/2: unknown exception");
}

TEST_F(RunnerException, WithoutAThrowEveryRunCompletes) {
  EXPECT_TRUE(RunThrowing([] {}).ok());
}

}  // namespace
}  // namespace nas
