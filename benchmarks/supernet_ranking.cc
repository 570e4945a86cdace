// How well the NB201 supernet's shared weights rank architectures against a table's truth, a -c opt harness:
//   bazel run -c opt //benchmarks:supernet_ranking [-- --epochs E --sample K --seed S --table T.h5 --spec B.textproto]
// Trains the supernet with a uniformly sampled architecture per minibatch (RSPS's supernet training) on the
// data, skeleton and optimiser of the table's build spec (default: the embedded table,
// datasets/nb201_fmnist/{nb201_fmnist.h5,build.textproto}), `E` epochs (default 20) from seed S (default 0),
// in both BatchNorm modes; then scores a fixed seeded sample of K architectures (default 1,000) with their
// shared-weight validation accuracy on the table's validation split and prints Kendall tau-b and Spearman rho
// against the table's validation accuracy, beside the table's seed-vs-seed agreement on the same rows
// (nas/analysis/ranking.h), the training and scoring CPU seconds and the load average.
#include <stdlib.h>
#include <time.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "nas/analysis/ranking.h"
#include "nas/proto/train.pb.h"
#include "nas/space/nb201_space.h"
#include "nas/table/table_io.h"
#include "nas/train/shared_weights.h"
#include "nas/train/trainer.h"

namespace {

double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

std::string InWorkspace(const std::string& path) {
  const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY");
  return ws && !path.empty() && path[0] != '/' ? std::string(ws) + "/" + path : path;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int epochs = 20, sample = 1000;
  uint64_t seed = 0;
  std::string table_path = "datasets/nb201_fmnist/nb201_fmnist.h5", spec_path = "datasets/nb201_fmnist/build.textproto";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--epochs") epochs = std::atoi(value.c_str());
    else if (flag == "--sample") sample = std::atoi(value.c_str());
    else if (flag == "--seed") seed = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--table") table_path = value;
    else if (flag == "--spec") spec_path = value;
    else return Fail("unknown option " + flag + " (known: --epochs, --sample, --seed, --table, --spec)");
  }
  table_path = InWorkspace(table_path);
  spec_path = InWorkspace(spec_path);
  std::ifstream in(spec_path);
  if (!in) return Fail(spec_path + ": cannot open the table's build spec");
  std::stringstream text;
  text << in.rdbuf();
  nas::proto::TableBuildSpec build;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &build))
    return Fail(spec_path + ": not a TableBuildSpec text proto");
  auto table = nas::ReadTable(table_path);
  if (!table.ok()) return Fail(std::string(table.status().message()));
  if ((*table)->space() != "nb201" || (*table)->sparse()) return Fail(table_path + ": not a dense nb201 table");

  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("supernet ranking against %s (dataset %s), %d epochs of uniform sampling, seed %llu, %d architectures "
              "(load average %.2f %.2f %.2f)\n",
              table_path.c_str(), build.dataset_name().c_str(), epochs, static_cast<unsigned long long>(seed), sample,
              load[0], load[1], load[2]);
  const nas::Nb201Space space;
  const std::vector<int64_t> rows = nas::analysis::RankingSample((*table)->num_archs(), sample, seed);
  for (const std::string mode : {"running", "batch"}) {
    nas::proto::SupernetSpec spec;
    *spec.mutable_train() = build.train();
    spec.mutable_train()->set_epochs(epochs);
    spec.set_batchnorm(mode);
    if (absl::Status s = nas::ResolveSupernetSpec(&spec); !s.ok()) return Fail(spec_path + ": " + std::string(s.message()));
    auto data = nas::LoadDataset(spec.train().data());
    if (!data.ok()) return Fail(std::string(data.status().message()));
    auto weights = nas::SharedWeights::Create(spec, *data, seed);
    if (!weights.ok()) return Fail(std::string(weights.status().message()));
    const double t0 = CpuSeconds();
    double last_loss = 0, last_acc = 0;
    for (int e = 0; e < epochs; ++e) {
      auto epoch = (*weights)->TrainEpochUniform();
      if (!epoch.ok()) return Fail(std::string(epoch.status().message()));
      last_loss = epoch->train_loss, last_acc = epoch->train_acc;
    }
    const double t1 = CpuSeconds();
    std::vector<double> estimate;
    for (int64_t row : rows) {
      auto acc = (*weights)->ValidAccuracy(space.FromOrdinal(row));
      if (!acc.ok()) return Fail(std::string(acc.status().message()));
      estimate.push_back(*acc);
    }
    const double t2 = CpuSeconds();
    auto r = nas::analysis::RankAgainstTable(**table, build.dataset_name(), rows, estimate);
    if (!r.ok()) return Fail(std::string(r.status().message()));
    std::printf("\nBatchNorm %s: last epoch train loss %.4f, train accuracy %.2f%%; %.1f CPU s training, %.1f CPU s "
                "scoring\n%s",
                mode.c_str(), last_loss, last_acc, t1 - t0, t2 - t1,
                nas::analysis::FormatRankingAgreement(*r).c_str());
  }
  getloadavg(load, 3);
  std::printf("load average at end %.2f %.2f %.2f\n", load[0], load[1], load[2]);
  return 0;
}
