// The same runs written twice give the same log bytes: no HDF5 object timestamps, fixed creation order.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <map>
#include <string>

#include "nas/log/episode_log.h"
#include "nas/util/sha256.h"

namespace nas {
namespace {

std::string TmpPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

TEST(LogDeterminism, SameRunsSameBytes) {
  std::vector<RunLog> runs;
  for (int r = 0; r < 3; ++r) {
    RunLog run{"random", "random", r, {{"strategy_seed", std::to_string(100 + r)}, {"eval_seed", "7"}}, {}, true};
    for (int i = 0; i < 50; ++i) {
      Episode e;
      e.index = i;
      e.arch = i * 3 + r;
      e.actions = {i % 5, 1, 2, 3, 4, 0};
      e.reward = e.valid_acc = 50 + i * 0.1;
      e.test_acc = 49 + i * 0.1;
      e.sim_time = i;
      e.wall_time = 0.001 * i;
      run.episodes.push_back(e);
    }
    runs.push_back(run);
  }
  const std::map<std::string, std::string> attrs = {{"config", "name: \"d\""}, {"table_sha256", "x"}};
  const std::string a = TmpPath("det_a.h5"), b = TmpPath("det_b.h5");
  ASSERT_TRUE(EpisodeLogWriter::WriteAll(a, attrs, 6, runs, true).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // HDF5 timestamps have one-second resolution
  ASSERT_TRUE(EpisodeLogWriter::WriteAll(b, attrs, 6, runs, true).ok());
  EXPECT_EQ(*Sha256File(a), *Sha256File(b));
}

}  // namespace
}  // namespace nas
