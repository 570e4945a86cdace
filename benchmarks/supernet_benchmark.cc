// Supernet training throughput against PyTorch-Python, a -c opt harness that prints figures:
//   bazel run -c opt //benchmarks:supernet_benchmark [-- --pairs N --seconds S]
// Training images per CPU second of the NB201 weight-sharing supernet (nas/train/shared_weights.h:
// SharedWeights::TrainEpochUniform, a uniformly sampled architecture per minibatch of 64, one thread, on an
// in-memory synthetic split of 640 images) against the NB201 authors' shared-weight model re-typed in
// PyTorch-Python (benchmarks/supernet_reference.py, Debian's python3-torch; skipped, saying so, when absent),
// for NB201's C=16 N=5 on 3x32x32 and the embedded table's C=8 N=1 on 1x12x12, both BatchNorm modes. Each pair
// runs C++ and Python as separate processes, interleaved (the order alternating); figures are medians, the
// ratio the median of per-pair ratios, beside the goal (>= 1.2x); peak memory is each process's max RSS.
// `throughput C N IN SIZE SECONDS MODE` is the measured C++ process (prints `img/s <train>`).
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "benchmarks/child_process.h"
#include "nas/train/datasets.h"
#include "nas/train/shared_weights.h"
#include "nas/util/rng.h"

namespace {

using nas::bench::ImagesPerSecond;
using nas::bench::InterleavedPairs;
using nas::bench::Median;
using nas::bench::Proc;
using nas::bench::RunProcess;
using nas::bench::Stderr;

constexpr int kTrainImages = 640;
const char kPython[] = "/usr/bin/python3";  // Debian's, where python3-torch installs

double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int Throughput(int c, int n, int in, int size, double seconds, const std::string& mode) {
  nas::proto::SupernetSpec spec;
  nas::proto::TrainSpec* t = spec.mutable_train();
  t->mutable_data()->set_name(in == 1 ? "fashion-mnist" : "cifar10");
  t->mutable_data()->set_path("/synthetic");
  t->mutable_data()->set_train_size(kTrainImages);
  t->mutable_data()->set_valid_size(64);
  t->mutable_data()->set_test_size(64);
  t->mutable_data()->set_image_size(size);
  t->mutable_network()->set_channels(c);
  t->mutable_network()->set_cells_per_stage(n);
  t->set_epochs(10000);
  t->set_batch_size(64);
  t->set_learning_rate(0.05);
  t->set_nesterov(true);
  t->set_threads(1);
  spec.set_batchnorm(mode);
  if (absl::Status s = nas::ResolveSupernetSpec(&spec); !s.ok()) {
    std::fprintf(stderr, "%s\n", std::string(s.message()).c_str());
    return 1;
  }
  // Synthetic images (the throughput does not depend on pixel values), labels 0..9.
  nas::RawImages train, test;
  nas::Rng rng(1);
  for (nas::RawImages* raw : {&train, &test}) {
    raw->count = raw == &train ? kTrainImages + 64 : 64;
    raw->channels = in;
    raw->height = raw->width = size;
    for (int64_t i = 0; i < raw->count; ++i) raw->labels.push_back(static_cast<int64_t>(rng.UniformInt(10)));
    for (int64_t k = 0; k < raw->count * in * size * size; ++k)
      raw->pixels.push_back(static_cast<uint8_t>(rng.UniformInt(256)));
  }
  auto data = nas::MakeDataset(spec.train().data(), train, test, 10);
  if (!data.ok()) {
    std::fprintf(stderr, "%s\n", std::string(data.status().message()).c_str());
    return 1;
  }
  auto weights = nas::SharedWeights::Create(spec, *data, 1);
  if (!weights.ok()) {
    std::fprintf(stderr, "%s\n", std::string(weights.status().message()).c_str());
    return 1;
  }
  if (!(*weights)->TrainEpochUniform().ok()) return 1;  // warm-up
  int epochs = 0;
  const double start = CpuSeconds();
  while (CpuSeconds() - start < seconds || epochs < 1) {
    if (!(*weights)->TrainEpochUniform().ok()) return 1;
    ++epochs;
  }
  std::printf("img/s %.3f\n", epochs * double{kTrainImages} / (CpuSeconds() - start));
  return 0;
}

std::string SelfPath() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, n) : "benchmarks/supernet_benchmark";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 8 && std::strcmp(argv[1], "throughput") == 0)
    return Throughput(std::atoi(argv[2]), std::atoi(argv[3]), std::atoi(argv[4]), std::atoi(argv[5]),
                      std::atof(argv[6]), argv[7]);
  int pairs = 5;
  double seconds = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--pairs") == 0) pairs = std::max(1, std::atoi(argv[i + 1]));
    else if (std::strcmp(argv[i], "--seconds") == 0) seconds = std::max(0.5, std::atof(argv[i + 1]));
    else {
      std::fprintf(stderr, "unknown option %s (known: --pairs N, --seconds S)\n", argv[i]);
      return 1;
    }
  }
  const bool python = RunProcess({kPython, "-c", "import torch"}, {}, Stderr::kInherit).code == 0;
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("supernet training, a uniform architecture per minibatch of 64, 1 thread, images per CPU second\n"
              "(medians of %d interleaved pairs, %.1f CPU s each; load average at start %.2f %.2f %.2f)\n",
              pairs, seconds, load[0], load[1], load[2]);
  if (!python) std::printf("  PyTorch-Python skipped: %s cannot import torch (apt-get install python3-torch)\n", kPython);
  struct Net {
    const char* label;
    int c, n, in, size;
  };
  const Net nets[] = {{"NB201 C=16 N=5, 3x32x32", 16, 5, 3, 32}, {"C=8 N=1, 1x12x12", 8, 1, 1, 12}};
  const std::string self = SelfPath(), secs = std::to_string(seconds);
  for (const Net& net : nets) {
    for (const std::string mode : {"running", "batch"}) {
      const std::vector<std::string> shape = {std::to_string(net.c), std::to_string(net.n), std::to_string(net.in),
                                              std::to_string(net.size), secs, mode};
      std::vector<std::string> cc = {self, "throughput"}, py = {kPython, "benchmarks/supernet_reference.py"};
      cc.insert(cc.end(), shape.begin(), shape.end());
      py.insert(py.end(), shape.begin(), shape.end());
      std::vector<double> c_rate, p_rate, ratio, c_rss, p_rss;
      Proc pp, cp;
      InterleavedPairs(
          pairs, python ? std::function<void(int)>([&](int) { pp = RunProcess(py, {}, Stderr::kInherit); })
                        : nullptr,
          [&](int) { cp = RunProcess(cc, {}, Stderr::kInherit); },
          [&](int) {
            c_rate.push_back(ImagesPerSecond(cp));
            c_rss.push_back(cp.max_rss_mb);
            if (!python) return;
            p_rate.push_back(ImagesPerSecond(pp));
            p_rss.push_back(pp.max_rss_mb);
            if (ImagesPerSecond(pp) > 0) ratio.push_back(ImagesPerSecond(cp) / ImagesPerSecond(pp));
          });
      std::printf("  %s, BatchNorm %s\n", net.label, mode.c_str());
      std::printf("    C++ (shared_weights)       %8.1f img/s   peak RSS %6.1f MB\n", Median(c_rate), Median(c_rss));
      if (python) {
        const double r = Median(ratio);
        std::printf("    PyTorch-Python (authors')  %8.1f img/s   peak RSS %6.1f MB\n", Median(p_rate),
                    Median(p_rss));
        std::printf("    C++/Python %.2fx (goal >= 1.2x: %s)\n", r, r >= 1.2 ? "met" : "MISSED");
      }
      std::fflush(stdout);
    }
  }
  getloadavg(load, 3);
  std::printf("load average at end %.2f %.2f %.2f\n", load[0], load[1], load[2]);
  return 0;
}
