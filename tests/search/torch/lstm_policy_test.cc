#include "nas/search/torch/lstm_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "nas/search/policy.h"
#include "nas/search/reinforce.h"
#include "nas/space/nb201_space.h"
#include "nas/util/rng.h"

namespace nas {
namespace {

// Zoph & Le's settings are the reinforce strategy's LSTM defaults.
proto::ReinforceParams ZophLeParams() { return DefaultReinforceParams(proto::ReinforceParams::LSTM); }

// Decisions with 2, 3 and 4 choices: exercises the per-decision heads and embedding offsets.
class UnevenSpace : public SearchSpace {
 public:
  std::string name() const override { return "uneven"; }
  int num_decisions() const override { return 3; }
  int num_choices(int decision) const override { return decision + 2; }
  std::string decision_name(int decision) const override { return "d" + std::to_string(decision); }
  std::string choice_name(int, int choice) const override { return std::to_string(choice); }
  std::string ToString(const Actions& a) const override {
    std::string s;
    for (int x : a) s += std::to_string(x);
    return s;
  }
  absl::StatusOr<Actions> Parse(absl::string_view text) const override {
    Actions a;
    for (char ch : text) a.push_back(ch - '0');
    return a;
  }
  std::string CanonicalKey(const Actions& a) const override { return ToString(a); }
};

double Reward(const Actions& a) { return (a[0] == 3 ? 1.0 : 0.0) + 0.25 * (a[5] == 1); }

TEST(LstmPolicy, IsRegisteredForLstm) {
  Nb201Space space;
  auto policy = CreatePolicy(space, ZophLeParams(), 1);
  ASSERT_TRUE(policy.ok()) << policy.status();
  EXPECT_NE(dynamic_cast<LstmPolicy*>(policy->get()), nullptr);
}

TEST(LstmPolicy, InitialWeightsComeFromInitSeed) {
  Nb201Space space;
  const proto::ReinforceParams params = ZophLeParams();
  LstmPolicy a(space, params, 7), b(space, params, 7), c(space, params, 8);
  const std::vector<float> wa = a.Weights();
  EXPECT_EQ(wa, b.Weights());
  EXPECT_NE(wa, c.Weights());
  // 2 layers of (2 * 140 * 35 + 2 * 140), 1 + 5 * 5 embedding rows, a 30 x 35 head and its bias.
  EXPECT_EQ(wa.size(), 2u * (2 * 140 * 35 + 2 * 140) + 26 * 35 + 30 * 35 + 30);
  for (float w : wa) {
    ASSERT_LE(std::fabs(w), 0.08f);
  }
}

// Same init seed, same Rng seed: bit-identical samples, log-probs, entropies and weights, through updates with
// batches of 1 and 3 and an entropy bonus.
TEST(LstmPolicy, DeterministicGivenSeeds) {
  Nb201Space space;
  proto::ReinforceParams params = ZophLeParams();
  params.set_entropy_weight(0.01);
  LstmPolicy p1(space, params, 42), p2(space, params, 42);
  Rng r1(DeriveSeed(1, 0, "test")), r2(DeriveSeed(1, 0, "test"));
  for (int step = 0; step < 8; ++step) {
    const int batch_size = step % 2 == 0 ? 1 : 3;
    std::vector<Actions> batch;
    std::vector<double> advantages;
    for (int b = 0; b < batch_size; ++b) {
      const PolicySample s1 = p1.Sample(r1), s2 = p2.Sample(r2);
      ASSERT_EQ(s1.actions, s2.actions);
      ASSERT_EQ(s1.log_prob, s2.log_prob);
      ASSERT_EQ(s1.entropy, s2.entropy);
      batch.push_back(s1.actions);
      advantages.push_back(Reward(s1.actions) - 0.3);
    }
    p1.Update(batch, advantages);
    p2.Update(batch, advantages);
    ASSERT_EQ(p1.Weights(), p2.Weights()) << "step " << step;
  }
  EXPECT_EQ(p1.GreedyProbabilities(), p2.GreedyProbabilities());
  LstmPolicy fresh(space, params, 42);
  EXPECT_NE(p1.Weights(), fresh.Weights());
}

// The C++ stepping used by Sample and the LibTorch graph used by Update give the same log-prob and entropy.
TEST(LstmPolicy, SampleLogProbMatchesRecomputed) {
  Nb201Space space;
  LstmPolicy policy(space, ZophLeParams(), 3);
  Rng rng(11);
  for (int step = 0; step < 30; ++step) {
    const PolicySample s = policy.Sample(rng);
    const auto eval = policy.Evaluate({s.actions});
    EXPECT_NEAR(s.log_prob, eval[0].first, 1e-5);
    EXPECT_NEAR(s.entropy, eval[0].second, 1e-5);
    EXPECT_LT(s.log_prob, 0.0);
    policy.Update({s.actions}, {Reward(s.actions) - 0.2});
  }
}

TEST(LstmPolicy, UnevenSpaceIsANormalisedDistribution) {
  UnevenSpace space;
  LstmPolicy policy(space, ZophLeParams(), 5);
  Rng rng(2);
  for (int step = 0; step < 20; ++step) {
    const PolicySample s = policy.Sample(rng);
    ASSERT_EQ(s.actions.size(), 3u);
    for (int t = 0; t < 3; ++t) ASSERT_LT(s.actions[t], t + 2);
    EXPECT_NEAR(s.log_prob, policy.Evaluate({s.actions})[0].first, 1e-5);
    policy.Update({s.actions}, {s.actions[2] == 3 ? 1.0 : -0.3});
  }
  // Summed over all 24 sequences, the teacher-forced probabilities total 1.
  std::vector<Actions> all;
  for (int64_t i = 0; i < space.size(); ++i) all.push_back(space.FromOrdinal(i));
  double total = 0.0;
  for (const auto& [lp, entropy] : policy.Evaluate(all)) total += std::exp(lp);
  EXPECT_NEAR(total, 1.0, 1e-5);
  const auto probs = policy.GreedyProbabilities();
  ASSERT_EQ(probs.size(), 3u);
  for (int t = 0; t < 3; ++t) {
    ASSERT_EQ(static_cast<int>(probs[t].size()), t + 2);
    double sum = 0.0;
    for (double p : probs[t]) sum += p;
    EXPECT_NEAR(sum, 1.0, 1e-9);
  }
}

TEST(LstmPolicy, GreedyProbabilitiesSumToOne) {
  Nb201Space space;
  LstmPolicy policy(space, ZophLeParams(), 9);
  const auto probs = policy.GreedyProbabilities();
  ASSERT_EQ(probs.size(), 6u);
  for (const auto& head : probs) {
    ASSERT_EQ(head.size(), 5u);
    double sum = 0.0;
    for (double p : head) {
      EXPECT_GT(p, 0.0);
      sum += p;
    }
    EXPECT_NEAR(sum, 1.0, 1e-9);
    // Small initial weights: close to uniform.
    for (double p : head) EXPECT_NEAR(p, 0.2, 0.05);
  }
}

// Update's hand-written backward pass equals LibTorch autograd through at::lstm (batch of 3, entropy bonus,
// after some updates, on a space with uneven heads and on NB201).
void ExpectGradientsAgree(const SearchSpace& space) {
  proto::ReinforceParams params = ZophLeParams();
  params.set_learning_rate(0.01);
  params.set_entropy_weight(0.1);
  LstmPolicy policy(space, params, 21);
  Rng rng(5);
  for (int step = 0; step < 6; ++step) {
    std::vector<Actions> batch;
    std::vector<double> advantages;
    for (int b = 0; b < 3; ++b) {
      batch.push_back(policy.Sample(rng).actions);
      advantages.push_back(b == 1 ? -0.7 : 0.4 + 0.1 * step);
    }
    const std::vector<float> manual = policy.Gradient(batch, advantages, /*use_autograd=*/false);
    const std::vector<float> reference = policy.Gradient(batch, advantages, /*use_autograd=*/true);
    ASSERT_EQ(manual.size(), reference.size());
    double scale = 0.0, nonzero = 0;
    for (float g : reference) {
      scale = std::max(scale, std::fabs(static_cast<double>(g)));
      nonzero += g != 0.0f;
    }
    ASSERT_GT(scale, 1e-4);
    EXPECT_GT(nonzero, 0.5 * reference.size());
    for (size_t i = 0; i < manual.size(); ++i)
      ASSERT_NEAR(manual[i], reference[i], 1e-4 * scale + 1e-8) << "weight " << i << " step " << step;
    policy.Update(batch, advantages);
  }
}

TEST(LstmPolicy, BackwardMatchesAutogradNb201) { ExpectGradientsAgree(Nb201Space()); }
TEST(LstmPolicy, BackwardMatchesAutogradUneven) { ExpectGradientsAgree(UnevenSpace()); }

// A positive advantage raises the sequence's log-probability; a negative one lowers it.
TEST(LstmPolicy, UpdateFollowsTheAdvantage) {
  Nb201Space space;
  const Actions arch = {3, 1, 4, 0, 2, 3};
  for (double advantage : {1.0, -1.0}) {
    LstmPolicy policy(space, ZophLeParams(), 4);
    const double before = policy.Evaluate({arch})[0].first;
    for (int i = 0; i < 3; ++i) policy.Update({arch}, {advantage});
    const double after = policy.Evaluate({arch})[0].first;
    if (advantage > 0) {
      EXPECT_GT(after, before + 1e-3);
    } else {
      EXPECT_LT(after, before - 1e-3);
    }
  }
}

// The entropy bonus counteracts the collapse that a repeated positive advantage causes.
TEST(LstmPolicy, EntropyBonusKeepsEntropyHigher) {
  Nb201Space space;
  const Actions arch = {3, 3, 3, 3, 3, 3};
  std::vector<double> entropies;
  for (double entropy_weight : {0.0, 0.5}) {
    proto::ReinforceParams params = ZophLeParams();
    params.set_learning_rate(0.01);
    params.set_entropy_weight(entropy_weight);
    LstmPolicy policy(space, params, 4);
    for (int i = 0; i < 30; ++i) policy.Update({arch}, {1.0});
    entropies.push_back(policy.Evaluate({arch})[0].second);
  }
  EXPECT_LT(entropies[0], 6 * std::log(5.0) - 1.0);  // the advantage alone lowers it...
  EXPECT_GT(entropies[1], entropies[0] + 0.5);       // ...and the bonus holds it up
}

// REINFORCE on a toy reward: 1 when decision 0 picks choice 3 (nor_conv_3x3), else 0; baseline = running mean.
TEST(LstmPolicy, LearnsToyReward) {
  Nb201Space space;
  proto::ReinforceParams params = ZophLeParams();
  params.set_learning_rate(0.01);
  LstmPolicy policy(space, params, 123);
  Rng rng(DeriveSeed(123, 0, "strategy/reinforce"));
  const double initial = policy.GreedyProbabilities()[0][3];
  EXPECT_NEAR(initial, 0.2, 0.05);
  double baseline = 0.0;
  int hits_last_100 = 0;
  const int kSteps = 300;
  for (int step = 0; step < kSteps; ++step) {
    const PolicySample s = policy.Sample(rng);
    const double reward = s.actions[0] == 3 ? 1.0 : 0.0;
    if (step >= kSteps - 100) hits_last_100 += s.actions[0] == 3;
    baseline += (reward - baseline) / (step + 1);
    policy.Update({s.actions}, {reward - baseline});
  }
  const double learned = policy.GreedyProbabilities()[0][3];
  std::printf("P(choice 3 at decision 0): %.3f -> %.3f; hits in the last 100 episodes: %d\n", initial, learned,
              hits_last_100);
  EXPECT_GT(learned, 0.6) << "P(choice 3 at decision 0) went from " << initial;
  EXPECT_GT(hits_last_100, 50);
}

}  // namespace
}  // namespace nas
