// The suite every registered child network runs (parametrised over nas/train/child_network.h's registry): for
// architectures sampled from its space, the network builds, a forward pass of a batch gives [batch, classes]
// finite logits on 1- and 3-channel images, the parameter count is the module's, the FLOP count is positive,
// InitWeights is deterministic for a seed (two builds give bit-identical logits and weights hashes) and
// another seed gives other weights, and TrainChild trains it bit-identically on a synthetic dataset. A space
// without a registered network is refused with one line listing those that have one.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <torch/torch.h>

#include "nas/space/space.h"
#include "nas/train/child_network.h"
#include "nas/train/datasets.h"
#include "nas/train/network.h"
#include "nas/train/train_util.h"
#include "nas/train/trainer.h"
#include "nas/util/rng.h"
#include "nas/util/status.h"

namespace nas {
namespace {

proto::NetworkSpec SmallNetwork() {
  proto::NetworkSpec n;
  n.set_channels(4);
  n.set_cells_per_stage(1);
  n.set_bn_momentum(0.1);
  return n;
}

// A batch of `n` images drawn from Rng(seed), values in [-1, 1).
torch::Tensor Images(int64_t n, const ChildInput& input, uint64_t seed) {
  Rng rng(seed);
  std::vector<float> v(n * input.channels * input.image_size * input.image_size);
  for (float& x : v) x = static_cast<float>(2 * rng.Uniform01() - 1);
  return torch::from_blob(v.data(), {n, input.channels, input.image_size, input.image_size}, torch::kFloat).clone();
}

std::unique_ptr<ChildNetwork> Build(const SearchSpace& space, const Actions& arch, const ChildInput& input,
                                    uint64_t seed) {
  auto net = BuildChildNetwork(space, arch, SmallNetwork(), input);
  NAS_CHECK(net.ok());
  (*net)->InitWeights(seed);
  (*net)->module().eval();
  return std::move(*net);
}

class ChildNetworkSuite : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    auto space = CreateSpace(GetParam());
    ASSERT_TRUE(space.ok()) << GetParam() << " has a child network but no space: " << space.status();
    space_ = std::move(*space);
  }
  std::unique_ptr<SearchSpace> space_;
};

TEST_P(ChildNetworkSuite, BuildsAndForwardHasTheRightShape) {
  ASSERT_TRUE(FindChildNetwork(GetParam()).ok());
  EXPECT_FALSE((*FindChildNetwork(GetParam()))->description.empty());
  Rng rng(DeriveSeed(1, 0, "child-network-suite/arch"));
  for (const ChildInput input : {ChildInput{1, 12, 10}, ChildInput{3, 8, 7}}) {
    for (int i = 0; i < 4; ++i) {
      const Actions arch = space_->Sample(rng);
      auto net = Build(*space_, arch, input, 5);
      torch::NoGradGuard no_grad;
      const torch::Tensor logits = net->forward(Images(6, input, 9));
      ASSERT_EQ(logits.dim(), 2) << space_->ToString(arch);
      EXPECT_EQ(logits.size(0), 6) << space_->ToString(arch);
      EXPECT_EQ(logits.size(1), input.num_classes) << space_->ToString(arch);
      EXPECT_TRUE(torch::isfinite(logits).all().item<bool>()) << space_->ToString(arch);
      EXPECT_GT(net->NumParams(), 0);
      EXPECT_EQ(net->NumParams(), CountParameters(net->module())) << space_->ToString(arch);
      EXPECT_GT(net->Flops(), 0) << space_->ToString(arch);
    }
  }
}

TEST_P(ChildNetworkSuite, DeterministicForASeed) {
  Rng rng(DeriveSeed(2, 0, "child-network-suite/arch"));
  const ChildInput input{1, 12, 10};
  const torch::Tensor x = Images(5, input, 11);
  for (int i = 0; i < 3; ++i) {
    const Actions arch = space_->Sample(rng);
    auto a = Build(*space_, arch, input, 21), b = Build(*space_, arch, input, 21), c = Build(*space_, arch, input, 22);
    EXPECT_EQ(WeightsSha256(a->module()), WeightsSha256(b->module())) << space_->ToString(arch);
    EXPECT_NE(WeightsSha256(a->module()), WeightsSha256(c->module())) << space_->ToString(arch);
    torch::NoGradGuard no_grad;
    EXPECT_TRUE(torch::equal(a->forward(x), b->forward(x))) << space_->ToString(arch);
  }
}

TEST_P(ChildNetworkSuite, TrainChildIsBitIdentical) {
  proto::TrainSpec spec;
  spec.mutable_data()->set_name("cifar10");
  spec.mutable_data()->set_path("/synthetic");
  spec.mutable_data()->set_train_size(96);
  spec.mutable_data()->set_valid_size(32);
  spec.mutable_data()->set_test_size(32);
  spec.mutable_data()->set_image_size(8);
  *spec.mutable_network() = SmallNetwork();
  spec.set_epochs(1);
  spec.set_batch_size(32);
  ASSERT_TRUE(ResolveTrainSpec(&spec).ok());
  ASSERT_TRUE(CheckTrainable(*space_, spec).ok());
  RawImages train, test;
  for (RawImages* raw : {&train, &test}) {
    raw->count = raw == &train ? 160 : 40;
    raw->channels = 3;
    raw->height = raw->width = 8;
    for (int64_t i = 0; i < raw->count; ++i) {
      const int label = static_cast<int>((i * 7) % 10);
      raw->labels.push_back(label);
      for (int k = 0; k < 3 * 64; ++k) raw->pixels.push_back(static_cast<uint8_t>((k * (label + 3) + i) % 256));
    }
  }
  auto data = MakeDataset(spec.data(), train, test, 10);
  ASSERT_TRUE(data.ok()) << data.status();
  Rng rng(DeriveSeed(3, 0, "child-network-suite/arch"));
  const Actions arch = space_->Sample(rng);
  auto a = TrainChild(*space_, arch, spec, **data, 4), b = TrainChild(*space_, arch, spec, **data, 4);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(a->epochs.size(), 1u);
  EXPECT_TRUE(std::isfinite(a->epochs[0].train_loss));
  EXPECT_EQ(a->epochs[0].valid_acc, b->epochs[0].valid_acc);
  EXPECT_EQ(a->weights_sha256, b->weights_sha256);
  EXPECT_GT(a->params_m, 0);
}

INSTANTIATE_TEST_SUITE_P(Registered, ChildNetworkSuite, ::testing::ValuesIn(ChildNetworkSpaces()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(ChildNetworkRegistry, EveryRegisteredSpaceIsOneAndUnknownSpacesAreOneLine) {
  EXPECT_FALSE(ChildNetworkSpaces().empty());
  for (const std::string& name : ChildNetworkSpaces()) EXPECT_TRUE(CreateSpace(name).ok()) << name;
  auto missing = FindChildNetwork("nb101");
  ASSERT_FALSE(missing.ok());
  const std::string message(missing.status().message());
  for (const std::string& name : ChildNetworkSpaces()) EXPECT_NE(message.find(name), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace nas
