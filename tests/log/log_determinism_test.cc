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

// The bytes of a log whose chunks cross zlib's stored-block and the datasets' chunk boundaries, with partly
// filled chunks stored again by later commits (each at another stored size): pinned, so that the writer's chunk
// encoding (nas/log/log_chunks.h) stays byte for byte what zlib's deflate at level 0 and HDF5's Fletcher32 give
// (HDF5 and zlib of Debian 12).
TEST(LogDeterminism, ChunkBytesPinned) {
  std::vector<RunLog> runs;
  for (int r = 0; r < 7; ++r) {
    RunLog run{r % 2 ? "rea" : "random", r % 2 ? "regularized_evolution" : "random", r / 2, {}, {}, r != 6};
    for (int i = 0; i < 333 + 97 * r; ++i) {
      Episode e;
      e.index = i;
      e.arch = (i * 7919 + r) % 15625;
      e.actions = {i % 5, r, 2, i % 3, 4, (i * r) % 5};
      e.reward = e.valid_acc = 50 + i * 0.013 + r;
      e.test_acc = 49 + i * 0.1;
      e.sim_time = i * 1.5;
      e.wall_time = 0.001 * i;
      e.worker = r % 3;
      e.proposal = i + 1;
      e.fidelity = 200;
      if (i % 11 == 0)
        for (int epoch = 0; epoch < 3; ++epoch) {
          CurvePoint c;
          c.epoch = epoch;
          c.episode = i;
          c.train_loss = 1.0 / (epoch + 1 + i);
          c.valid_acc = 10 * epoch + r;
          e.curve.push_back(c);
        }
      run.episodes.push_back(e);
    }
    runs.push_back(run);
  }
  const std::map<std::string, std::string> attrs = {{"config", "name: \"p\""}, {"table_sha256", "x"}};
  const std::string path = TmpPath("pinned.h5");
  ASSERT_TRUE(EpisodeLogWriter::WriteAll(path, attrs, 6, runs, true).ok());
  EXPECT_EQ(*Sha256File(path), "b141a639916f75192b2e1d001570f2bba8825b6d156bfff8f7d14224eda3e025");
}

}  // namespace
}  // namespace nas
