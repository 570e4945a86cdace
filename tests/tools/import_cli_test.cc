// `nas import nats-tss` and `nas import nb101-tfrecord` end to end (the importers themselves are tested in
// tests/table/), `nas inspect` of a sparse table, and `nas run` on a sparse table that lacks an architecture.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "nas/proto/model_metrics.pb.h"
#include "nas/space/nb101_space.h"
#include "nas/table/nb101_tfrecord.h"
#include "nas/table/tfrecord.h"
#include "nas/testing/nas_cli.h"
#include "nas/testing/shared_data.h"

namespace nas {
namespace {

using testing::RunNas;
using testing::ScratchPath;

TEST(ImportCli, NatsTssSampleDirectory) {
  NAS_REQUIRE_SHARED_FILE(meta, "nats-tss-sample/meta.pickle.pbz2");
  const std::string dir = meta.substr(0, meta.rfind('/'));
  const std::string out = ScratchPath("nats.h5");
  auto r = RunNas("import nats-tss " + dir + " " + out + " --overwrite");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("imported 3 of 15625 architectures"), std::string::npos) << r.out;
  r = RunNas("inspect " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("dataset cifar10-valid: fidelities (epochs) 12, 200"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("imported_archs: 3"), std::string::npos) << r.out;
  r = RunNas("import nats-tss " + dir + " " + out + " --overwrite --dataset cifar10");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("drop --dataset"), std::string::npos) << r.out;
}

nasbench::ModelMetrics Metrics(double valid, double test, double time) {
  nasbench::ModelMetrics m;
  m.set_trainable_parameters(1000);
  for (int epoch : {0, 54, 108}) {
    auto* e = m.add_evaluation_data();
    e->set_current_epoch(epoch);
    e->set_training_time(epoch == 108 ? time : epoch * time / 108);
    e->set_train_accuracy(0.9), e->set_validation_accuracy(epoch == 108 ? valid : 0.1);
    e->set_test_accuracy(epoch == 108 ? test : 0.1);
  }
  return m;
}

TEST(ImportCli, Nb101TfrecordGivesASparseTableAndGapsAreClearErrors) {
  Nb101Graph chain{3, {0, 1, 0, 0, 0, 1, 0, 0, 0}, {-1, 2, -2}};  // input -> maxpool -> output
  const std::string hash = Nb101Space::HashModule(chain);
  std::string bytes;
  for (int i = 0; i < 3; ++i)
    bytes += FrameTfRecord(MakeNb101RecordJson(hash, 108, chain, Metrics(0.8 + 0.01 * i, 0.79, 100 + i)));
  const std::string in = ScratchPath("tiny.tfrecord"), out = ScratchPath("nb101.h5");
  std::ofstream(in, std::ios::binary) << bytes;
  auto r = RunNas("import nb101-tfrecord " + in + " " + out + " --overwrite");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("1 architectures, datasets cifar10"), std::string::npos) << r.out;
  r = RunNas("inspect " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("(sparse rows)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("|ops:"), std::string::npos) << "the row's arch string, not FromOrdinal(row):\n" << r.out;

  // Random search proposes valid graphs the 1-row table lacks: one clear line naming the architecture.
  const std::string cfg = ScratchPath("nb101.textproto");
  std::ofstream(cfg) << "name: \"nb101\"\nbenchmark { table: \"" << out
                     << "\" dataset: \"cifar10\" }\nbudget { evaluations: 20 }\nseeds { experiment_seed: 1 runs: 1 }\n"
                        "methods { name: \"random\" }\n";
  r = RunNas("run " + cfg + " --out " + ScratchPath("nb101_log.h5") + " --overwrite --quiet");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("has no row in the 1-row sparse table"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace nas
