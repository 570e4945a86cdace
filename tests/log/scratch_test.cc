#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fstream>
#include <sstream>
#include <iostream>
#include <random>
#include "nas/log/episode_log.h"
#include "nas/table/table_io.h"
TEST(S, Corrupt) {
  std::string d = std::getenv("TEST_TMPDIR");
  if (getenv("ONE")) { std::cerr << nas::ReadTable(getenv("ONE")).status(); return; }
  nas::Table t("nb201", 15625); t.AddDataset("x", {200}, {1, 2}); t.attributes()["a"] = "b";
  ASSERT_TRUE(nas::WriteTable(t, d + "/t.h5", true).ok());
  auto w = nas::EpisodeLogWriter::Create(d + "/l.h5", {{"config", "x"}}, 6, true);
  nas::RunLog r; r.label = "x"; r.run = 1; r.episodes.resize(100); for (auto& e : r.episodes) e.actions.resize(6);
  ASSERT_TRUE((*w)->WriteRun(r).ok()); ASSERT_TRUE((*w)->Close().ok());
  for (std::string name : {"t.h5", "l.h5"}) {
  std::stringstream ss; ss << std::ifstream(d + "/" + name, std::ios::binary).rdbuf();
  const std::string b = ss.str();
  std::mt19937 rng(1);
  int fails = 0, crashes = 0, oks = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::string c = b;
    for (int k = 0; k < 4; ++k) c[rng() % std::min<size_t>(c.size(), trial < 200 ? 4096 : c.size())] ^= (1 << (rng() % 8));
    std::ofstream(d + "/c.h5", std::ios::binary | std::ios::trunc) << c;
    pid_t pid = fork();
    if (pid == 0) {
      bool ok = name == "t.h5" ? nas::ReadTable(d + "/c.h5").ok() : nas::ReadLog(d + "/c.h5").ok();
      _exit(ok ? 0 : 1);
    }
    int st; waitpid(pid, &st, 0);
    if (WIFSIGNALED(st)) { ++crashes; if (crashes < 4) std::ofstream(std::string("/tmp/scr/crash") + std::to_string(crashes) + ".h5", std::ios::binary) << c; } else if (WEXITSTATUS(st) == 1) ++fails; else ++oks;
  }
  std::cerr << name << " size " << b.size() << " ok " << oks << " errors " << fails << " crashes " << crashes << "\n";
  }
}
