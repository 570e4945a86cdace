// nas/tabulate without training: spec resolution and errors, the work plan (classes, sample, shards, seeds) and
// the journal's exact round trip and torn-tail handling.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <cstring>
#include <algorithm>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nas/tabulate/build_spec.h"
#include "nas/tabulate/journal.h"
#include "tests/build/tiny_spec.h"

namespace nas {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing_build::TinySpecText;
using testing_build::TmpPath;
using testing_build::WriteFile;

proto::TableBuildSpec Resolved(const std::string& text) {
  auto spec = ParseBuildSpec(text, "spec");
  EXPECT_TRUE(spec.ok()) << spec.status();
  absl::Status s = ResolveBuildSpec(&*spec, "spec");
  EXPECT_TRUE(s.ok()) << s;
  return *spec;
}

TEST(BuildSpecTest, DefaultsAndResolvedIdempotent) {
  proto::TableBuildSpec spec = Resolved(TinySpecText());
  EXPECT_EQ(spec.space(), "nb201");
  EXPECT_FALSE(spec.all_architectures());
  EXPECT_EQ(spec.train().threads(), 1);
  EXPECT_EQ(spec.train().epochs(), 0);
  EXPECT_EQ(spec.train().learning_rate(), 0.1);
  proto::TableBuildSpec again = spec;
  ASSERT_TRUE(ResolveBuildSpec(&again, "spec").ok());
  EXPECT_EQ(BuildSpecText(again), BuildSpecText(spec));
  // dataset_name defaults to the data name and image size.
  std::string text = TinySpecText();
  text.erase(0, text.find('\n') + 1);
  EXPECT_EQ(Resolved(text).dataset_name(), "fashion-mnist-8px");
}

void ExpectOneLineError(const std::string& name, const std::string& text, const std::string& what) {
  const std::string path = WriteFile(name, text);
  auto spec = ReadBuildSpec(path);
  ASSERT_FALSE(spec.ok()) << name;
  const std::string msg(spec.status().message());
  EXPECT_THAT(msg, HasSubstr(path));
  EXPECT_THAT(msg, HasSubstr(what));
  EXPECT_THAT(msg, Not(HasSubstr("\n")));
}

TEST(BuildSpecTest, ErrorsAreOneLineNamingFileAndField) {
  const std::string tiny = TinySpecText();
  auto without = [&](const std::string& field) {
    std::string t = tiny;
    const size_t p = t.find(field);
    t.erase(p, t.find('\n', p) - p + 1);
    return t;
  };
  ExpectOneLineError("no_fid.textproto", without("fidelities"), "fidelities: required");
  ExpectOneLineError("no_seeds.textproto", without("seeds"), "seeds: required");
  ExpectOneLineError("space.textproto", "space: \"nb999\"\n" + tiny, "unknown search space 'nb999'");
  ExpectOneLineError("nb101.textproto", "space: \"nb101\"\n" + tiny,
                     "space: no child network is registered for \"nb101\" (spaces with one: nb201, zoph_le_cnn)");
  ExpectOneLineError("zoph.textproto", "space: \"zoph_le_cnn\"\n" + tiny, "build-table enumerates every one");
  ExpectOneLineError("syntax.textproto", tiny + "fidelity: 3\n", ":12:9: Message type \"nas.proto.TableBuildSpec\" has no field named \"fidelity\"");
  ExpectOneLineError("order.textproto", tiny + "fidelities: 1\n", "strictly increasing");
  ExpectOneLineError("dup.textproto", tiny + "seeds: 0\n", "appears twice");
  auto in_train = [&](const std::string& field) {
    std::string t = tiny;
    t.insert(t.find("  nesterov"), "  " + field + "\n");
    return t;
  };
  ExpectOneLineError("epochs.textproto", in_train("epochs: 3"), "train.epochs: must be unset");
  ExpectOneLineError("bs.textproto", in_train("momentum: -1"), "train.momentum");
  ExpectOneLineError("thr.textproto", in_train("threads: 2"), "train.threads: must be 1");
  auto missing = ReadBuildSpec(TmpPath("does-not-exist.textproto"));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("does-not-exist.textproto: cannot open"));
  EXPECT_FALSE(ParseShard("2/2").ok());
  EXPECT_FALSE(ParseShard("1").ok());
  ASSERT_TRUE(ParseShard("3/8").ok());
  EXPECT_EQ(ParseShard("3/8")->count, 8);
}

TEST(BuildPlanTest, Nb201ClassesInOrderOfFirstAppearance) {
  proto::TableBuildSpec spec = Resolved(TinySpecText());
  spec.set_sample(0);
  auto plan = MakeBuildPlan(spec, Shard{});
  ASSERT_TRUE(plan.ok()) << plan.status();
  ASSERT_EQ(plan->classes.size(), 5773u);
  EXPECT_EQ(plan->num_classes_in_space, 5773);
  int64_t members = 0, previous = -1;
  for (const BuildClass& c : plan->classes) {
    ASSERT_FALSE(c.members.empty());
    EXPECT_EQ(c.members[0], c.representative);
    EXPECT_GT(c.representative, previous);
    previous = c.representative;
    members += static_cast<int64_t>(c.members.size());
  }
  EXPECT_EQ(members, 15625);
  EXPECT_EQ(plan->classes[0].representative, 0);  // the all-`none` cell
  EXPECT_EQ(plan->items.size(), 5773u * 2 * 2);
  spec.set_all_architectures(true);
  EXPECT_EQ(MakeBuildPlan(spec, Shard{})->classes.size(), 15625u);
  spec.set_sample(20000);
  EXPECT_THAT(std::string(MakeBuildPlan(spec, Shard{}).status().message()), HasSubstr("exceeds the 15625"));
}

TEST(BuildPlanTest, SampleIsSeededAndSorted) {
  proto::TableBuildSpec spec = Resolved(TinySpecText(1));
  auto reps = [&](uint64_t seed) {
    spec.set_sample_seed(seed);
    std::vector<int64_t> r;
    auto plan = MakeBuildPlan(spec, Shard{});
    for (const BuildClass& c : plan->classes) r.push_back(c.representative);
    return r;
  };
  const std::vector<int64_t> a = reps(1);
  EXPECT_EQ(a.size(), 6u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(reps(1), a);
  EXPECT_NE(reps(2), a);
}

using Key = std::tuple<int64_t, uint64_t, int>;

std::map<Key, uint64_t> ItemSeeds(const BuildPlan& plan) {
  std::map<Key, uint64_t> out;
  for (const WorkItem& it : plan.items) {
    EXPECT_TRUE(out.emplace(Key{it.representative, it.seed, it.fidelity}, it.train_seed).second);
    EXPECT_EQ(it.train_seed, ItemTrainSeed(it.seed, it.representative, it.fidelity));
  }
  return out;
}

TEST(BuildPlanTest, WorkItemsAndSeedsIndependentOfShardCount) {
  proto::TableBuildSpec spec = Resolved(TinySpecText());
  spec.set_sample(50);
  auto full = MakeBuildPlan(spec, Shard{});
  ASSERT_TRUE(full.ok());
  const std::map<Key, uint64_t> expected = ItemSeeds(*full);
  EXPECT_EQ(expected.size(), 50u * 2 * 2);
  for (int n : {2, 3, 7}) {
    std::map<Key, uint64_t> merged;
    for (int i = 0; i < n; ++i) {
      auto shard = MakeBuildPlan(spec, Shard{i, n});
      ASSERT_TRUE(shard.ok());
      EXPECT_EQ(shard->classes.size(), full->classes.size());
      for (int64_t p : shard->shard_positions) EXPECT_EQ(p % n, i);
      for (const auto& [k, v] : ItemSeeds(*shard)) EXPECT_TRUE(merged.emplace(k, v).second) << "overlap, n=" << n;
    }
    EXPECT_EQ(merged, expected) << "n=" << n;
  }
  // Seeds differ between fidelities, seeds and architectures.
  std::set<uint64_t> distinct;
  for (const auto& [k, v] : expected) distinct.insert(v);
  EXPECT_EQ(distinct.size(), expected.size());
}

TEST(JournalTest, ExactRoundTripAndTornTail) {
  const std::string path = TmpPath("round.journal");
  std::remove(path.c_str());
  std::vector<JournalRecord> records(3);
  records[0] = {5, 1, 2, 100.0 / 3, 1e-310, 0.1 + 0.2, 0.123456789012345678, 0.0123, 1.5};
  records[1] = {7, std::numeric_limits<int64_t>::max(), 1, -0.0, 87.5, 9.375, 12345.678, 1e300, 3};
  records[2] = {9, 0, 4, 1, 2, 3, 4, 5, 6};
  {
    auto w = JournalWriter::Create(path, JournalHeader("abc", "0/1"));
    ASSERT_TRUE(w.ok()) << w.status();
    for (const auto& r : records) ASSERT_TRUE((*w)->Append(r).ok());
  }
  EXPECT_FALSE(JournalWriter::Create(path, "x").ok());  // O_EXCL
  auto check = [&](const JournalContents& j, size_t n) {
    EXPECT_EQ(j.header, JournalHeader("abc", "0/1"));
    ASSERT_EQ(j.records.size(), n);
    for (size_t i = 0; i < n; ++i) {
      const JournalRecord &a = j.records[i], &b = records[i];
      EXPECT_EQ(a.representative, b.representative);
      EXPECT_EQ(a.seed, b.seed);
      EXPECT_EQ(a.fidelity, b.fidelity);
      for (auto [x, y] : {std::pair{a.train_acc, b.train_acc}, {a.valid_acc, b.valid_acc}, {a.test_acc, b.test_acc},
                          {a.train_time, b.train_time}, {a.params_m, b.params_m}, {a.flops_m, b.flops_m}})
        EXPECT_EQ(0, std::memcmp(&x, &y, sizeof x));
    }
  };
  auto j = ReadJournal(path);
  ASSERT_TRUE(j.ok()) << j.status();
  check(*j, 3);
  EXPECT_FALSE(j->torn_tail);
  // A torn last line (the kill came mid-write) is ignored and cut before appending.
  const std::string line = FormatJournalRecord({11, 0, 1, 1, 1, 1, 1, 1, 1});
  std::ofstream(path, std::ios::app) << line.substr(0, line.size() / 2);
  j = ReadJournal(path);
  ASSERT_TRUE(j.ok());
  check(*j, 3);
  EXPECT_TRUE(j->torn_tail);
  {
    auto w = JournalWriter::Reopen(path, j->valid_bytes);
    ASSERT_TRUE(w.ok());
    records.push_back({11, 0, 1, 1, 1, 1, 1, 1, 1});
    ASSERT_TRUE((*w)->Append(records.back()).ok());
  }
  j = ReadJournal(path);
  ASSERT_TRUE(j.ok());
  check(*j, 4);
  // A full last line with a bad check is torn too; a bad line before the end is corruption.
  std::ofstream(path, std::ios::app) << "item 1 2 3 0x1p+0 0x1p+0 0x1p+0 0x1p+0 0x1p+0 0x1p+0 0000000000000000\n";
  j = ReadJournal(path);
  ASSERT_TRUE(j.ok());
  EXPECT_TRUE(j->torn_tail);
  std::ofstream(path, std::ios::app) << line;
  j = ReadJournal(path);
  ASSERT_FALSE(j.ok());
  EXPECT_THAT(std::string(j.status().message()), HasSubstr("round.journal:6: corrupt journal line"));
}

}  // namespace
}  // namespace nas
