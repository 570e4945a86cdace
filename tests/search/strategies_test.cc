// Behaviour of individual strategies beyond the shared suite.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "nas/search/policy.h"
#include "nas/search/strategy.h"
#include "nas/space/nb201_space.h"

namespace nas {
namespace {

std::unique_ptr<Strategy> Make(const std::string& name, proto::Method m, const SearchSpace& space, uint64_t seed) {
  m.set_name(name);
  m.set_label(name);
  auto info = FindStrategy(name);
  EXPECT_TRUE((*info)->resolve(&m).ok());
  static std::vector<std::unique_ptr<proto::Method>> keep;  // the strategy holds a pointer to its method
  keep.push_back(std::make_unique<proto::Method>(m));
  auto s = (*info)->create(StrategyContext{&space, keep.back().get(), seed});
  EXPECT_TRUE(s.ok());
  return std::move(*s);
}

TEST(RegularizedEvolution, FillsPopulationThenMutatesOneEdge) {
  Nb201Space space;
  proto::Method m;
  m.mutable_evolution()->set_population_size(10);
  m.mutable_evolution()->set_tournament_size(3);
  auto s = Make("regularized_evolution", m, space, 7);
  std::vector<Actions> seen;
  for (int i = 0; i < 60; ++i) {
    Proposal p = s->Ask();
    if (i >= 10) {
      // Every child is one edge away from some earlier architecture (its parent).
      bool has_parent = false;
      for (const auto& a : seen) {
        int diff = 0;
        for (int e = 0; e < 6; ++e) diff += a[e] != p.actions[e];
        has_parent |= diff == 1;
      }
      EXPECT_TRUE(has_parent) << "child " << i;
    }
    seen.push_back(p.actions);
    s->Tell(p, static_cast<double>(space.Ordinal(p.actions) % 97));
  }
}

TEST(Nb201Mutation, PicksNodeThenEdgeAsTheAuthors) {
  Nb201Space space;
  Rng rng(3);
  std::map<int, int> edge_counts;
  const Actions parent = {1, 1, 1, 1, 1, 1};
  const int n = 30000;
  for (int i = 0; i < n; ++i) {
    Actions c = space.Mutate(parent, rng);
    int changed = -1, diff = 0;
    for (int e = 0; e < 6; ++e)
      if (c[e] != parent[e]) changed = e, ++diff;
    ASSERT_EQ(diff, 1);
    ++edge_counts[changed];
  }
  // Node 1 (edge 0) 1/3; node 2's edges 1/6 each; node 3's edges 1/9 each.
  EXPECT_NEAR(edge_counts[0] / double(n), 1.0 / 3, 0.015);
  EXPECT_NEAR(edge_counts[1] / double(n), 1.0 / 6, 0.015);
  EXPECT_NEAR(edge_counts[5] / double(n), 1.0 / 9, 0.015);
}

TEST(LocalSearch, ClimbsToTheOptimumOfAUnimodalReward) {
  Nb201Space space;
  const Actions best = {3, 2, 1, 4, 0, 3};
  auto reward = [&](const Actions& a) {
    double r = 0;
    for (int e = 0; e < 6; ++e) r += a[e] == best[e];
    return r;
  };
  for (bool first : {false, true}) {
    proto::Method m;
    m.mutable_local_search()->set_first_improvement(first);
    auto s = Make("local_search", m, space, 11);
    double top = -1;
    std::set<int64_t> evaluated;
    for (int i = 0; i < 150; ++i) {
      Proposal p = s->Ask();
      EXPECT_TRUE(evaluated.insert(space.Ordinal(p.actions)).second) << "re-evaluated an architecture";
      top = std::max(top, reward(p.actions));
      s->Tell(p, reward(p.actions));
    }
    EXPECT_EQ(top, 6.0) << "first_improvement=" << first;
  }
}

TEST(PerEdgeReinforce, LearnsTheRewardedOperation) {
  Nb201Space space;
  proto::Method m;
  m.mutable_reinforce()->set_policy(proto::ReinforceParams::PER_EDGE);
  m.mutable_reinforce()->set_learning_rate(0.05);
  m.set_name("reinforce");
  auto info = FindStrategy("reinforce");
  ASSERT_TRUE((*info)->resolve(&m).ok());
  auto policy = CreatePolicy(space, m.reinforce(), 5);
  ASSERT_TRUE(policy.ok());
  Rng rng(9);
  double ema = 0;
  for (int i = 0; i < 300; ++i) {
    PolicySample s = (*policy)->Sample(rng);
    const double r = s.actions[2] == 4 ? 1.0 : 0.0;
    ema = i == 0 ? r : 0.9 * ema + 0.1 * r;
    (*policy)->Update({s.actions}, {r - ema});
  }
  auto probs = (*policy)->GreedyProbabilities();
  EXPECT_GT(probs[2][4], 0.8);
  double sum = 0;
  for (double p : probs[0]) sum += p;
  EXPECT_NEAR(sum, 1.0, 1e-12);
}

TEST(PerEdgeReinforce, LogProbAndEntropyMatchTheDistribution) {
  Nb201Space space;
  proto::Method m;
  m.set_name("reinforce");
  m.mutable_reinforce()->set_policy(proto::ReinforceParams::PER_EDGE);
  ASSERT_TRUE((*FindStrategy("reinforce"))->resolve(&m).ok());
  auto policy = CreatePolicy(space, m.reinforce(), 1);
  Rng rng(2);
  PolicySample s = (*policy)->Sample(rng);
  // Fresh logits are ~N(0, 1e-3): nearly uniform over 5 ops on 6 edges.
  EXPECT_NEAR(s.log_prob, 6 * std::log(0.2), 1e-2);
  EXPECT_NEAR(s.entropy, 6 * std::log(5.0), 1e-4);
}

}  // namespace
}  // namespace nas
