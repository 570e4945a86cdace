// The shared suite every registered strategy runs (parametrised over the registry, as nevergrad's tests):
// valid proposals, determinism under a seed, sensitivity to the seed, doing better than chance on a
// structured reward for the same cost, the batch protocol (AskBatch / TellResult in any order), and a clear
// failure (no crash) when a strategy cannot be built. The strategies see a benchmark with four fidelities
// (4, 12, 36, 108 epochs; search at 108): an evaluation costs its epochs, and the reward at a lower fidelity is
// lower by the same amount for every architecture.
//
// A strategy that owns its evaluator (StrategyInfo::evaluator, e.g. the weight-sharing supernet) is driven
// with that evaluator, created from the evaluator registry on a tiny `train` benchmark (NB201 cells, C=4 N=1,
// one epoch of 64 Fashion-MNIST images at 8x8): it is refused cleanly without it, gives bit-identical
// proposals and rewards for a seed, others for another seed, and keeps the batch protocol.
//
// Two binaries run this source: strategy_suite_test links the strategies that build without LibTorch (and
// the weight-sharing names), so a strategy that needs what the binary lacks must fail with one line, not
// crash; strategy_suite_torch_test (NAS_SUITE_EVERY_STRATEGY_BUILDS) links every strategy of nas-torch and
// requires each to build and be driven.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>

#include "absl/strings/str_cat.h"
#include "google/protobuf/text_format.h"
#include "nas/experiment/config.h"
#include "nas/experiment/evaluator.h"
#include "nas/search/strategy.h"
#include "nas/space/nb201_space.h"
#include "nas/train/datasets.h"
#include "nas/util/rng.h"
#include "nas/util/status.h"

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

#ifdef NAS_SUITE_EVERY_STRATEGY_BUILDS
constexpr bool kEveryStrategyBuilds = true;
#else
constexpr bool kEveryStrategyBuilds = false;
#endif

// The registered strategies that evaluate with the experiment's evaluator (`owning` false) or own one.
std::vector<std::string> Strategies(bool owning) {
  std::vector<std::string> names;
  for (const std::string& n : RegisteredStrategies())
    if ((*FindStrategy(n))->evaluator.empty() != owning) names.push_back(n);
  return names;
}

// What this binary lacks for the default-resolved method `name` (empty: it can be built here).
std::vector<std::string> Missing(const std::string& name) {
  const StrategyInfo* info = *FindStrategy(name);
  return info->missing_components ? info->missing_components(Resolved(name)) : std::vector<std::string>{};
}

#define NAS_SKIP_UNLESS_BUILT_HERE()                                                                      \
  if (const std::vector<std::string> missing = Missing(GetParam()); !missing.empty())                    \
  GTEST_SKIP() << GetParam() << " needs " << missing[0]                                                  \
               << ", which this binary lacks (strategy_suite_torch_test drives it)"

class StrategySuite : public ::testing::TestWithParam<std::string> {};

// Either it builds, or this binary lacks a component and creating it is one line naming the failure.
TEST_P(StrategySuite, BuildsOrFailsWithOneLine) {
  Nb201Space space;
  proto::Method m = Resolved(GetParam());
  auto s = (*FindStrategy(GetParam()))->create(Context(&space, &m, 1));
  const std::vector<std::string> missing = Missing(GetParam());
  if (kEveryStrategyBuilds) {
    EXPECT_TRUE(missing.empty()) << GetParam() << " needs " << missing[0];
  }
  if (missing.empty()) {
    EXPECT_TRUE(s.ok()) << GetParam() << ": " << s.status();
    return;
  }
  ASSERT_FALSE(s.ok()) << GetParam() << " builds although it needs " << missing[0];
  const std::string message(s.status().message());
  EXPECT_FALSE(message.empty());
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST_P(StrategySuite, SameSeedSameEpisodes) {
  NAS_SKIP_UNLESS_BUILT_HERE();
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
  NAS_SKIP_UNLESS_BUILT_HERE();
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
  NAS_SKIP_UNLESS_BUILT_HERE();
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
  NAS_SKIP_UNLESS_BUILT_HERE();
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
  NAS_SKIP_UNLESS_BUILT_HERE();
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

INSTANTIATE_TEST_SUITE_P(AllRegistered, StrategySuite, ::testing::ValuesIn(Strategies(/*owning=*/false)),
                         [](const auto& info) { return info.param; });

// ---- Strategies that own their evaluator ----

// The tiny `train` benchmark an owned evaluator builds on: NB201 cells, C=4 N=1, one epoch of 64 Fashion-MNIST
// images at 8x8 in minibatches of 32.
proto::Benchmark TinyTrainBenchmark() {
  proto::Benchmark b;
  NAS_CHECK(google::protobuf::TextFormat::ParseFromString(
      "space: \"nb201\" dataset: \"fashion-mnist-8px\" train { data { name: \"fashion-mnist\" train_size: 64 "
      "valid_size: 64 test_size: 64 image_size: 8 split_seed: 0 } network { channels: 4 cells_per_stage: 1 } "
      "epochs: 1 batch_size: 32 threads: 1 }",
      &b));
  return b;
}

bool FashionMnistThere() {
  return std::ifstream(std::string(kDebianFashionMnistDir) + "/train-images-idx3-ubyte.gz").good();
}

struct OwnedRun {
  std::vector<Proposal> proposals;  // in the order they were told
  std::vector<double> rewards;
};

// A run of `name` with its own evaluator (seeded from `seed`): up to `k` proposals pending, the newest told
// first, every reward the evaluator's at the proposal's fidelity; `sequential`: Ask() / Tell() instead. Ends
// after `count` rewards or when the strategy has no proposal and none is pending (its schedule is over).
absl::StatusOr<OwnedRun> DriveOwned(const std::string& name, uint64_t seed, int count, int k, bool sequential) {
  Nb201Space space;
  const proto::Method m = Resolved(name);
  const proto::Benchmark benchmark = TinyTrainBenchmark();
  NAS_ASSIGN_OR_RETURN(const EvaluatorInfo* info, FindEvaluator((*FindStrategy(name))->evaluator));
  EvaluatorContext ec;
  ec.benchmark = &benchmark;
  ec.space = &space;
  ec.method = &m;
  ec.seed = DeriveSeed(seed, 0, "evaluator/suite");
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<Evaluator> evaluator, info->create(ec));
  StrategyContext c{&space, &m, seed};
  c.fidelity_epochs = evaluator->fidelity_epochs();
  c.search_fidelity = evaluator->search_fidelity();
  c.evaluator = evaluator.get();
  NAS_ASSIGN_OR_RETURN(std::unique_ptr<Strategy> s, (*FindStrategy(name))->create(c));
  Rng rng(DeriveSeed(seed, 0, "suite/evaluation"));
  OwnedRun run;
  std::vector<Proposal> pending;
  std::set<int64_t> ids;
  auto check = [&](const Proposal& p) -> absl::Status {
    if (!space.IsValid(p.actions)) return absl::InternalError("an invalid architecture was proposed");
    if (!ids.insert(p.id).second) return absl::InternalError(absl::StrCat("proposal id ", p.id, " twice"));
    if (p.fidelity != kDefaultFidelity &&
        (p.fidelity < 0 || p.fidelity >= static_cast<int>(evaluator->fidelity_epochs().size())))
      return absl::InternalError(absl::StrCat("fidelity ", p.fidelity, " is not one of the evaluator's"));
    return absl::OkStatus();
  };
  while (static_cast<int>(run.rewards.size()) < count) {
    if (sequential) {
      pending.push_back(s->Ask());
      NAS_RETURN_IF_ERROR(check(pending.back()));
    } else if (static_cast<int>(pending.size()) < k) {
      for (Proposal& p : s->AskBatch(k - static_cast<int>(pending.size()))) {
        NAS_RETURN_IF_ERROR(check(p));
        pending.push_back(std::move(p));
      }
    }
    if (pending.empty()) break;  // the schedule is over
    const Proposal p = pending.back();
    pending.pop_back();
    NAS_ASSIGN_OR_RETURN(Evaluation e, evaluator->EvaluateAt(p.actions, p.fidelity, rng));
    if (!std::isfinite(e.valid_acc)) return absl::InternalError("a non-finite reward");
    if (sequential)
      s->Tell(p, e.valid_acc);
    else
      s->TellResult(p.id, e.valid_acc);
    run.proposals.push_back(p);
    run.rewards.push_back(e.valid_acc);
  }
  return run;
}

class OwnedEvaluatorSuite : public ::testing::TestWithParam<std::string> {
 protected:
  // Skips (naming why) when this binary or machine cannot run the strategy with its evaluator.
  bool CanDrive() {
    const std::string& evaluator = (*FindStrategy(GetParam()))->evaluator;
    if (!FindEvaluator(evaluator).ok()) {
      EXPECT_FALSE(kEveryStrategyBuilds) << GetParam() << "'s evaluator \"" << evaluator << "\" is not linked";
      return false;
    }
    return FashionMnistThere();
  }
};

#define NAS_SKIP_UNLESS_DRIVABLE()                                                                           \
  if (!CanDrive())                                                                                         \
  GTEST_SKIP() << GetParam() << ": needs its evaluator \"" << (*FindStrategy(GetParam()))->evaluator        \
               << "\" (strategy_suite_torch_test) and " << kDebianFashionMnistDir                           \
               << "/train-images-idx3-ubyte.gz (Debian's dataset-fashion-mnist)"

// Without its evaluator (a runner that did not create it, or a binary without it) creating the strategy is a
// clear error, never a crash.
TEST_P(OwnedEvaluatorSuite, RefusedWithoutItsEvaluator) {
  Nb201Space space;
  proto::Method m = Resolved(GetParam());
  auto s = (*FindStrategy(GetParam()))->create(Context(&space, &m, 1));
  ASSERT_FALSE(s.ok()) << GetParam() << " built without its evaluator";
  const std::string message(s.status().message());
  EXPECT_FALSE(message.empty());
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST_P(OwnedEvaluatorSuite, SameSeedSameRunOtherSeedOtherRun) {
  NAS_SKIP_UNLESS_DRIVABLE();
  auto a = DriveOwned(GetParam(), 5, 24, 1, false), b = DriveOwned(GetParam(), 5, 24, 1, false),
       c = DriveOwned(GetParam(), 6, 24, 1, false);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_GT(a->proposals.size(), 1u);
  ASSERT_EQ(a->proposals.size(), b->proposals.size());
  int same = 0;
  for (size_t i = 0; i < a->proposals.size(); ++i) {
    ASSERT_EQ(a->proposals[i].actions, b->proposals[i].actions) << "proposal " << i;
    ASSERT_EQ(a->proposals[i].fidelity, b->proposals[i].fidelity) << "proposal " << i;
    ASSERT_EQ(std::memcmp(&a->proposals[i].log_prob, &b->proposals[i].log_prob, sizeof(double)), 0) << i;
    ASSERT_EQ(std::memcmp(&a->rewards[i], &b->rewards[i], sizeof(double)), 0) << "reward " << i;
    if (i < c->proposals.size()) same += a->proposals[i].actions == c->proposals[i].actions;
  }
  EXPECT_LT(same, static_cast<int>(a->proposals.size()) / 2) << "seed 6 repeats seed 5's proposals";
}

// Up to four pending, the newest told first: valid proposals, unique ids, rewards from the evaluator; and
// AskBatch(1) / TellResult is the sequential Ask() / Tell().
TEST_P(OwnedEvaluatorSuite, BatchProtocol) {
  NAS_SKIP_UNLESS_DRIVABLE();
  auto batched = DriveOwned(GetParam(), 7, 24, 4, false);
  ASSERT_TRUE(batched.ok()) << batched.status();
  EXPECT_GT(batched->rewards.size(), 1u);
  auto one = DriveOwned(GetParam(), 8, 12, 1, false), seq = DriveOwned(GetParam(), 8, 12, 1, true);
  ASSERT_TRUE(one.ok()) << one.status();
  ASSERT_TRUE(seq.ok()) << seq.status();
  ASSERT_EQ(one->proposals.size(), seq->proposals.size());
  for (size_t i = 0; i < one->proposals.size(); ++i) {
    ASSERT_EQ(one->proposals[i].actions, seq->proposals[i].actions) << "proposal " << i;
    ASSERT_EQ(std::memcmp(&one->rewards[i], &seq->rewards[i], sizeof(double)), 0) << "reward " << i;
  }
}

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OwnedEvaluatorSuite);
INSTANTIATE_TEST_SUITE_P(AllRegistered, OwnedEvaluatorSuite, ::testing::ValuesIn(Strategies(/*owning=*/true)),
                         [](const auto& info) { return info.param; });

TEST(Registry, EveryStrategyOfThisBinaryIsDriven) {
  if (!kEveryStrategyBuilds) GTEST_SKIP() << "strategy_suite_torch_test checks the full set";
  EXPECT_FALSE(Strategies(/*owning=*/true).empty()) << "no strategy that owns its evaluator is linked";
  for (const std::string& name : RegisteredStrategies()) {
    EXPECT_TRUE(Missing(name).empty()) << name;
    const std::string& evaluator = (*FindStrategy(name))->evaluator;
    if (!evaluator.empty()) {
      EXPECT_TRUE(FindEvaluator(evaluator).ok()) << name << " owns \"" << evaluator << "\"";
    }
  }
}

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
