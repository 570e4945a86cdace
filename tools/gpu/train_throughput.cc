// Child-training throughput of the NB201 net (the cell of benchmarks/train_benchmark.cc) on one device, with K
// worker threads training a child each at the same time; on a GPU each worker has a stream of its own
// (nas::WorkerStream, as TrainChild does). A step is what TrainChild does per batch: forward, the trainer's
// cross entropy, backward, SGD (Nesterov, weight decay), and reading the loss back (loss.item()).
//
//   train_throughput DEVICE BATCH SECONDS WORKERS [C N IMAGE]     (DEVICE cpu or cuda; C=16 N=5 IMAGE=32)
//
// Prints one line: `train_throughput device=... batch=B workers=K img/s=TOTAL per_worker=... ms/step=...`.
// Figures are wall-clock images per second over SECONDS after 3 warm-up steps per worker (tools/gpu/README.md).
#include <torch/torch.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "nas/space/nb201_space.h"
#include "nas/train/device_stream.h"
#include "nas/train/network.h"
#include "nas/train/trainer.h"

namespace {

using Clock = std::chrono::steady_clock;
const char kCell[] = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

struct Worker {
  int64_t steps = 0;
  double seconds = 0;
  std::string error;
};

void Train(const torch::Device& device, int64_t batch, double seconds, int64_t C, int64_t N, int64_t image,
           uint64_t seed, std::atomic<int>* ready, int workers, Worker* out) {
  try {
    at::set_num_threads(1);
    nas::WorkerStream stream(device);
    nas::Nb201Space space;
    nas::NetworkConfig config;
    config.ops = *space.Parse(kCell);
    config.channels = C;
    config.cells_per_stage = N;
    config.in_channels = 3;
    config.image_size = image;
    nas::Nb201Network net(config);
    net->InitWeights(seed);
    net->to(device);
    torch::optim::SGD opt(net->parameters(),
                          torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(5e-4));
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    torch::Tensor x = at::normal(0.0, 1.0, {batch, 3, image, image}, gen).to(device);
    torch::Tensor y = at::randint(0, 10, {batch}, gen, torch::kLong).to(device);
    auto step = [&] {
      opt.zero_grad();
      torch::Tensor logits = net->forward(x);
      torch::Tensor logp = torch::log_softmax(logits, 1);
      torch::Tensor loss = -(logp * torch::one_hot(y, logits.size(1)).to(logp.scalar_type())).sum(1).mean();
      loss.backward();
      opt.step();
      return loss.item<float>();
    };
    net->train();
    for (int i = 0; i < 3; ++i) step();
    stream.Synchronize();
    // Every worker starts timing together, once all have warmed up.
    ready->fetch_add(1);
    while (ready->load() < workers) std::this_thread::yield();
    const auto start = Clock::now();
    while (std::chrono::duration<double>(Clock::now() - start).count() < seconds || out->steps < 3) {
      step();
      ++out->steps;
    }
    stream.Synchronize();
    out->seconds = std::chrono::duration<double>(Clock::now() - start).count();
  } catch (const std::exception& e) {
    out->error = e.what();
    const auto nl = out->error.find('\n');
    if (nl != std::string::npos) out->error.resize(nl);
    ready->fetch_add(1);
  }
}

int Usage() {
  std::fprintf(stderr, "usage: train_throughput cpu|cuda BATCH SECONDS WORKERS [C N IMAGE]\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5 && argc != 8) return Usage();
  const std::string dev = argv[1];
  const int64_t batch = std::atoll(argv[2]);
  const double seconds = std::atof(argv[3]);
  const int workers = std::atoi(argv[4]);
  const int64_t C = argc == 8 ? std::atoll(argv[5]) : 16, N = argc == 8 ? std::atoll(argv[6]) : 5,
                image = argc == 8 ? std::atoll(argv[7]) : 32;
  if ((dev != "cpu" && dev != "cuda") || batch < 1 || batch > 4096 || !(seconds > 0 && seconds <= 600) ||
      workers < 1 || workers > 64 || C < 1 || C > 256 || N < 1 || N > 32 || image < 4 || image % 4 != 0)
    return Usage();
  if (dev == "cuda" && !nas::CudaAvailable()) {
    std::fprintf(stderr, "train_throughput: device cuda requested but this LibTorch sees no CUDA device\n");
    return 1;
  }
  torch::Device device(dev == "cuda" ? torch::kCUDA : torch::kCPU, 0);
  if (dev == "cpu") device = torch::Device(torch::kCPU);
  // The trainer's settings (TrainChild): deterministic cuDNN, no autotuning, deterministic algorithms.
  if (dev == "cuda") {
    setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8", 0);
    at::globalContext().setDeterministicCuDNN(true);
    at::globalContext().setBenchmarkCuDNN(false);
  }
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/false);
  std::atomic<int> ready{0};
  std::vector<Worker> results(workers);
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w)
    threads.emplace_back(Train, device, batch, seconds, C, N, image, 1 + w, &ready, workers, &results[w]);
  for (auto& t : threads) t.join();
  double total = 0, ms = 0;
  std::string per;
  for (const Worker& r : results) {
    if (!r.error.empty()) {
      std::fprintf(stderr, "train_throughput: %s, batch %lld, %d workers: %s\n", dev.c_str(),
                   static_cast<long long>(batch), workers, r.error.c_str());
      return 1;
    }
    const double rate = r.steps * batch / r.seconds;
    total += rate;
    ms += 1e3 * r.seconds / r.steps / workers;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s%.0f", per.empty() ? "" : ",", rate);
    per += buf;
  }
  std::printf("train_throughput device=%s C=%lld N=%lld image=%lld batch=%lld workers=%d img/s=%.0f per_worker=%s "
              "ms/step=%.2f\n",
              dev.c_str(), static_cast<long long>(C), static_cast<long long>(N), static_cast<long long>(image),
              static_cast<long long>(batch), workers, total, per.c_str(), ms);
  return 0;
}
