// Writes the synthetic seed files of the binary fuzz targets into DIR/<target>/ (DIR = tests/fuzz/corpus):
//   tfrecord/  one record's JSON data and a 2-record tfrecord file (a 3-vertex chain and the direct graph)
//   table/     the sparse 2-row NB101 table imported from that file
//   log/       a log of one run of 3 episodes, one unfinished run of 1, as EpisodeLogWriter writes it
// The text targets' seeds (pickle, bz2, csv, config) are written by tests/fuzz/make_text_seeds.py.
#include <cstdio>
#include <fstream>
#include <string>

#include "nas/log/episode_log.h"
#include "nas/space/nb101_space.h"
#include "nas/table/nb101_tfrecord.h"
#include "nas/table/table_io.h"
#include "nas/table/tfrecord.h"

namespace nas {
namespace {

Nb101Graph Graph(int n, std::vector<uint8_t> adj, std::vector<int> labels) {
  Nb101Graph g;
  g.n = n;
  g.adj = std::move(adj);
  g.labels = std::move(labels);
  return g;
}

nasbench::ModelMetrics Metrics(double valid, double time) {
  nasbench::ModelMetrics m;
  m.set_trainable_parameters(1000);
  m.set_total_time(time);
  for (int e : {0, 54, 108}) {
    auto* d = m.add_evaluation_data();
    d->set_current_epoch(e);
    d->set_training_time(time * e / 108);
    d->set_train_accuracy(valid), d->set_validation_accuracy(valid), d->set_test_accuracy(valid - 0.01);
  }
  return m;
}

bool WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  return static_cast<bool>(out);
}

int Main(const std::string& dir) {
  const Nb101Graph chain = Graph(3, {0, 1, 0, 0, 0, 1, 0, 0, 0}, {-1, 2, -2});
  const Nb101Graph direct = Graph(2, {0, 1, 0, 0}, {-1, -2});
  const std::string r1 = MakeNb101RecordJson(Nb101Space::HashModule(chain), 108, chain, Metrics(0.5, 100));
  const std::string r2 = MakeNb101RecordJson(Nb101Space::HashModule(direct), 108, direct, Metrics(0.25, 10));
  const std::string tfrecord = dir + "/tfrecord/two_records.tfrecord";
  if (!WriteFile(dir + "/tfrecord/record.json", r1) || !WriteFile(tfrecord, FrameTfRecord(r1) + FrameTfRecord(r2)))
    return std::fprintf(stderr, "cannot write under %s/tfrecord\n", dir.c_str()), 1;
  auto table = ImportNb101Tfrecord(tfrecord);
  if (!table.ok()) return std::fprintf(stderr, "%s\n", table.status().ToString().c_str()), 1;
  if (auto s = WriteTable(**table, dir + "/table/nb101_2rows.h5", true); !s.ok())
    return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;

  RunLog done{"random", "random", 0, {{"strategy_seed", "1"}, {"eval_seed", "2"}}, {}, true};
  for (int i = 0; i < 3; ++i) {
    Episode e;
    e.index = i;
    e.arch = 7 * i;
    e.actions = {i, 1, 2, 0, 4, 3};
    e.reward = e.valid_acc = 80 + i;
    e.test_acc = 79 + i;
    e.sim_time = 100.0 * (i + 1);
    e.incumbent = e.arch;
    e.incumbent_valid = e.valid_acc;
    e.incumbent_test = e.test_acc;
    done.episodes.push_back(e);
  }
  RunLog partial = done;
  partial.run = 1;
  partial.episodes.resize(1);
  partial.complete = false;
  const std::map<std::string, std::string> attrs = {{"config", "name: \"seed\""}, {"table_sha256", "0"}};
  if (auto s = EpisodeLogWriter::WriteAll(dir + "/log/two_runs.h5", attrs, 6, {done, partial}, true); !s.ok())
    return std::fprintf(stderr, "%s\n", s.ToString().c_str()), 1;
  std::printf("seeds written under %s\n", dir.c_str());
  return 0;
}

}  // namespace
}  // namespace nas

int main(int argc, char** argv) {
  if (argc != 2) return std::fprintf(stderr, "usage: make_seeds CORPUS_DIR\n"), 2;
  return nas::Main(argv[1]);
}
