// Controller cost per REINFORCE episode: one Sample + one Update with a batch of 1, Zoph & Le settings (LSTM,
// 35 hidden, 2 layers) on the NB201 space, one LibTorch thread. Reference: PyTorch-Python takes ~3.1 ms.
//   bazel run -c opt //benchmarks:controller_benchmark
#include <ATen/Parallel.h>
#include <benchmark/benchmark.h>

#include "nas/search/torch/lstm_policy.h"
#include "nas/search/reinforce.h"
#include "nas/space/nb201_space.h"
#include "nas/util/rng.h"

namespace nas {
namespace {

// Zoph & Le's settings are the reinforce strategy's LSTM defaults.
proto::ReinforceParams ZophLeParams() { return DefaultReinforceParams(proto::ReinforceParams::LSTM); }

void BM_LstmEpisode(benchmark::State& state) {
  at::set_num_threads(1);
  Nb201Space space;
  LstmPolicy policy(space, ZophLeParams(), 1);
  Rng rng(2);
  double baseline = 0.0;
  for (auto _ : state) {
    PolicySample s = policy.Sample(rng);
    const double reward = s.actions[0] == 3 ? 1.0 : 0.0;
    policy.Update({s.actions}, {reward - baseline});
    baseline = 0.95 * baseline + 0.05 * reward;
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_LstmEpisode)->Unit(benchmark::kMicrosecond);

void BM_LstmSample(benchmark::State& state) {
  at::set_num_threads(1);
  Nb201Space space;
  LstmPolicy policy(space, ZophLeParams(), 1);
  Rng rng(2);
  for (auto _ : state) benchmark::DoNotOptimize(policy.Sample(rng));
}
BENCHMARK(BM_LstmSample)->Unit(benchmark::kMicrosecond);

void BM_LstmUpdate(benchmark::State& state) {
  at::set_num_threads(1);
  Nb201Space space;
  LstmPolicy policy(space, ZophLeParams(), 1);
  const Actions arch = {3, 1, 4, 0, 2, 3};
  for (auto _ : state) policy.Update({arch}, {0.1});
}
BENCHMARK(BM_LstmUpdate)->Unit(benchmark::kMicrosecond);

// For comparison: the same gradient through LibTorch autograd (at::lstm), which Update does not use.
void BM_LstmAutogradGradient(benchmark::State& state) {
  at::set_num_threads(1);
  Nb201Space space;
  LstmPolicy policy(space, ZophLeParams(), 1);
  const Actions arch = {3, 1, 4, 0, 2, 3};
  for (auto _ : state) benchmark::DoNotOptimize(policy.Gradient({arch}, {0.1}, /*use_autograd=*/true));
}
BENCHMARK(BM_LstmAutogradGradient)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace nas
