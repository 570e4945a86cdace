// Writes a small log with a commit per episode (the strictest durability: a journal record each) and group commits
// of the HDF5 datasets every 50 episodes, and prints `ack SLOT COUNT[ complete]` with write(2) as each
// acknowledgement returns; run under tear_shim by torn_commit_test.
// Usage: torn_writer LOG RUNS EPISODES
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "nas/log/episode_log.h"
#include "tests/log/torn_episodes.h"

int main(int argc, char** argv) {
  if (argc != 4) return std::fprintf(stderr, "usage: torn_writer LOG RUNS EPISODES\n"), 2;
  const int runs = std::atoi(argv[2]), episodes = std::atoi(argv[3]);
  std::vector<nas::RunSlot> slots;
  for (int r = 0; r < runs; ++r) slots.push_back(nas::RunSlot{"torn", "random", r, {{"strategy_seed", "1"}}});
  nas::LogWriterOptions options;
  options.flush_every = 1;
  options.flush_interval_ms = 0;
  options.on_ack = [](int slot, int64_t n, bool complete) {
    char line[96];
    const int len = std::snprintf(line, sizeof line, "ack %d %lld%s\n", slot, static_cast<long long>(n),
                                  complete ? " complete" : "");
    if (write(STDOUT_FILENO, line, len) != len) _exit(3);
  };
  auto w = nas::EpisodeLogWriter::Create(argv[1], {{"config", "x"}}, nas::testing::kTornDecisions, slots, options);
  if (!w.ok()) return std::fprintf(stderr, "%s\n", std::string(w.status().message()).c_str()), 1;
  for (int r = 0; r < runs; ++r) {
    for (int i = 0; i < episodes; ++i) {
      if (!(*w)->Append(r, nas::testing::TornEpisode(r, i)).ok()) return 1;
      // Each episode is acknowledged by its journal record; the HDF5 datasets are group-committed, here every
      // 50 episodes, so that tears also hit the commits that extend the shared datasets and /progress.
      if (i % 50 == 49 && !(*w)->Commit().ok()) return 1;
    }
    if (!(*w)->FinishRun(r).ok()) return 1;
  }
  return (*w)->Close().ok() ? 0 : 1;
}
