// The shared suite every registered strategy runs (parametrised over the registry, as nevergrad's tests):
// valid proposals, determinism under a seed, sensitivity to the seed, doing better than chance on a
// structured reward for the same cost, the batch protocol (AskBatch / TellResult in any order), and a clear
// failure (no crash) when a strategy cannot be built. The strategies see a benchmark with four fidelities
// (4, 12, 36, 108 epochs; search at 108): an evaluation costs its epochs, and the reward at a lower fidelity is
// lower by the same amount for every architecture.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
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

const std::vector<int> kEpochs = {4, 12, 36, 108};
constexpr int kTop = 3;

double RewardAt(const Actions& a, int fidelity) {
  const int f = fidelity == kDefaultFidelity ? kTop : fidelity;
  return Reward(a) - 2.0 * (kTop - f);
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

StrategyContext Context(const SearchSpace* space, const proto::Method* m, uint64_t seed) {
  StrategyContext c{space, m, seed};
  c.fidelity_epochs = kEpochs;
  c.search_fidelity = kTop;
  return c;
}

// Sequentially until `budget` top-fidelity evaluations' worth of epochs is spent; `best`: the best reward at
// the top fidelity.
std::vector<Proposal> Drive(const std::string& name, uint64_t seed, int budget, double* best = nullptr) {
  Nb201Space space;
  proto::Method m = Resolved(name);
  auto s = (*FindStrategy(name))->create(Context(&space, &m, seed));
  if (!s.ok()) {
    ADD_FAILURE() << name << ": " << s.status();
    return {};
  }
  std::vector<Proposal> out;
  double b = -1e9;
  int64_t spent = 0;
  while (spent < int64_t{budget} * kEpochs[kTop]) {
    Proposal p = (*s)->Ask();
    EXPECT_TRUE(space.IsValid(p.actions));
    EXPECT_TRUE(p.fidelity == kDefaultFidelity || (p.fidelity >= 0 && p.fidelity <= kTop)) << p.fidelity;
    const int f = p.fidelity == kDefaultFidelity ? kTop : p.fidelity;
    spent += kEpochs[f];
    const double r = RewardAt(p.actions, p.fidelity);
    if (f == kTop) b = std::max(b, r);
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
    ASSERT_EQ(a[i].fidelity, b[i].fidelity) << "episode " << i;
    // Bit-for-bit, not approximately.
    ASSERT_EQ(std::memcmp(&a[i].log_prob, &b[i].log_prob, sizeof(double)), 0);
    ASSERT_EQ(std::memcmp(&a[i].entropy, &b[i].entropy, sizeof(double)), 0);
  }
}

TEST_P(StrategySuite, OtherSeedOtherEpisodes) {
  auto a = Drive(GetParam(), 1, 50);
  auto b = Drive(GetParam(), 2, 50);
  int same = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) same += a[i].actions == b[i].actions;
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
  // (mean over 20 seeds of the best top-fidelity reward for the cost of 300 top-fidelity evaluations; the
  // optimum is 92).
  if (GetParam() == "random") GTEST_SKIP() << "random search is the reference";
  const double random = MeanBest("random", 300);
  const double mine = MeanBest(GetParam(), 300);
  EXPECT_GT(mine, random + 1.0) << GetParam() << " " << mine << " vs random " << random;
}

// The batch protocol: up to k proposals pending together, results told in any order (here: newest first),
// never no proposal while none is pending; k = 1 with each result told at once is the sequential protocol.
TEST_P(StrategySuite, BatchesOfPendingProposals) {
  Nb201Space space;
  proto::Method m = Resolved(GetParam());
  auto s = (*FindStrategy(GetParam()))->create(Context(&space, &m, 7));
  ASSERT_TRUE(s.ok()) << s.status();
  std::vector<Proposal> pending;
  std::set<int64_t> ids;
  int told = 0;
  for (int round = 0; round < 60 && told < 200; ++round) {
    const int k = 4 - static_cast<int>(pending.size());
    if (k > 0) {
      std::vector<Proposal> got = (*s)->AskBatch(k);
      ASSERT_LE(static_cast<int>(got.size()), k);
      ASSERT_TRUE(!got.empty() || !pending.empty()) << "no proposal while none is pending";
      for (Proposal& p : got) {
        ASSERT_TRUE(space.IsValid(p.actions));
        ASSERT_TRUE(ids.insert(p.id).second) << "proposal id " << p.id << " twice";
        pending.push_back(std::move(p));
      }
    }
    // Tell the newest half (at least one) in reverse order.
    const size_t tell = std::max<size_t>(1, pending.size() / 2);
    for (size_t i = 0; i < tell; ++i, ++told) {
      const Proposal p = pending.back();
      pending.pop_back();
      (*s)->TellResult(p.id, RewardAt(p.actions, p.fidelity));
    }
  }
  EXPECT_GE(told, 60);

  // k = 1, told at once: the sequential proposals.
  auto seq = Drive(GetParam(), 11, 20);
  auto b = (*FindStrategy(GetParam()))->create(Context(&space, &m, 11));
  ASSERT_TRUE(b.ok()) << b.status();
  for (size_t i = 0; i < seq.size(); ++i) {
    std::vector<Proposal> one = (*b)->AskBatch(1);
    ASSERT_EQ(one.size(), 1u) << "proposal " << i;
    ASSERT_EQ(one[0].actions, seq[i].actions) << "proposal " << i;
    ASSERT_EQ(one[0].fidelity, seq[i].fidelity) << "proposal " << i;
    (*b)->TellResult(one[0].id, RewardAt(one[0].actions, one[0].fidelity));
  }
}

// A benchmark with one fidelity: single-fidelity strategies build; multi-fidelity ones refuse with a message
// naming the fidelities, never crash.
TEST_P(StrategySuite, BuildsOrRefusesClearlyWithOneFidelity) {
  Nb201Space space;
  proto::Method m = Resolved(GetParam());
  StrategyContext c{&space, &m, 3};
  c.fidelity_epochs = {200};
  c.search_fidelity = 0;
  auto s = (*FindStrategy(GetParam()))->create(c);
  if (!s.ok()) {
    EXPECT_NE(std::string(s.status().message()).find("fidelities"), std::string::npos) << s.status();
    return;
  }
  Proposal p = (*s)->Ask();
  EXPECT_TRUE(space.IsValid(p.actions));
  EXPECT_TRUE(p.fidelity == kDefaultFidelity || p.fidelity == 0);
}

INSTANTIATE_TEST_SUITE_P(AllRegistered, StrategySuite, ::testing::ValuesIn(RegisteredStrategies()),
                         [](const auto& info) { return info.param; });

TEST(Registry, UnknownMethodListsKnownOnes) {
  auto r = FindStrategy("reinforcement");
  ASSERT_FALSE(r.ok());
  const std::string msg(r.status().message());
  for (const auto& n : RegisteredStrategies()) EXPECT_NE(msg.find(n), std::string::npos) << msg;
}

TEST(Registry, HasTheSevenMethods) {
  std::set<std::string> names;
  for (const auto& n : RegisteredStrategies()) names.insert(n);
  for (const char* n : {"random", "regularized_evolution", "local_search", "reinforce", "successive_halving",
                        "hyperband", "asha"})
    EXPECT_TRUE(names.count(n)) << n;
}

}  // namespace
}  // namespace nas
