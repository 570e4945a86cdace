// The zoph_le_cnn macro space: decision layout, notation round trip, canonical key, ordinals, mutation and
// neighbours, registry options, and parse errors for strings of other spaces.
#include "nas/space/zoph_le_space.h"

#include <gtest/gtest.h>

#include <set>

#include "nas/space/nb201_space.h"
#include "nas/util/rng.h"

namespace nas {
namespace {

TEST(ZophLeSpace, DecisionLayout) {
  ZophLeSpace s6(6), s15(15);
  EXPECT_EQ(s6.num_decisions(), 3 * 6 + 15);
  EXPECT_EQ(s15.num_decisions(), 3 * 15 + 105);
  EXPECT_EQ(s6.decision_name(0), "layer0.filter_height");
  EXPECT_EQ(s6.decision_name(3), "layer1.filter_height");
  EXPECT_EQ(s6.decision_name(6), "layer1.input_from_0");
  EXPECT_EQ(s6.decision_name(s6.num_decisions() - 1), "layer5.input_from_4");
  EXPECT_EQ(s6.num_choices(2), 4);
  EXPECT_EQ(s6.choice_name(2, 3), "64");
  EXPECT_EQ(s6.num_choices(6), 2);
  // 64^6 * 2^15 = 2^51 fits int64; 15 layers (2^195) does not.
  EXPECT_EQ(s6.size(), int64_t{1} << 51);
  EXPECT_TRUE(s6.enumerable());
  EXPECT_FALSE(s15.enumerable());
}

TEST(ZophLeSpace, RoundTripOfRandomArchs) {
  for (int layers : {1, 4, 6, 15}) {
    ZophLeSpace space(layers);
    Rng rng(layers);
    for (int i = 0; i < 500; ++i) {
      const Actions a = space.Sample(rng);
      ASSERT_TRUE(space.IsValid(a));
      const std::string text = space.ToString(a);
      auto back = space.Parse(text);
      ASSERT_TRUE(back.ok()) << back.status();
      EXPECT_EQ(*back, a) << text;
      if (space.enumerable()) {
        EXPECT_EQ(space.FromOrdinal(space.Ordinal(a)), a);
      }
    }
  }
}

TEST(ZophLeSpace, NotationAndDecode) {
  ZophLeSpace space(4);
  auto a = space.Parse("3x3-36|5x1-24<0|7x7-64<0,1|1x3-48<1");
  ASSERT_TRUE(a.ok()) << a.status();
  const std::vector<MacroLayer> layers = space.Decode(*a);
  EXPECT_EQ(layers[1].filter_height, 5);
  EXPECT_EQ(layers[1].filter_width, 1);
  EXPECT_EQ(layers[2].filters, 64);
  EXPECT_EQ(layers[2].inputs, (std::vector<int>{0, 1}));
  EXPECT_TRUE(layers[0].inputs.empty());
  // Layers 2 and 3 are read by nobody: both feed the classifier.
  EXPECT_EQ(ZophLeSpace::OutputLayers(layers), (std::vector<int>{2, 3}));
  EXPECT_EQ(space.ToString(*a), "3x3-36|5x1-24<0|7x7-64<0,1|1x3-48<1");
}

TEST(ZophLeSpace, ParseErrorsNameTheProblem) {
  ZophLeSpace space(4);
  Nb201Space nb201;
  const std::string nb201_arch = nb201.ToString(Actions{3, 3, 2, 3, 1, 3});
  for (const std::string& bad :
       {nb201_arch, std::string("3x3-36|5x1-24<0|7x7-64<0,1"), std::string("3x3-36|5x1-24<0|7x7-64<0,1|1x3-40<1"),
        std::string("3x3-36|5x2-24<0|7x7-64<0,1|1x3-48<1"), std::string("3x3-36|5x1-24<1|7x7-64<0,1|1x3-48<1"),
        std::string("3x3-36|5x1-24<0|7x7-64<1,0|1x3-48<1"), std::string("3x3-36|5x1-24<|7x7-64|1x3-48"),
        std::string("")}) {
    auto r = space.Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(std::string(r.status().message()).find("not a zoph_le_cnn architecture of 4 layers"), std::string::npos)
        << r.status();
  }
  // And a macro string is not an NB201 cell.
  EXPECT_FALSE(nb201.Parse("3x3-36|5x1-24<0|7x7-64<0,1|1x3-48<1").ok());
}

TEST(ZophLeSpace, CanonicalKeyIgnoresLayerOrderOnly) {
  ZophLeSpace space(3);
  auto key = [&](const char* text) {
    auto a = space.Parse(text);
    EXPECT_TRUE(a.ok()) << a.status();
    return space.CanonicalKey(*a);
  };
  // Two independent branches listed in either order.
  EXPECT_EQ(key("3x3-24|5x5-36|1x1-48<0,1"), key("5x5-36|3x3-24|1x1-48<0,1"));
  // A chain and an independent layer, relabelled.
  EXPECT_EQ(key("3x3-24|5x5-36<0|1x1-48"), key("1x1-48|3x3-24|5x5-36<1"));
  // Different functions: another filter count, another wiring, a transposed filter.
  EXPECT_NE(key("3x3-24|5x5-36|1x1-48<0,1"), key("3x3-24|5x5-36|1x1-64<0,1"));
  EXPECT_NE(key("3x3-24|5x5-36|1x1-48<0,1"), key("3x3-24|5x5-36<0|1x1-48<1"));
  EXPECT_NE(key("3x3-24|5x3-36|1x1-48<0,1"), key("3x3-24|3x5-36|1x1-48<0,1"));
  // Sharing a layer differs from two copies of it.
  EXPECT_NE(key("3x3-24|5x5-36<0|1x1-48<0"), key("3x3-24|3x3-24|1x1-48<0"));

  // Keys of random archs: distinct strings mostly give distinct keys, every key is stable.
  ZophLeSpace s6(6);
  Rng rng(7);
  std::set<std::string> keys, strings;
  for (int i = 0; i < 2000; ++i) {
    const Actions a = s6.Sample(rng);
    strings.insert(s6.ToString(a));
    keys.insert(s6.CanonicalKey(a));
    EXPECT_EQ(s6.CanonicalKey(a), s6.CanonicalKey(*s6.Parse(s6.ToString(a))));
  }
  EXPECT_GT(keys.size(), strings.size() * 9 / 10);
}

TEST(ZophLeSpace, MutationChangesExactlyOneDecision) {
  for (int layers : {6, 15}) {
    ZophLeSpace space(layers);
    Rng rng(11);
    Actions a = space.Sample(rng);
    for (int i = 0; i < 1000; ++i) {
      const Actions child = space.Mutate(a, rng);
      ASSERT_TRUE(space.IsValid(child));
      int diff = 0;
      for (size_t d = 0; d < a.size(); ++d) diff += a[d] != child[d];
      ASSERT_EQ(diff, 1);
      a = child;
    }
    // Neighbours: 3 other values of each of the 3L categorical decisions, 1 of each skip bit.
    EXPECT_EQ(static_cast<int>(space.Neighbours(a).size()), 3 * 3 * layers + layers * (layers - 1) / 2);
  }
}

TEST(ZophLeSpace, DeepSpacesHaveStableIdentifiers) {
  ZophLeSpace space(15);
  Rng rng(3);
  std::set<int64_t> ids;
  for (int i = 0; i < 1000; ++i) {
    const Actions a = space.Sample(rng);
    const int64_t id = space.Ordinal(a);
    EXPECT_GE(id, 0);
    EXPECT_EQ(id, space.Ordinal(*space.Parse(space.ToString(a))));
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(ZophLeSpace, Registry) {
  auto d = CreateSpace("zoph_le_cnn");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(static_cast<ZophLeSpace*>(d->get())->layers(), 6);
  SpaceOptions o;
  o.layers = 15;
  auto s = CreateSpace("zoph_le_cnn", o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->num_decisions(), 150);
  o.layers = 40;
  auto too_deep = CreateSpace("zoph_le_cnn", o);
  ASSERT_FALSE(too_deep.ok());
  EXPECT_NE(std::string(too_deep.status().message()).find("space_params.layers"), std::string::npos);
  o.layers = 4;
  auto fixed = CreateSpace("nb201", o);
  ASSERT_FALSE(fixed.ok());
  EXPECT_NE(std::string(fixed.status().message()).find("space_params.layers"), std::string::npos);
  auto unknown = CreateSpace("zoph");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(std::string(unknown.status().message()).find("zoph_le_cnn"), std::string::npos);
}

}  // namespace
}  // namespace nas
