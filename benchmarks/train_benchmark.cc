// Child-training throughput and table-build sizing (a -c opt harness that prints figures):
//   bazel run -c opt //benchmarks:train_benchmark                 # throughput, images/s, 1 and 2 threads
//   bazel run -c opt //benchmarks:train_benchmark -- sizing TRAIN VALID TEST IMAGE C N BATCH EPOCHS...
//   train_benchmark throughput C N IN_CHANNELS IMAGE SECONDS THREADS [channels_last|channels_last_all_weights]  # one line `img/s TRAIN EVAL`, per CPU
//       second of this process (what //benchmarks:side_by_side compares with nb201_train_reference.py)
//   train_benchmark profile C N IN_CHANNELS IMAGE STEPS THREADS [layout]   # the same training step under LibTorch's
//       profiler: self time per ATen op and autograd node per step, the table nb201_train_profile.py prints
// `sizing` trains four cells (all-none, the fixed conv cell, all-conv3x3, all-skip) on Fashion-MNIST with one
// thread, one full cosine schedule per EPOCHS value, two seeds, and prints seconds and accuracies.
#include <ATen/record_function.h>
#include <torch/torch.h>

#include <time.h>

#include <algorithm>
#include <map>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "nas/space/nb201_space.h"
#include "nas/train/datasets.h"
#include "nas/train/network.h"
#include "nas/train/trainer.h"
#include "nas/util/rng.h"

namespace {

using Clock = std::chrono::steady_clock;
const char kCell[] = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

double Seconds(Clock::time_point a) { return std::chrono::duration<double>(Clock::now() - a).count(); }

double WallSeconds() { return std::chrono::duration<double>(Clock::now().time_since_epoch()).count(); }

double CpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

// A layout argument: "" (NCHW), "channels_last" (CHANNELS_LAST_LEGACY) or "channels_last_all_weights"
// (CHANNELS_LAST), each optionally followed by "+shared_relu" (cell_kernels SHARED_RELU; "nchw+shared_relu" for
// NCHW).
std::string LayoutArgument(const std::string& argument, bool* shared_relu) {
  const std::string suffix = "+shared_relu";
  std::string layout = argument;
  *shared_relu = layout.size() >= suffix.size() && layout.compare(layout.size() - suffix.size(), suffix.size(), suffix) == 0;
  if (*shared_relu) layout.resize(layout.size() - suffix.size());
  return layout == "nchw" ? "" : layout;
}

struct Rates {
  double train, eval;  // images per second of `clock`
  double ms_per_batch, params_m, flops_m;
};

// The benchmarked NB201 net (kCell), weights initialised with seed 1, in the given layout.
nas::Nb201Network MakeNet(int64_t C, int64_t N, int64_t in_ch, int64_t size, bool channels_last, bool all_weights,
                          bool shared_relu) {
  nas::Nb201Space space;
  nas::NetworkConfig config;
  config.ops = *space.Parse(kCell);
  config.channels = C;
  config.cells_per_stage = N;
  config.in_channels = in_ch;
  config.image_size = size;
  config.shared_relu = shared_relu;
  nas::Nb201Network net(config);
  net->InitWeights(1);
  if (channels_last) nas::ToChannelsLast(*net, all_weights);
  return net;
}

// Trains on one random batch for `seconds` of `clock` (at least 5 steps, after 3 warm-up steps), then evaluates
// for half of that. With CpuSeconds, the figures are per CPU second of this process: the load of other
// processes on a shared machine does not enter.
Rates Measure(int64_t C, int64_t N, int64_t in_ch, int64_t size, double seconds, int threads, double (*clock)(),
              bool channels_last = false, bool all_weights = false, bool shared_relu = false) {
  at::set_num_threads(threads);
  nas::Nb201Network net = MakeNet(C, N, in_ch, size, channels_last, all_weights, shared_relu);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(5e-4));
  const int64_t batch = 64;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
  torch::Tensor x = nas::Layout(at::normal(0.0, 1.0, {batch, in_ch, size, size}, gen), channels_last);
  torch::Tensor y = at::randint(0, 10, {batch}, gen, torch::kLong);
  auto step = [&] {
    opt.zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    opt.step();
  };
  net->train();
  for (int i = 0; i < 3; ++i) step();
  int iters = 0;
  double start = clock();
  while (clock() - start < seconds || iters < 5) step(), ++iters;
  Rates r;
  const double train_s = clock() - start;
  r.train = iters * batch / train_s;
  r.ms_per_batch = 1e3 * train_s / iters;
  r.params_m = net->NumParams() / 1e6;
  r.flops_m = net->Flops() / 1e6;
  net->eval();
  torch::NoGradGuard no_grad;
  iters = 0;
  start = clock();
  while (clock() - start < seconds / 2 || iters < 5) net->forward(x), ++iters;
  r.eval = iters * batch / (clock() - start);
  return r;
}

// Per op name: CPU time of this thread (CLOCK_THREAD_CPUTIME_ID, so that other processes' load does not enter) in
// the op itself, less that of the ops it calls, and calls; gathered by a RecordFunction callback.
struct OpRow {
  double self_ns = 0;
  int64_t calls = 0;
};
struct OpFrame : at::ObserverContext {
  int64_t start_ns = 0, children_ns = 0;
};
thread_local std::vector<OpFrame*> op_stack;
std::map<std::string, OpRow>* op_rows = nullptr;
int64_t op_total_ns = 0;

int64_t ThreadCpuNs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return int64_t{t.tv_sec} * 1000000000 + t.tv_nsec;
}

std::unique_ptr<at::ObserverContext> OpStart(const at::RecordFunction&) {
  auto frame = std::make_unique<OpFrame>();
  op_stack.push_back(frame.get());
  frame->start_ns = ThreadCpuNs();
  return frame;
}

void OpEnd(const at::RecordFunction& fn, at::ObserverContext* ctx) {
  const int64_t now = ThreadCpuNs();
  auto* frame = static_cast<OpFrame*>(ctx);
  const int64_t ns = now - frame->start_ns;
  if (!op_stack.empty() && op_stack.back() == frame) op_stack.pop_back();
  OpRow& row = (*op_rows)[fn.name()];
  row.self_ns += static_cast<double>(ns - frame->children_ns);
  ++row.calls;
  if (op_stack.empty()) op_total_ns += ns;
  else op_stack.back()->children_ns += ns;
}

// `steps` training steps of Measure's loop (after 3 unmeasured ones) with OpStart/OpEnd on every ATen op and
// autograd node: per op, the self CPU time and calls per step, largest first (nb201_train_profile.py prints the
// same table for PyTorch-Python).
int Profile(int64_t C, int64_t N, int64_t in_ch, int64_t size, int steps, int threads, const std::string& argument) {
  at::set_num_threads(threads);
  bool shared_relu = false;
  const std::string layout = LayoutArgument(argument, &shared_relu);
  const bool channels_last = layout == "channels_last" || layout == "channels_last_all_weights";
  nas::Nb201Network net =
      MakeNet(C, N, in_ch, size, channels_last, layout == "channels_last_all_weights", shared_relu);
  torch::optim::SGD opt(net->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9).nesterov(true).weight_decay(5e-4));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
  torch::Tensor x = nas::Layout(at::normal(0.0, 1.0, {64, in_ch, size, size}, gen), channels_last);
  torch::Tensor y = at::randint(0, 10, {64}, gen, torch::kLong);
  auto step = [&] {
    opt.zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    opt.step();
  };
  net->train();
  for (int i = 0; i < 3; ++i) step();
  // The step's phases, without the callbacks.
  double phase_ns[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i < steps; ++i) {
    int64_t t0 = ThreadCpuNs();
    opt.zero_grad();
    int64_t t1 = ThreadCpuNs();
    torch::Tensor logits = net->forward(x);
    int64_t t2 = ThreadCpuNs();
    torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
    int64_t t3 = ThreadCpuNs();
    loss.backward();
    int64_t t4 = ThreadCpuNs();
    opt.step();
    int64_t t5 = ThreadCpuNs();
    const int64_t t[6] = {t0, t1, t2, t3, t4, t5};
    for (int k = 0; k < 5; ++k) phase_ns[k] += t[k + 1] - t[k];
  }
  double plain_ms = 0;
  for (double ns : phase_ns) plain_ms += ns / 1e6 / steps;
  std::map<std::string, OpRow> rows;
  op_rows = &rows;
  const int64_t cpu0 = ThreadCpuNs();
  at::CallbackHandle handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(OpStart, OpEnd)
          .scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION}));
  for (int i = 0; i < steps; ++i) step();
  at::removeCallback(handle);
  const double step_ms = (ThreadCpuNs() - cpu0) / 1e6 / steps;
  std::vector<std::pair<std::string, OpRow>> sorted(rows.begin(), rows.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second.self_ns > b.second.self_ns; });
  std::printf("profile: C=%lld N=%lld %lldx%lldx%lld batch 64, %s, %d steps; thread CPU per step %.1f ms without "
              "the callbacks, %.1f ms with them, %.1f ms in ops\n",
              static_cast<long long>(C), static_cast<long long>(N), static_cast<long long>(in_ch),
              static_cast<long long>(size), static_cast<long long>(size), layout.empty() ? "NCHW" : layout.c_str(),
              steps, plain_ms, step_ms, op_total_ns / 1e6 / steps);
  if (shared_relu) std::printf("cell kernels: SHARED_RELU\n");
  std::printf("phases, ms per step: zero_grad %.2f, forward %.1f, cross-entropy %.2f, backward %.1f, SGD step %.2f\n",
              phase_ns[0] / 1e6 / steps, phase_ns[1] / 1e6 / steps, phase_ns[2] / 1e6 / steps,
              phase_ns[3] / 1e6 / steps, phase_ns[4] / 1e6 / steps);
  std::printf("%-58s %10s %7s %8s\n", "op (self CPU time)", "ms/step", "share", "calls/st");
  for (size_t i = 0; i < sorted.size() && i < 25; ++i)
    std::printf("%-58.58s %10.2f %6.1f%% %8.1f\n", sorted[i].first.c_str(), sorted[i].second.self_ns / 1e6 / steps,
                100.0 * sorted[i].second.self_ns / op_total_ns, static_cast<double>(sorted[i].second.calls) / steps);
  return 0;
}

void Throughput(const char* label, int64_t C, int64_t N, int64_t in_ch, int64_t size, int threads) {
  const Rates r = Measure(C, N, in_ch, size, 3.0, threads, WallSeconds);
  std::printf("%-34s threads=%d  params=%.4fM  flops=%.2fM  train %8.0f img/s  (%.1f ms/batch)  eval %8.0f img/s\n",
              label, threads, r.params_m, r.flops_m, r.train, r.ms_per_batch, r.eval);
  std::fflush(stdout);
}

int Sizing(int argc, char** argv) {
  if (argc < 10) {
    std::fprintf(stderr, "usage: train_benchmark sizing TRAIN VALID TEST IMAGE C N BATCH EPOCHS...\n");
    return 1;
  }
  nas::proto::TrainSpec spec;
  spec.mutable_data()->set_name("fashion-mnist");
  spec.mutable_data()->set_train_size(std::atoi(argv[2]));
  spec.mutable_data()->set_valid_size(std::atoi(argv[3]));
  spec.mutable_data()->set_test_size(std::atoi(argv[4]));
  spec.mutable_data()->set_image_size(std::atoi(argv[5]));
  spec.mutable_network()->set_channels(std::atoi(argv[6]));
  spec.mutable_network()->set_cells_per_stage(std::atoi(argv[7]));
  spec.set_batch_size(std::atoi(argv[8]));
  spec.set_nesterov(true);
  spec.set_epochs(1);
  if (auto s = nas::ResolveTrainSpec(&spec); !s.ok()) {
    std::fprintf(stderr, "train_benchmark: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  auto data = nas::LoadDataset(spec.data());
  if (!data.ok()) {
    std::fprintf(stderr, "train_benchmark: %s\n", std::string(data.status().message()).c_str());
    return 1;
  }
  nas::Nb201Space space;
  std::vector<std::string> cells = {
      "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
      kCell,
      "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
      "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|",
      "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|avg_pool_3x3~2|",
  };
  // NAS_SIZING_RANDOM=K: K uniformly drawn cells (Rng seed 42) instead, for the mean cost over the space.
  if (const char* k = std::getenv("NAS_SIZING_RANDOM")) {
    cells.clear();
    nas::Rng rng(42);
    for (int i = 0; i < std::atoi(k); ++i) {
      nas::Actions arch(6);
      for (int& op : arch) op = static_cast<int>(rng.UniformInt(5));
      cells.push_back(space.ToString(arch));
    }
  }
  double total_s = 0;
  int trainings = 0;
  for (int a = 9; a < argc; ++a) {
    spec.set_epochs(std::atoi(argv[a]));
    for (const std::string& cell : cells) {
      for (uint64_t seed : {0, 1}) {
        const auto start = Clock::now();
        auto r = nas::TrainChild(space, *space.Parse(cell), spec, **data, seed);
        const double s = Seconds(start);
        total_s += s, ++trainings;
        if (!r.ok()) {
          std::fprintf(stderr, "train_benchmark: %s\n", std::string(r.status().message()).c_str());
          return 1;
        }
        double train_s = 0;
        for (const auto& e : r->epochs) train_s += e.train_time_s;
        const auto& last = r->epochs.back();
        std::printf("epochs=%d seed=%llu  %6.2f s total (%5.2f s training)  train %5.1f  valid %5.2f  test %5.2f  "
                    "params %.4fM flops %.2fM  %s\n",
                    spec.epochs(), static_cast<unsigned long long>(seed), s, train_s, last.train_acc, last.valid_acc,
                    last.test_acc, r->params_m, r->flops_m, cell.c_str());
        std::fflush(stdout);
      }
    }
  }
  std::printf("%d trainings, %.2f s, mean %.3f s per training; per cell (all EPOCHS values, 2 seeds) %.3f s\n",
              trainings, total_s, total_s / trainings, total_s / cells.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "sizing") return Sizing(argc, argv);
  if ((argc == 8 || argc == 9) && std::string(argv[1]) == "profile")
    return Profile(std::atoi(argv[2]), std::atoi(argv[3]), std::atoi(argv[4]), std::atoi(argv[5]), std::atoi(argv[6]),
                   std::atoi(argv[7]), argc == 9 ? argv[8] : "");
  if ((argc == 8 || argc == 9) && std::string(argv[1]) == "throughput") {
    bool shared_relu = false;
    const std::string layout = LayoutArgument(argc == 9 ? argv[8] : "", &shared_relu);
    const bool all_weights = layout == "channels_last_all_weights";
    const Rates r = Measure(std::atoi(argv[2]), std::atoi(argv[3]), std::atoi(argv[4]), std::atoi(argv[5]),
                            std::atof(argv[6]), std::atoi(argv[7]), CpuSeconds, layout == "channels_last" || all_weights,
                            all_weights, shared_relu);
    std::printf("img/s %.3f %.3f\n", r.train, r.eval);
    return 0;
  }
  for (int threads : {1, 2}) {
    Throughput("NB201 C=16 N=5, 3x32x32, batch 64", 16, 5, 3, 32, threads);
    Throughput("table C=8 N=1, 1x12x12, batch 64", 8, 1, 1, 12, threads);
    Throughput("table C=8 N=1, 1x16x16, batch 64", 8, 1, 1, 16, threads);
  }
  return 0;
}
