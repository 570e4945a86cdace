// EpisodeLogWriter::Append of one NB201 episode (6 decisions) into an HDF5 log on a temporary file, flushing
// every episode (crash-safe, `nas run`'s default) and every 100 episodes:
//   bazel run -c opt //benchmarks:log_benchmark
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "nas/log/episode_log.h"

namespace nas {
namespace {

void BM_LogAppend(benchmark::State& state) {
  const int flush_every = static_cast<int>(state.range(0));
  const bool checksum = state.range(1) != 0;
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("log_benchmark_" + std::to_string(getpid()) + "_" + std::to_string(flush_every) + ".h5"))
                               .string();
  LogWriterOptions options;
  options.overwrite = true;
  options.flush_every = flush_every;
  options.flush_interval_ms = 0;  // commits by count only (BM_LogGroupCommit: by time)
  options.checksum = checksum;
  auto writer = EpisodeLogWriter::Create(path, {{"experiment", "log_benchmark"}}, 6,
                                         {RunSlot{"random", "random", 0, {}}}, options);
  if (!writer.ok()) {
    state.SkipWithError(std::string(writer.status().message()).c_str());
    return;
  }
  Episode e;
  e.actions = {3, 1, 2, 0, 4, 3};
  e.log_prob = -9.6;
  e.entropy = 9.65;
  e.table_slot = 0;
  int64_t i = 0;
  for (auto _ : state) {
    e.index = i;
    e.arch = i % 15625;
    e.reward = e.valid_acc = 80 + (i % 97) * 0.1;
    e.test_acc = e.valid_acc - 0.3;
    e.sim_time = 100.0 * (i + 1);
    e.wall_time = 1e-6 * i;
    e.incumbent = e.arch;
    e.incumbent_valid = e.valid_acc;
    e.incumbent_test = e.test_acc;
    if (absl::Status s = (*writer)->Append(0, e); !s.ok()) {
      state.SkipWithError(std::string(s.message()).c_str());
      break;
    }
    ++i;
  }
  // After the timed loop: closing and removing the file are not measured.
  (void)(*writer)->Close();
  writer->reset();
  std::filesystem::remove(path);
  state.SetLabel("flush_every " + std::to_string(flush_every) + (checksum ? ", Fletcher32" : ", no checksum"));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LogAppend)->Args({1, 1})->Args({1, 0})->Args({100, 1})->Args({100, 0});

}  // namespace
}  // namespace nas
