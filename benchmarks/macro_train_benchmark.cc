// Training throughput of Zoph & Le macro children (zoph_le_cnn), images/s, a -c opt harness that prints figures:
//   bazel run -c opt //benchmarks:macro_train_benchmark
// Three children: the example config's kind (4 layers, 1x12x12, batch 32), a 6-layer child on 1x28x28 (batch
// 64), and a 15-layer child as in the paper on 3x32x32 (batch 32); each with 1 and 2 intra-op threads. The
// architectures are fixed strings, so the figures compare across builds.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "nas/space/zoph_le_space.h"
#include "nas/train/macro_network.h"

namespace {

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

void Throughput(int layers, const std::string& arch, int64_t in_ch, int64_t size, int64_t batch, int threads) {
  at::set_num_threads(threads);
  nas::ZophLeSpace space(layers);
  auto actions = space.Parse(arch);
  if (!actions.ok()) {
    std::fprintf(stderr, "macro_train_benchmark: %s\n", std::string(actions.status().message()).c_str());
    return;
  }
  nas::MacroNetworkConfig config;
  config.layers = space.Decode(*actions);
  config.in_channels = in_ch;
  config.image_size = size;
  nas::ZophLeNetwork net(config);
  net->InitWeights(1);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(5e-4));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
  torch::Tensor x = at::normal(0.0, 1.0, {batch, in_ch, size, size}, gen);
  torch::Tensor y = at::randint(0, 10, {batch}, gen, torch::kLong);
  auto step = [&] {
    opt.zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    opt.step();
  };
  net->train();
  step();
  int iters = 0;
  const auto start = Clock::now();
  while (Seconds(start) < 3.0 || iters < 3) step(), ++iters;
  const double train_s = Seconds(start);
  net->eval();
  torch::NoGradGuard no_grad;
  int eval_iters = 0;
  const auto e0 = Clock::now();
  while (Seconds(e0) < 1.5 || eval_iters < 3) net->forward(x), ++eval_iters;
  std::printf("L=%-2d %lldx%lldx%lld batch %-3lld threads=%d  params=%.4fM  flops=%.1fM  train %7.0f img/s  eval %7.0f img/s\n",
              layers, static_cast<long long>(in_ch), static_cast<long long>(size), static_cast<long long>(size),
              static_cast<long long>(batch), threads, net->NumParams() / 1e6, net->Flops() / 1e6,
              iters * batch / train_s, eval_iters * batch / Seconds(e0));
  std::fflush(stdout);
}

}  // namespace

int main() {
  const std::string l4 = "3x3-36|5x1-24<0|7x7-64<0,1|1x3-48<1";
  const std::string l6 = "3x3-36|5x5-48<0|3x3-64<1|1x7-36<0,2|7x1-48<3|3x3-64<2,4";
  std::string l15;
  for (int i = 0; i < 15; ++i) {
    l15 += (i ? "|" : "") + std::string(i % 3 == 0 ? "3x3-36" : (i % 3 == 1 ? "5x5-48" : "3x3-64"));
    if (i > 0) l15 += "<" + (i % 4 == 0 ? std::to_string(i - 3) + "," : std::string()) + std::to_string(i - 1);
  }
  for (int threads : {1, 2}) {
    Throughput(4, l4, 1, 12, 32, threads);
    Throughput(6, l6, 1, 28, 64, threads);
    Throughput(15, l15, 3, 32, 32, threads);
  }
  return 0;
}
