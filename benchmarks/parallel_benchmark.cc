// Parallel evaluation figures (nas/experiment/README.md, "Parallel and distributed evaluation"):
//  1. simulated speed-up on the NAS-Bench-201 CIFAR-10 table (../shared/data): P = 1, 4, 16, 64 simulated
//     workers for regularized evolution, random search and REINFORCE (LSTM, batch_size m = P, Zoph & Le's
//     synchronous batches); 1,000 evaluations per run; speed-up = simulated time to finish with 1 worker /
//     with P, and the final incumbent's test accuracy (mean over runs);
//  2. measured wall-clock speed-up of 2 worker threads over 1 on this machine for a real-training run
//     (Fashion-MNIST, 16 children on 4 simulated workers) and a small table build (Debian's
//     dataset-fashion-mnist). Prints the load average before each measurement: other jobs on the machine
//     distort it.
// bazel run -c opt //benchmarks:parallel_benchmark [-- simulated|training|all]
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <fstream>
#include <mutex>
#include <string>

#include "absl/strings/str_cat.h"
#include "nas/tabulate/build_spec.h"
#include "nas/tabulate/table_builder.h"
#include "nas/experiment/config.h"
#include "nas/experiment/executor.h"
#include "nas/experiment/runner.h"
#include "nas/experiment/table_evaluator.h"
#include "nas/space/nb201_space.h"
#include "nas/table/nb201_csv.h"
#include "nas/table/table_io.h"
#include "nas/testing/shared_data.h"

namespace nas {
namespace {

std::string Load() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return absl::StrCat("load average ", a, " ", b, " ", c);
}

struct Outcome {
  double finish = 0, test = 0;  // means over runs
};

Outcome RunAll(const proto::Experiment& config, const SearchSpace& space, const Evaluator& evaluator,
               EvalExecutor* executor, int threads) {
  Runner runner(config, space, evaluator);
  runner.set_executor(executor);
  std::mutex mu;
  Outcome o;
  int n = 0;
  Runner::Callbacks cb;
  cb.finished = [&](int, const RunLog& r) {
    std::lock_guard<std::mutex> lock(mu);
    o.finish += r.episodes.back().sim_time;
    o.test += r.episodes.back().incumbent_test;
    ++n;
    return absl::OkStatus();
  };
  absl::Status s = runner.RunAll(runner.Jobs(), threads, cb);
  if (!s.ok()) std::fprintf(stderr, "%s\n", std::string(s.message()).c_str()), std::exit(1);
  o.finish /= n;
  o.test /= n;
  return o;
}

void Curve(const Table& table, const std::string& benchmark, const std::string& title) {
  Nb201Space space;
  std::printf("%s, 1,000 evaluations, 10 runs (REINFORCE: 5, LSTM, batch_size m = P)\n\n", title.c_str());
  std::printf("| method | P | sim. seconds to finish | speed-up | final test acc |\n|---|---:|---:|---:|---:|\n");
  for (const char* method : {"regularized_evolution", "random", "reinforce"}) {
    double one = 0;
    for (int p : {1, 4, 16, 64}) {
      const bool rl = std::string(method) == "reinforce";
      std::string text = absl::StrCat(
          "name: \"speedup\"\nbenchmark { table: \"x\" ", benchmark, " }\nbudget { evaluations: 1000 ",
          p > 1 ? absl::StrCat("workers: ", p) : "", " }\nseeds { experiment_seed: 2026 runs: ", rl ? 5 : 10,
          " }\nmethods { name: \"", method, "\"", rl ? absl::StrCat(" reinforce { policy: LSTM batch_size: ", p, " }") : "",
          " }\n");
      auto config = ParseExperiment(text, "speedup");
      if (!config.ok() || !ResolveExperiment(&*config, "speedup").ok()) std::exit(1);
      auto ev = TableEvaluator::Create(table, space, config->benchmark(), false);
      if (!ev.ok()) std::fprintf(stderr, "%s\n", std::string(ev.status().message()).c_str()), std::exit(1);
      const Outcome o = RunAll(*config, space, *ev, nullptr, 2);
      if (p == 1) one = o.finish;
      std::printf("| %s | %d | %.4g | %.2fx | %.2f |\n", method, p, o.finish, one / o.finish, o.test);
      std::fflush(stdout);
    }
  }
  std::printf("\n");
}

void Simulated() {
  const std::string csv = testing::SharedDataFile("nasbench201/nasbench201_cifar10.csv");
  if (csv.empty()) {
    std::printf("NB201 CIFAR-10: skipped: nasbench201/nasbench201_cifar10.csv of ../shared/data is in none of %s\n",
                testing::SharedDataPlaces("nasbench201/nasbench201_cifar10.csv").c_str());
  } else {
    auto table = ImportNb201Csv(csv, "cifar10-valid");
    if (!table.ok()) std::fprintf(stderr, "%s\n", std::string(table.status().message()).c_str()), std::exit(1);
    // The CSV has no training times: the NB201 protocol's 100 s per evaluation.
    Curve(**table, "dataset: \"cifar10-valid\" cost_per_evaluation_s: 100",
          "NB201 CIFAR-10 (cifar10-valid, 200 epochs; 100 simulated s per evaluation, the NB201 protocol)");
  }
  // The embedded Fashion-MNIST NB201 table has measured training times: heterogeneous costs.
  auto embedded = ReadTable("datasets/nb201_fmnist/nb201_fmnist.h5");
  if (!embedded.ok()) std::fprintf(stderr, "%s\n", std::string(embedded.status().message()).c_str()), std::exit(1);
  Curve(**embedded, "dataset: \"fashion-mnist-8px\" search_epochs: 1 report_epochs: 2 seed_mode: SAMPLE",
        "Embedded NB201 Fashion-MNIST table (cost = its measured 1-epoch training time per architecture)");
}

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void Training() {
  if (!std::ifstream("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz").good()) {
    std::printf("training: skipped: /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz is absent "
                "(Debian's dataset-fashion-mnist)\n");
    return;
  }
  // A real-training run: 16 children (12x12 Fashion-MNIST, 1,000 images, C=8, 2 epochs) on 4 simulated workers.
  auto config = ParseExperiment(R"(name: "speedup_train"
benchmark {
  dataset: "fashion-mnist-12px"
  space: "nb201"
  cost_per_evaluation_s: 10
  train {
    data { name: "fashion-mnist" train_size: 1000 valid_size: 500 test_size: 500 image_size: 12 split_seed: 1 }
    network { channels: 8 cells_per_stage: 1 }
    epochs: 2
    batch_size: 64
    learning_rate: 0.1
    momentum: 0.9
    nesterov: true
    device: "cpu"
    threads: 1
  }
}
budget { evaluations: 16 workers: 4 }
seeds { experiment_seed: 4 runs: 1 }
methods { name: "random" }
)", "speedup_train");
  if (!config.ok() || !ResolveExperiment(&*config, "speedup_train").ok()) std::exit(1);
  Nb201Space space;
  auto evaluator = (*FindTrainEvaluator())(config->benchmark(), space);
  if (!evaluator.ok()) std::fprintf(stderr, "%s\n", std::string(evaluator.status().message()).c_str()), std::exit(1);
  double t[3] = {0, 0, 0};
  for (int threads : {1, 2}) {
    std::printf("training run, %d thread%s (%s)\n", threads, threads == 1 ? "" : "s", Load().c_str());
    auto executor = MakeThreadExecutor(**evaluator, threads, 1);
    const auto t0 = std::chrono::steady_clock::now();
    RunAll(*config, space, **evaluator, executor.get(), 1);
    t[threads] = Seconds(t0);
    std::printf("  %.1f s wall\n", t[threads]);
  }
  std::printf("real-training run: 2 threads over 1: %.2fx\n\n", t[1] / t[2]);

  // A small table build: 8 sampled classes x 1 seed x fidelity 2 (the same data and network).
  const std::string spec_path = "/tmp/nas_parallel_benchmark_spec.textproto";
  std::ofstream(spec_path) << R"(dataset_name: "fmnist-bench"
train {
  data { name: "fashion-mnist" train_size: 1000 valid_size: 500 test_size: 500 image_size: 12 split_seed: 1 }
  network { channels: 8 cells_per_stage: 1 }
  batch_size: 64
  nesterov: true
}
fidelities: [2]
seeds: [0]
sample: 8
sample_seed: 1
)";
  auto spec = ReadBuildSpec(spec_path);
  if (!spec.ok()) std::fprintf(stderr, "%s\n", std::string(spec.status().message()).c_str()), std::exit(1);
  for (int threads : {1, 2}) {
    std::printf("table build, %d thread%s (%s)\n", threads, threads == 1 ? "" : "s", Load().c_str());
    BuildOptions options;
    options.out_path = "/tmp/nas_parallel_benchmark_table.h5";
    options.overwrite = true;
    options.threads = threads;
    options.progress = false;
    auto report = BuildTable(*spec, options);
    if (!report.ok()) std::fprintf(stderr, "%s\n", std::string(report.status().message()).c_str()), std::exit(1);
    t[threads] = report->seconds;
    std::printf("  %.1f s wall (%lld items)\n", t[threads], static_cast<long long>(report->items_trained));
  }
  std::printf("table build: 2 threads over 1: %.2fx\n", t[1] / t[2]);
}

}  // namespace
}  // namespace nas

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "all";
  if (what == "simulated" || what == "all") nas::Simulated();
  if (what == "training" || what == "all") nas::Training();
  return 0;
}
