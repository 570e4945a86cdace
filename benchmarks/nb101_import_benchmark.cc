// Throughput of the NB101 tfrecord importer on a synthetic file shaped like nasbench_full.tfrecord (every
// graph x {4, 12, 36, 108} epochs x 3 repeats, real-sized ModelMetrics), and of Nb101Space::CanonicalKey:
//   bazel run -c opt //benchmarks:nb101_import_benchmark -- [unique_graphs, default 20000]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_set>

#include "nas/proto/model_metrics.pb.h"
#include "nas/space/nb101_space.h"
#include "nas/table/nb101_tfrecord.h"
#include "nas/table/table_io.h"
#include "nas/table/tfrecord.h"
#include "nas/util/rng.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace nas;
  const int unique = argc > 1 ? std::atoi(argv[1]) : 20000;
  const char* tmp = std::getenv("TMPDIR");
  const std::string path = std::string(tmp ? tmp : "/tmp") + "/nb101_synthetic.tfrecord";
  Nb101Space space;
  Rng rng(2026);

  // Distinct valid graphs, stored pruned as the dataset stores them.
  auto t0 = std::chrono::steady_clock::now();
  std::unordered_set<std::string> seen;
  std::vector<std::pair<std::string, Nb101Graph>> graphs;
  int64_t hashed = 0;
  while (static_cast<int>(graphs.size()) < unique) {
    const Actions a = space.FromOrdinal(static_cast<int64_t>(rng.UniformInt(space.size())));
    if (!space.IsValid(a)) continue;
    const std::string key = space.CanonicalKey(a);
    ++hashed;
    if (!seen.insert(key).second) continue;
    Nb101Graph pruned;
    Nb101Space::Prune(Nb101Space::ToGraph(a), &pruned);
    graphs.emplace_back(key, pruned);
  }
  const double hash_s = Seconds(t0);
  std::printf("CanonicalKey (prune + validity + hash): %.0f graphs/s (%lld graphs)\n", hashed / hash_s,
              static_cast<long long>(hashed));

  auto writer = TfRecordWriter::Create(path);
  if (!writer.ok()) return std::fprintf(stderr, "%s\n", std::string(writer.status().message()).c_str()), 1;
  int64_t records = 0;
  for (int epochs : {4, 12, 36, 108}) {
    for (const auto& [key, g] : graphs) {
      for (int rep = 0; rep < 3; ++rep) {
        nasbench::ModelMetrics m;
        m.set_trainable_parameters(1000000 + static_cast<int>(rng.UniformInt(3000000)));
        m.set_total_time(1500);
        for (int e = 0; e < 3; ++e) {
          auto* d = m.add_evaluation_data();
          d->set_current_epoch(epochs * e / 2.0);
          d->set_training_time(11.0 * epochs * e / 2.0);
          d->set_train_accuracy(rng.Uniform01());
          d->set_validation_accuracy(rng.Uniform01());
          d->set_test_accuracy(rng.Uniform01());
          d->set_checkpoint_path("");
        }
        if (!(*writer)->Write(MakeNb101RecordJson(key, epochs, g, m)).ok()) return 1;
        ++records;
      }
    }
  }
  if (!(*writer)->Close().ok()) return 1;

  t0 = std::chrono::steady_clock::now();
  auto table = ImportNb101Tfrecord(path);
  const double import_s = Seconds(t0);
  if (!table.ok()) return std::fprintf(stderr, "%s\n", std::string(table.status().message()).c_str()), 1;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  std::fseek(f, 0, SEEK_END);
  const double mb = std::ftell(f) / 1e6;
  std::fclose(f);
  std::printf("import: %lld records (%.1f MB, %lld graphs) in %.2f s: %.0f records/s, %.1f MB/s\n",
              static_cast<long long>(records), mb, static_cast<long long>((*table)->num_archs()), import_s,
              records / import_s, mb / import_s);
  std::printf("  extrapolated: nasbench_full (~5.08M records) %.0f s, only108 (~1.27M) %.0f s\n",
              5.08e6 / (records / import_s), 1.27e6 / (records / import_s));

  const std::string h5 = path + ".h5";
  t0 = std::chrono::steady_clock::now();
  if (!WriteTable(**table, h5, true).ok()) return 1;
  const double write_s = Seconds(t0);
  t0 = std::chrono::steady_clock::now();
  auto back = ReadTable(h5);
  const double read_s = Seconds(t0);
  if (!back.ok()) return std::fprintf(stderr, "%s\n", std::string(back.status().message()).c_str()), 1;
  std::printf("WriteTable %.2f s, ReadTable %.2f s (%lld sparse rows)\n", write_s, read_s,
              static_cast<long long>((*back)->num_archs()));
  std::remove(path.c_str());
  std::remove(h5.c_str());
  return 0;
}
