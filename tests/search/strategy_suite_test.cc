// The shared suite every registered strategy runs (parametrised over the registry, as nevergrad's tests):
// valid proposals, determinism under a seed, sensitivity to the seed, and doing better than chance on a
// structured reward.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "nas/experiment/config.h"
#include "nas/search/strategy.h"
#include "nas/space/nb201_space.h"
#include "nas/util/rng.h"

namespace nas {
namespace {

// A smooth synthetic landscape on NB201: each edge prefers one operation; reward in percent.
double Reward(const Actions& a) {
  static const int kBest[6] = {3, 3, 2, 3, 1, 3};
  double r = 50;
  for (int e = 0; e < 6; ++e) r += (a[e] == kBest[e]) ? 7.0 : (a[e] == 0 ? -2.0 : 0.0);
  return r;
}

proto::Method Resolved(const std::string& name) {
  proto::Method m;
  m.set_name(name);
  m.set_label(name);
  auto info = FindStrategy(name);
  EXPECT_TRUE(info.ok());
  EXPECT_TRUE((*info)->resolve(&m).ok());
  return m;
}

std::vector<Proposal> Drive(const std::string& name, uint64_t seed, int steps, double* best = nullptr) {
  Nb201Space space;
  proto::Method m = Resolved(name);
  auto s = (*FindStrategy(name))->create(StrategyContext{&space, &m, seed});
  EXPECT_TRUE(s.ok()) << s.status();
  std::vector<Proposal> out;
  double b = -1;
  for (int i = 0; i < steps; ++i) {
    Proposal p = (*s)->Ask();
    EXPECT_TRUE(space.IsValid(p.actions));
    const double r = Reward(p.actions);
    b = std::max(b, r);
    (*s)->Tell(p, r);
    out.push_back(p);
  }
  if (best) *best = b;
  return out;
}

class StrategySuite : public ::testing::TestWithParam<std::string> {};

TEST_P(StrategySuite, SameSeedSameEpisodes) {
  auto a = Drive(GetParam(), 42, 150);
  auto b = Drive(GetParam(), 42, 150);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_EQ(a[i].actions, b[i].actions) << "episode " << i;
    // Bit-for-bit, not approximately.
    ASSERT_EQ(std::memcmp(&a[i].log_prob, &b[i].log_prob, sizeof(double)), 0);
    ASSERT_EQ(std::memcmp(&a[i].entropy, &b[i].entropy, sizeof(double)), 0);
  }
}

TEST_P(StrategySuite, OtherSeedOtherEpisodes) {
  auto a = Drive(GetParam(), 1, 50);
  auto b = Drive(GetParam(), 2, 50);
  int same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i].actions == b[i].actions;
  EXPECT_LT(same, 10);
}

double MeanBest(const std::string& name, int steps) {
  double total = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    double best;
    Drive(name, seed, steps, &best);
    total += best;
  }
  return total / 20;
}

TEST_P(StrategySuite, BeatsRandomSearchOnAStructuredReward) {
  // Random search is the reference every other strategy must beat when the landscape has structure
  // (mean over 20 seeds of the best reward in 300 evaluations; the optimum is 92).
  if (GetParam() == "random") GTEST_SKIP() << "random search is the reference";
  const double random = MeanBest("random", 300);
  const double mine = MeanBest(GetParam(), 300);
  EXPECT_GT(mine, random + 1.0) << GetParam() << " " << mine << " vs random " << random;
}

INSTANTIATE_TEST_SUITE_P(AllRegistered, StrategySuite, ::testing::ValuesIn(RegisteredStrategies()),
                         [](const auto& info) { return info.param; });

TEST(Registry, UnknownMethodListsKnownOnes) {
  auto r = FindStrategy("reinforcement");
  ASSERT_FALSE(r.ok());
  const std::string msg(r.status().message());
  for (const auto& n : RegisteredStrategies()) EXPECT_NE(msg.find(n), std::string::npos) << msg;
}

TEST(Registry, HasTheFourMethods) {
  std::set<std::string> names;
  for (const auto& n : RegisteredStrategies()) names.insert(n);
  for (const char* n : {"random", "regularized_evolution", "local_search", "reinforce"})
    EXPECT_TRUE(names.count(n)) << n;
}

}  // namespace
}  // namespace nas
