// nas/tabulate with real training on a tiny Fashion-MNIST subset (skipped without Debian's package): a build
// stopped mid-way and resumed equals the uninterrupted one; two shards merged equal the unsharded build, and so
// do builds of disjoint fidelities merged; merges of different specs are refused; the all-`none` cell is at
// chance while others learn.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <algorithm>
#include <memory>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nas/tabulate/build_spec.h"
#include "nas/tabulate/table_builder.h"
#include "nas/table/table_io.h"
#include "nas/util/status.h"
#include "tests/build/tiny_spec.h"

namespace nas {
namespace {

using ::testing::HasSubstr;
using testing_build::TinySpecText;
using testing_build::TmpPath;

bool FileExists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

proto::TableBuildSpec Resolved(const std::string& text) {
  auto spec = ParseBuildSpec(text, "spec");
  NAS_CHECK(spec.ok());
  NAS_CHECK(ResolveBuildSpec(&*spec, "spec").ok());
  return *spec;
}

std::string Fresh(const std::string& name) {
  const std::string path = TmpPath(name);
  std::remove(path.c_str());
  std::remove(JournalPath(path).c_str());
  return path;
}

std::unique_ptr<Table> Build(const proto::TableBuildSpec& spec, const std::string& out, int threads, Shard shard = {}) {
  BuildOptions o;
  o.out_path = out;
  o.threads = threads;
  o.shard = shard;
  o.progress = false;
  auto report = BuildTable(spec, o);
  EXPECT_TRUE(report.ok()) << report.status();
  auto table = ReadTable(out);
  EXPECT_TRUE(table.ok()) << table.status();
  return table.ok() ? std::move(*table) : nullptr;
}

TEST(BuildTableTest, StoppedAndResumedEqualsUninterrupted) {
  NAS_SKIP_WITHOUT_FMNIST();
  const proto::TableBuildSpec spec = Resolved(TinySpecText());
  const std::string ref_path = Fresh("ref.h5");
  std::unique_ptr<Table> ref = Build(spec, ref_path, 2);
  ASSERT_TRUE(ref);
  EXPECT_FALSE(FileExists(JournalPath(ref_path)));
  const TableDataset& ds = ref->datasets()[0];
  EXPECT_EQ(ds.name(), "fmnist-tiny");
  EXPECT_EQ(ref->attributes().at("source"), "nas build-table");
  EXPECT_EQ(ref->attributes().at("items_trained"), "24");
  EXPECT_THAT(ref->attributes().at("dataset_description"), HasSubstr("train 64 / valid 32 / test 32"));

  // Every member of a built class holds its representative's values; other classes are NaN.
  auto plan = MakeBuildPlan(spec, Shard{});
  ASSERT_TRUE(plan.ok());
  int64_t filled = 0;
  for (int64_t a = 0; a < ref->num_archs(); ++a) filled += !std::isnan(ds.at(a, 1, 0).test_acc);
  int64_t members = 0;
  for (const BuildClass& c : plan->classes) {
    members += static_cast<int64_t>(c.members.size());
    for (int64_t m : c.members) {
      EXPECT_EQ(ds.at(m, 1, 1).valid_acc, ds.at(c.representative, 1, 1).valid_acc);
      EXPECT_EQ(ref->params_m()[m], ref->params_m()[c.representative]);
      EXPECT_GT(ds.at(m, 0, 0).train_time, 0);
    }
  }
  EXPECT_EQ(filled, members);
  EXPECT_EQ(ref->attributes().at("archs_copied"), std::to_string(members - 6));

  // Stop after 7 items (journal kept, no table), then refuse a plain restart, then resume on 1 thread.
  const std::string out = Fresh("resumed.h5");
  BuildOptions o;
  o.out_path = out;
  o.threads = 1;
  o.progress = false;
  o.stop_after_items = 7;
  auto stopped = BuildTable(spec, o);
  ASSERT_FALSE(stopped.ok());
  EXPECT_TRUE(absl::IsCancelled(stopped.status())) << stopped.status();
  EXPECT_FALSE(FileExists(out));
  ASSERT_TRUE(FileExists(JournalPath(out)));
  o.stop_after_items = -1;
  auto refused = BuildTable(spec, o);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("--resume"));
  // A torn last line, as a kill during the append leaves it, is dropped.
  { std::ofstream(JournalPath(out), std::ios::app) << "item 12 0 1 0x1.8p+"; }
  o.resume = true;
  auto resumed = BuildTable(spec, o);
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->items_resumed, 7);
  EXPECT_EQ(resumed->items_trained, 17);
  auto table = ReadTable(out);
  ASSERT_TRUE(table.ok());
  absl::Status same = CompareBuiltTables(*ref, **table);
  EXPECT_TRUE(same.ok()) << same;
  // A finished build is not resumed or overwritten silently.
  auto again = BuildTable(spec, o);
  ASSERT_FALSE(again.ok());
  EXPECT_THAT(std::string(again.status().message()), HasSubstr("--overwrite"));
}

TEST(BuildTableTest, TwoShardsMergedEqualUnsharded) {
  NAS_SKIP_WITHOUT_FMNIST();
  const proto::TableBuildSpec spec = Resolved(TinySpecText());
  std::unique_ptr<Table> ref = Build(spec, Fresh("unsharded.h5"), 1);
  std::unique_ptr<Table> s0 = Build(spec, Fresh("shard0.h5"), 2, Shard{0, 2});
  std::unique_ptr<Table> s1 = Build(spec, Fresh("shard1.h5"), 1, Shard{1, 2});
  ASSERT_TRUE(ref && s0 && s1);
  EXPECT_FALSE(CompareBuiltTables(*ref, *s0).ok());
  auto merged = MergeTables({s1.get(), s0.get()}, {"shard1.h5", "shard0.h5"});
  ASSERT_TRUE(merged.ok()) << merged.status();
  absl::Status same = CompareBuiltTables(*ref, **merged);
  EXPECT_TRUE(same.ok()) << same;
  // Train times differ (wall seconds), everything else is equal bit for bit.
  EXPECT_THAT(std::string(CompareBuiltTables(*ref, *s1).message()), HasSubstr("tables differ"));

  auto missing = MergeTables({s0.get()}, {"shard0.h5"});
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("shard 1/2 is missing"));
  auto twice = MergeTables({s0.get(), s0.get()}, {"a.h5", "b.h5"});
  ASSERT_FALSE(twice.ok());
  EXPECT_THAT(std::string(twice.status().message()), HasSubstr("both shard 0/2"));
  proto::TableBuildSpec other = spec;
  other.mutable_train()->set_learning_rate(0.05);
  std::unique_ptr<Table> o1 = Build(other, Fresh("other1.h5"), 2, Shard{1, 2});
  auto mismatch = MergeTables({s0.get(), o1.get()}, {"shard0.h5", "other1.h5"});
  ASSERT_FALSE(mismatch.ok());
  EXPECT_THAT(std::string(mismatch.status().message()), HasSubstr("other1.h5: built from a different spec"));
}

TEST(BuildTableTest, FidelityPartsMergeToTheUnionBuild) {
  NAS_SKIP_WITHOUT_FMNIST();
  const proto::TableBuildSpec spec = Resolved(TinySpecText());  // fidelities [1, 2]
  proto::TableBuildSpec one = spec, two = spec;
  one.clear_fidelities();
  one.add_fidelities(1);
  two.clear_fidelities();
  two.add_fidelities(2);
  std::unique_ptr<Table> ref = Build(spec, Fresh("union_ref.h5"), 2);
  std::unique_ptr<Table> one0 = Build(one, Fresh("one0.h5"), 1, Shard{0, 2});
  std::unique_ptr<Table> one1 = Build(one, Fresh("one1.h5"), 2, Shard{1, 2});
  std::unique_ptr<Table> whole_two = Build(two, Fresh("two.h5"), 2);
  ASSERT_TRUE(ref && one0 && one1 && whole_two);
  auto merged = MergeTables({one1.get(), whole_two.get(), one0.get()}, {"one1.h5", "two.h5", "one0.h5"});
  ASSERT_TRUE(merged.ok()) << merged.status();
  absl::Status same = CompareBuiltTables(*ref, **merged);
  EXPECT_TRUE(same.ok()) << same;
  // A merged table of one fidelity part counts as shard 0/1 of its spec.
  auto one_merged = MergeTables({one0.get(), one1.get()}, {"one0.h5", "one1.h5"});
  ASSERT_TRUE(one_merged.ok()) << one_merged.status();
  auto again = MergeTables({whole_two.get(), one_merged->get()}, {"two.h5", "one.h5"});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(CompareBuiltTables(*ref, **again).ok());

  auto overlap = MergeTables({ref.get(), whole_two.get()}, {"ref.h5", "two.h5"});
  ASSERT_FALSE(overlap.ok());
  EXPECT_THAT(std::string(overlap.status().message()), HasSubstr("two.h5: fidelity 2 is also built"));
  auto half = MergeTables({one0.get(), whole_two.get()}, {"one0.h5", "two.h5"});
  ASSERT_FALSE(half.ok());
  EXPECT_THAT(std::string(half.status().message()), HasSubstr("shard 1/2 is missing"));
  proto::TableBuildSpec other = two;
  other.mutable_train()->set_learning_rate(0.05);
  std::unique_ptr<Table> o = Build(other, Fresh("other_two.h5"), 2);
  auto mismatch = MergeTables({one_merged->get(), o.get()}, {"one.h5", "other_two.h5"});
  ASSERT_FALSE(mismatch.ok());
  EXPECT_THAT(std::string(mismatch.status().message()), HasSubstr("not only in its fidelities"));
}

TEST(BuildTableTest, AllNoneCellAtChanceOthersLearn) {
  NAS_SKIP_WITHOUT_FMNIST();
  // A sample that holds the all-`none` cell (ordinal 0), on more data than the tiny spec.
  std::string text = TinySpecText();
  text.replace(text.find("train_size: 64 valid_size: 32 test_size: 32"), 43,
               "train_size: 512 valid_size: 128 test_size: 256");
  text.replace(text.find("channels: 2"), 11, "channels: 4");
  proto::TableBuildSpec spec = Resolved(text);
  spec.set_sample(3);
  spec.set_sample_seed(568);  // the first sample_seed whose 3 classes include ordinal 0 (found by search)
  ASSERT_EQ(MakeBuildPlan(spec, Shard{})->classes[0].representative, 0) << "search a new sample_seed";
  std::unique_ptr<Table> t = Build(spec, Fresh("none.h5"), 2);
  ASSERT_TRUE(t);
  const TableDataset& ds = t->datasets()[0];
  const int f2 = *ds.FidelityIndex(2);
  double best_other = 0;
  for (int s = 0; s < 2; ++s) {
    EXPECT_GE(ds.at(0, f2, s).test_acc, 5.0);
    EXPECT_LE(ds.at(0, f2, s).test_acc, 16.0) << "all-none cell, seed slot " << s;
  }
  auto plan = MakeBuildPlan(spec, Shard{});
  for (const BuildClass& c : plan->classes)
    if (c.representative != 0) best_other = std::max(best_other, ds.at(c.representative, f2, ds.mean_slot()).test_acc);
  EXPECT_GE(best_other, 30.0);
}

}  // namespace
}  // namespace nas
