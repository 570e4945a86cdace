// Logs of trained children made by a nas-torch without NetworkSpec.memory_layout (built from commit d4a45c9;
// configs in tests/tools/testdata/train_*.textproto): one without a layout (NCHW) and one with
// channels_last: true. Both replay bit for bit with this build, curves included, so an absent memory_layout
// trains what those builds trained. The two logs' curves differ, so each replay checks its own layout.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "nas/log/episode_log.h"
#include "nas/testing/nas_cli.h"

namespace nas {
namespace {

const char kNchw[] = "tests/tools/testdata/train_without_layout.h5";
const char kChannelsLast[] = "tests/tools/testdata/train_channels_last_bool.h5";
const char kImages[] = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";

TEST(LayoutReplay, LogsWithoutTheFieldReplayInTheirLayout) {
  if (!std::ifstream(kImages).good()) GTEST_SKIP() << "wanted " << kImages << " (Debian's dataset-fashion-mnist)";
  auto nchw = ReadLog(kNchw);
  auto cl = ReadLog(kChannelsLast);
  ASSERT_TRUE(nchw.ok()) << nchw.status();
  ASSERT_TRUE(cl.ok()) << cl.status();
  EXPECT_EQ(nchw->attributes.at("config").find("memory_layout"), std::string::npos);
  EXPECT_NE(cl->attributes.at("config").find("channels_last: true"), std::string::npos);
  ASSERT_EQ(nchw->runs.size(), 1u);
  ASSERT_EQ(cl->runs.size(), 1u);
  ASSERT_EQ(nchw->runs[0].episodes.size(), 3u);
  ASSERT_EQ(cl->runs[0].episodes.size(), 3u);
  bool curves_differ = false;
  for (size_t e = 0; e < 3; ++e) {
    const auto& a = nchw->runs[0].episodes[e].curve;
    const auto& b = cl->runs[0].episodes[e].curve;
    ASSERT_EQ(a.size(), 1u);
    ASSERT_EQ(b.size(), 1u);
    curves_differ = curves_differ || a[0].train_loss != b[0].train_loss || a[0].valid_loss != b[0].valid_loss;
  }
  EXPECT_TRUE(curves_differ) << "NCHW and channels_last: true trained identically; the replays would not tell them apart";
  for (const char* log : {kNchw, kChannelsLast}) {
    testing::CliResult r = testing::RunNas(std::string("replay ") + log);
    EXPECT_EQ(r.code, 0) << log << ": " << r.out;
    EXPECT_NE(r.out.find("identical: 1 runs, 3 episodes"), std::string::npos) << log << ": " << r.out;
  }
}

}  // namespace
}  // namespace nas
