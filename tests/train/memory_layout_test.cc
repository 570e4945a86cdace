// NetworkSpec.memory_layout: its resolution (an absent field stays absent and means what channels_last says),
// its bad values, and training in each layout on real Fashion-MNIST (one input channel, where CHANNELS_LAST and
// CHANNELS_LAST_LEGACY differ): bit-identical from run to run, and each spelling of a layout trains the same.
// NetworkSpec.cell_kernels likewise: ATEN is the absent field, SHARED_RELU bit-identical run to run and another
// rounding of the same net.
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "nas/space/nb201_space.h"
#include "nas/train/datasets.h"
#include "nas/train/trainer.h"
#include "nas/util/status.h"
#include "nas/util/text_proto.h"

namespace nas {
namespace {

using ::testing::HasSubstr;
using Layout = proto::NetworkSpec;

const char kArch[] = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|";

proto::TrainSpec FashionSpec() {
  proto::TrainSpec spec;
  spec.mutable_data()->set_name("fashion-mnist");
  spec.mutable_data()->set_train_size(300);
  spec.mutable_data()->set_valid_size(100);
  spec.mutable_data()->set_test_size(100);
  spec.mutable_data()->set_image_size(12);
  spec.mutable_network()->set_channels(4);
  spec.mutable_network()->set_cells_per_stage(1);
  spec.set_epochs(2);
  spec.set_batch_size(64);
  spec.set_nesterov(true);
  return spec;
}

std::string Text(const proto::TrainSpec& spec) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(spec, &text);
  return text;
}

TEST(MemoryLayoutTest, AnAbsentFieldStaysAbsentAndChannelsLastDecides) {
  proto::TrainSpec spec = FashionSpec();
  ASSERT_TRUE(ResolveTrainSpec(&spec).ok());
  EXPECT_EQ(spec.network().memory_layout(), Layout::MEMORY_LAYOUT_UNSPECIFIED);
  EXPECT_THAT(Text(spec), ::testing::Not(HasSubstr("memory_layout")));
  EXPECT_EQ(EffectiveMemoryLayout(spec.network()), Layout::NCHW);

  proto::TrainSpec cl = FashionSpec();
  cl.mutable_network()->set_channels_last(true);
  ASSERT_TRUE(ResolveTrainSpec(&cl).ok());
  EXPECT_THAT(Text(cl), ::testing::Not(HasSubstr("memory_layout")));
  EXPECT_EQ(EffectiveMemoryLayout(cl.network()), Layout::CHANNELS_LAST_LEGACY);

  for (Layout::MemoryLayout l : {Layout::NCHW, Layout::CHANNELS_LAST_LEGACY, Layout::CHANNELS_LAST}) {
    proto::TrainSpec s = FashionSpec();
    s.mutable_network()->set_memory_layout(l);
    ASSERT_TRUE(ResolveTrainSpec(&s).ok());
    EXPECT_EQ(EffectiveMemoryLayout(s.network()), l);
    EXPECT_THAT(Text(s), HasSubstr("memory_layout: " + Layout::MemoryLayout_Name(l)));
  }
  // The text format names the layouts.
  proto::TrainSpec parsed;
  ASSERT_TRUE(ParseTextProto("network { memory_layout: CHANNELS_LAST }", "t", &parsed).ok());
  EXPECT_EQ(parsed.network().memory_layout(), Layout::CHANNELS_LAST);
}

TEST(MemoryLayoutTest, BadValuesGiveOneLineNamingTheField) {
  proto::TrainSpec spec = FashionSpec();
  spec.mutable_network()->set_memory_layout(static_cast<Layout::MemoryLayout>(7));
  EXPECT_EQ(std::string(ResolveTrainSpec(&spec).message()),
            "network.memory_layout: 7 (known: NCHW, CHANNELS_LAST_LEGACY, CHANNELS_LAST)");

  spec = FashionSpec();
  spec.mutable_network()->set_channels_last(true);
  spec.mutable_network()->set_memory_layout(Layout::CHANNELS_LAST);
  EXPECT_THAT(std::string(ResolveTrainSpec(&spec).message()),
              HasSubstr("network.channels_last: set together with network.memory_layout CHANNELS_LAST"));

  proto::TrainSpec parsed;
  absl::Status s = ParseTextProto("network {\n  memory_layout: FAST\n}\n", "cfg.textproto", &parsed);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("Unknown enumeration value of \"FAST\" for field \"memory_layout\" (known: NCHW, "
                        "CHANNELS_LAST_LEGACY, CHANNELS_LAST)"));
  EXPECT_EQ(std::string(s.message()).rfind("cfg.textproto:", 0), 0u);
  EXPECT_EQ(std::string(s.message()).find('\n'), std::string::npos);
}

TEST(CellKernelsTest, ResolutionKeepsItAbsentAndBadValuesGiveOneLine) {
  proto::TrainSpec spec = FashionSpec();
  ASSERT_TRUE(ResolveTrainSpec(&spec).ok());
  EXPECT_THAT(Text(spec), ::testing::Not(HasSubstr("cell_kernels")));
  spec = FashionSpec();
  spec.mutable_network()->set_cell_kernels(static_cast<Layout::CellKernels>(9));
  EXPECT_EQ(std::string(ResolveTrainSpec(&spec).message()), "network.cell_kernels: 9 (known: ATEN, SHARED_RELU)");
  proto::TrainSpec parsed;
  ASSERT_TRUE(ParseTextProto("network { cell_kernels: SHARED_RELU }", "t", &parsed).ok());
  EXPECT_EQ(parsed.network().cell_kernels(), Layout::SHARED_RELU);
}

TEST(MemoryLayoutTest, EachLayoutTrainsBitIdenticallyAndTheSpellingsAgree) {
  const std::string images = std::string(kDebianFashionMnistDir) + "/train-images-idx3-ubyte.gz";
  if (!std::ifstream(images).good())
    GTEST_SKIP() << images << " is absent (Debian's dataset-fashion-mnist; tools/build/setup.sh installs it)";
  proto::TrainSpec base = FashionSpec();
  ASSERT_TRUE(ResolveTrainSpec(&base).ok());
  auto data = LoadDataset(base.data());
  ASSERT_TRUE(data.ok()) << data.status();
  ASSERT_EQ((*data)->channels(), 1);
  Nb201Space space;
  auto arch = space.Parse(kArch);
  ASSERT_TRUE(arch.ok());
  auto train = [&](auto edit) {
    proto::TrainSpec spec = FashionSpec();
    edit(spec.mutable_network());
    NAS_CHECK(ResolveTrainSpec(&spec).ok());
    auto r = TrainChild(space, *arch, spec, **data, 5);
    NAS_CHECK(r.ok());
    return *r;
  };
  auto expect_identical = [](const TrainResult& a, const TrainResult& b) {
    ASSERT_EQ(a.epochs.size(), b.epochs.size());
    for (size_t e = 0; e < a.epochs.size(); ++e) {
      EXPECT_EQ(a.epochs[e].train_loss, b.epochs[e].train_loss);
      EXPECT_EQ(a.epochs[e].valid_loss, b.epochs[e].valid_loss);
      EXPECT_EQ(a.epochs[e].test_acc, b.epochs[e].test_acc);
    }
    EXPECT_EQ(a.weights_sha256, b.weights_sha256);
  };
  const TrainResult absent = train([](proto::NetworkSpec*) {});
  const TrainResult nchw = train([](proto::NetworkSpec* n) { n->set_memory_layout(Layout::NCHW); });
  const TrainResult cl_bool = train([](proto::NetworkSpec* n) { n->set_channels_last(true); });
  const TrainResult legacy = train([](proto::NetworkSpec* n) { n->set_memory_layout(Layout::CHANNELS_LAST_LEGACY); });
  const TrainResult fast = train([](proto::NetworkSpec* n) { n->set_memory_layout(Layout::CHANNELS_LAST); });
  const TrainResult fast2 = train([](proto::NetworkSpec* n) { n->set_memory_layout(Layout::CHANNELS_LAST); });
  expect_identical(absent, nchw);     // an absent field trains what channels_last: false does
  expect_identical(cl_bool, legacy);  // channels_last: true is CHANNELS_LAST_LEGACY
  expect_identical(fast, fast2);      // deterministic
  // The one-channel stem convolution runs in another memory format: another float rounding, the same net.
  EXPECT_NE(fast.weights_sha256, legacy.weights_sha256);
  EXPECT_EQ(fast.params_m, legacy.params_m);
  EXPECT_NEAR(fast.epochs[0].train_loss, legacy.epochs[0].train_loss, 0.05 * legacy.epochs[0].train_loss);
  EXPECT_LT(fast.epochs.back().train_loss, fast.epochs.front().train_loss);

  // cell_kernels: ATEN is the absent field; SHARED_RELU is deterministic, trains the same net (parameters, loss
  // to within rounding's drift) and rounds differently.
  const TrainResult aten = train([](proto::NetworkSpec* n) {
    n->set_memory_layout(Layout::CHANNELS_LAST);
    n->set_cell_kernels(Layout::ATEN);
  });
  expect_identical(aten, fast);
  auto shared_relu = [](proto::NetworkSpec* n) {
    n->set_memory_layout(Layout::CHANNELS_LAST);
    n->set_cell_kernels(Layout::SHARED_RELU);
  };
  const TrainResult shared = train(shared_relu), shared2 = train(shared_relu);
  expect_identical(shared, shared2);
  EXPECT_NE(shared.weights_sha256, fast.weights_sha256);
  EXPECT_EQ(shared.params_m, fast.params_m);
  EXPECT_EQ(shared.flops_m, fast.flops_m);
  EXPECT_NEAR(shared.epochs[0].train_loss, fast.epochs[0].train_loss, 0.02 * fast.epochs[0].train_loss);
  const TrainResult shared_nchw = train([](proto::NetworkSpec* n) { n->set_cell_kernels(Layout::SHARED_RELU); });
  EXPECT_NEAR(shared_nchw.epochs[0].train_loss, absent.epochs[0].train_loss, 0.02 * absent.epochs[0].train_loss);
}

}  // namespace
}  // namespace nas
