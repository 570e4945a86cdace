#include <gtest/gtest.h>
#include <fstream>
#include <sstream>
#include <iostream>
#include <random>
#include "nas/log/episode_log.h"
#include "nas/table/table_io.h"
TEST(S, Corrupt) {
  std::string d = std::getenv("TEST_TMPDIR");
  nas::Table t("nb201", 15625); t.AddDataset("x", {200}, {1, 2});
  ASSERT_TRUE(nas::WriteTable(t, d + "/t.h5", true).ok());
  std::stringstream ss; ss << std::ifstream(d + "/t.h5", std::ios::binary).rdbuf();
  const std::string b = ss.str();
  std::mt19937 rng(1);
  int fails = 0;
  for (int trial = 0; trial < 300; ++trial) {
    std::string c = b;
    for (int k = 0; k < 4; ++k) c[rng() % std::min<size_t>(c.size(), trial < 150 ? 4096 : c.size())] ^= (1 << (rng() % 8));
    std::ofstream(d + "/c.h5", std::ios::binary | std::ios::trunc) << c;
    auto r = nas::ReadTable(d + "/c.h5");
    if (!r.ok()) { ++fails; if (fails < 8) std::cerr << r.status().message().substr(r.status().message().find("c.h5")) << "\n"; }
  }
  std::cerr << "failures " << fails << "\n";
}
