// The shared suite every registered search space runs (parametrised over the registry): decision and choice
// counts, arch strings that round-trip, canonical keys that are a function of the architecture and equal for
// the known isomorphic pairs of the space, mutations that are valid (and mostly move), neighbours that are
// valid, distinct and one decision away.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "nas/space/space.h"
#include "nas/util/rng.h"

namespace nas {
namespace {

// Pairs of functionally identical architectures, in each space's notation.
const std::multimap<std::string, std::pair<std::string, std::string>> kIsomorphic = {
    // Node 2 receives only zeros, so the operation on edge 3<-2 does not matter.
    {"nb201",
     {"|nor_conv_3x3~0|+|none~0|none~1|+|nor_conv_3x3~0|nor_conv_3x3~1|skip_connect~2|",
      "|nor_conv_3x3~0|+|none~0|none~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_1x1~2|"}},
    // Two independent layers in the other topological order.
    {"zoph_le_cnn", {"3x3-36|5x1-24|7x7-64|1x3-48|3x3-24|5x5-36<0,1,2,3,4", "5x1-24|3x3-36|7x7-64|1x3-48|3x3-24|5x5-36<0,1,2,3,4"}},
};

class SpaceSuite : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto s = CreateSpace(GetParam());
    ASSERT_TRUE(s.ok()) << s.status();
    space_ = std::move(*s);
  }
  Actions Valid(Rng& rng) {
    Actions a;
    do {
      a = space_->Sample(rng);
    } while (!space_->IsValid(a));
    return a;
  }
  std::unique_ptr<SearchSpace> space_;
};

TEST_P(SpaceSuite, DecisionCounts) {
  ASSERT_GT(space_->num_decisions(), 0);
  for (int d = 0; d < space_->num_decisions(); ++d) {
    EXPECT_GE(space_->num_choices(d), 2) << space_->decision_name(d);
    EXPECT_FALSE(space_->decision_name(d).empty());
    for (int c = 0; c < space_->num_choices(d); ++c) EXPECT_FALSE(space_->choice_name(d, c).empty());
  }
  EXPECT_GT(space_->size(), 1);
}

TEST_P(SpaceSuite, ArchStringsRoundTripAndKeysAreAFunctionOfTheArchitecture) {
  Rng rng(1);
  for (int i = 0; i < 300; ++i) {
    const Actions a = Valid(rng);
    auto back = space_->Parse(space_->ToString(a));
    ASSERT_TRUE(back.ok()) << space_->ToString(a) << ": " << back.status();
    EXPECT_EQ(*back, a) << space_->ToString(a);
    EXPECT_EQ(space_->CanonicalKey(*back), space_->CanonicalKey(a));
    EXPECT_EQ(space_->Ordinal(*back), space_->Ordinal(a));
  }
  EXPECT_FALSE(space_->Parse("not an architecture").ok());
}

TEST_P(SpaceSuite, KnownIsomorphicPairsShareTheirKey) {
  auto [begin, end] = kIsomorphic.equal_range(GetParam());
  if (begin == end) GTEST_SKIP() << "no isomorphic pair listed for " << GetParam() << " (its own test checks keys)";
  for (auto it = begin; it != end; ++it) {
    auto a = space_->Parse(it->second.first), b = space_->Parse(it->second.second);
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_NE(*a, *b);
    EXPECT_EQ(space_->CanonicalKey(*a), space_->CanonicalKey(*b)) << it->second.first;
  }
}

TEST_P(SpaceSuite, MutationsAndNeighboursAreValidAndClose) {
  Rng rng(2);
  int moved = 0;
  for (int i = 0; i < 50; ++i) {
    const Actions a = Valid(rng);
    const Actions m = space_->Mutate(a, rng);
    EXPECT_TRUE(space_->IsValid(m));
    moved += m != a;  // nasbench's NB101 mutation may give the parent back (each bit flipped with p = 1/7)
    std::set<Actions> seen;
    for (const Actions& n : space_->Neighbours(a)) {
      EXPECT_TRUE(space_->IsValid(n));
      int differ = 0;
      for (size_t d = 0; d < a.size(); ++d) differ += n[d] != a[d];
      EXPECT_EQ(differ, 1);
      EXPECT_TRUE(seen.insert(n).second);
    }
  }
  EXPECT_GE(moved, 40);
}

INSTANTIATE_TEST_SUITE_P(AllRegistered, SpaceSuite, ::testing::ValuesIn(RegisteredSpaces()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace nas
