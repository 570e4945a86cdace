// TableEvaluator on dense (NB201: row = ordinal) and sparse (NB101: row = CanonicalKey) tables: lookups, an
// architecture the sparse table lacks (a clear error naming it), and the Create-time checks over rows.
#include <gtest/gtest.h>

#include <string>

#include "nas/experiment/table_evaluator.h"
#include "nas/space/nb101_space.h"
#include "nas/space/nb201_space.h"
#include "nas/table/table.h"

namespace nas {
namespace {

constexpr char kOps5[] = "ops:conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu";
// input -> 1 -> output (vertices 2..5 isolated, pruned away).
const std::string kChainVia1 = std::string("0100000|0000001|0000000|0000000|0000000|0000000|0000000|") + kOps5;
// The same pruned graph through vertex 2: isomorphic, same key.
const std::string kChainVia2 = std::string("0010000|0000000|0000001|0000000|0000000|0000000|0000000|") + kOps5;
// input -> 1 -> 2 -> output: valid, and not in the table below.
const std::string kChain12 = std::string("0100000|0010000|0000001|0000000|0000000|0000000|0000000|") + kOps5;
// input -> output directly, plus input -> 1 -> output.
const std::string kSkip = std::string("0100001|0000001|0000000|0000000|0000000|0000000|0000000|") + kOps5;

proto::Benchmark Bench(const std::string& dataset, proto::SeedMode mode) {
  proto::Benchmark b;
  b.set_dataset(dataset);
  b.set_seed_mode(mode);
  return b;
}

std::unique_ptr<Table> SparseNb101(const Nb101Space& space) {
  auto t = std::make_unique<Table>("nb101", 2);
  std::vector<std::string> keys, archs;
  for (const std::string& s : {kChainVia1, kSkip}) {
    auto a = space.Parse(s);
    EXPECT_TRUE(a.ok()) << a.status();
    keys.push_back(space.CanonicalKey(*a));
    archs.push_back(s);
  }
  EXPECT_TRUE(t->SetRowKeys(keys, archs).ok());
  TableDataset& d = t->AddDataset("cifar10", {108}, {0, 1, 2});
  for (int64_t r = 0; r < 2; ++r)
    for (int s = 0; s < 3; ++s) {
      TableEntry& e = d.mutable_at(r, 0, s);
      e.valid_acc = 80 + 10 * r + s;
      e.test_acc = 79 + 10 * r + s;
      e.train_time = 1000 + r;
    }
  d.ComputeMeans();
  return t;
}

TEST(TableEvaluator, SparseTableFindsIsomorphicVariantsByKey) {
  Nb101Space space;
  auto table = SparseNb101(space);
  auto ev = TableEvaluator::Create(*table, space, Bench("cifar10", proto::MEAN), true);
  ASSERT_TRUE(ev.ok()) << ev.status();
  EXPECT_TRUE(ev->sparse());
  Rng rng(1);
  for (const std::string& s : {kChainVia1, kChainVia2}) {
    auto e = ev->Evaluate(*space.Parse(s), rng);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_DOUBLE_EQ(e->valid_acc, 81);  // row 0's mean over seeds 80, 81, 82
    EXPECT_DOUBLE_EQ(e->test_acc, 80);
    EXPECT_DOUBLE_EQ(e->cost_s, 1000);
  }
  auto skip = ev->Evaluate(*space.Parse(kSkip), rng);
  ASSERT_TRUE(skip.ok());
  EXPECT_DOUBLE_EQ(skip->valid_acc, 91);
  EXPECT_DOUBLE_EQ(ev->best_test_acc(), 90);
}

TEST(TableEvaluator, SparseTableGapIsAnErrorNamingTheArchitecture) {
  Nb101Space space;
  auto table = SparseNb101(space);
  auto ev = TableEvaluator::Create(*table, space, Bench("cifar10", proto::SAMPLE), false);
  ASSERT_TRUE(ev.ok()) << ev.status();
  Rng rng(1);
  auto e = ev->Evaluate(*space.Parse(kChain12), rng);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(std::string(e.status().message()).find(kChain12), std::string::npos) << e.status();
  EXPECT_NE(std::string(e.status().message()).find("no row"), std::string::npos) << e.status();
}

TEST(TableEvaluator, CreateChecksEveryRowOfASparseTable) {
  Nb101Space space;
  auto table = SparseNb101(space);
  TableDataset& d = table->mutable_datasets()[0];
  for (int s = 0; s < d.num_slots(); ++s) d.mutable_at(1, 0, s).test_acc = NAN;
  auto ev = TableEvaluator::Create(*table, space, Bench("cifar10", proto::MEAN), false);
  ASSERT_FALSE(ev.ok());
  // Names the row's architecture in the space's notation.
  EXPECT_NE(std::string(ev.status().message()).find("row 1, " + kSkip), std::string::npos) << ev.status();
}

TEST(TableEvaluator, DenseTableRowIsTheOrdinalAndSpaceMustMatch) {
  Nb201Space space;
  Table t("nb201", space.size());
  TableDataset& d = t.AddDataset("toy", {200}, {});
  for (int64_t a = 0; a < space.size(); ++a) {
    d.mutable_at(a, 0, 0).valid_acc = a * 1e-3;
    d.mutable_at(a, 0, 0).test_acc = a * 1e-3 - 1;
  }
  auto ev = TableEvaluator::Create(t, space, Bench("toy", proto::MEAN), false);
  ASSERT_TRUE(ev.ok()) << ev.status();
  EXPECT_FALSE(ev->sparse());
  Rng rng(1);
  const Actions a = space.FromOrdinal(4321);
  auto e = ev->Evaluate(a, rng);
  ASSERT_TRUE(e.ok());
  EXPECT_DOUBLE_EQ(e->valid_acc, 4.321);
  EXPECT_DOUBLE_EQ(ev->Lookup(4321, rng).valid_acc, 4.321);

  Table small("nb201", 10);
  small.AddDataset("toy", {200}, {});
  auto bad = TableEvaluator::Create(small, space, Bench("toy", proto::MEAN), false);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("10 rows"), std::string::npos) << bad.status();
}

}  // namespace
}  // namespace nas
