// The multi-fidelity methods on the embedded table through the CLI, as the experiment file documents them:
// `nas run benchmarks/experiments/embedded_multi_fidelity.textproto` (random search, REA, successive halving,
// Hyperband and ASHA, 100 runs of 25 simulated seconds), `nas replay` bit-identical, and `nas compare` with a
// row for each method in simulated seconds, tested against random search. Skipped without the embedded table.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "nas/testing/nas_cli.h"

namespace nas {
namespace {

TEST(EmbeddedMultiFidelity, RunReplayCompare) {
  const std::string table = "datasets/nb201_fmnist/nb201_fmnist.h5";
  if (!std::ifstream(table).good()) GTEST_SKIP() << "wanted the embedded table " << table;
  const std::string log = testing::ScratchPath("embedded_multi_fidelity.h5");
  auto run = testing::RunNas("run benchmarks/experiments/embedded_multi_fidelity.textproto --out " + log +
                             " --overwrite --quiet --threads 2");
  ASSERT_EQ(run.code, 0) << run.out;
  auto replay = testing::RunNas("replay " + log);
  EXPECT_EQ(replay.code, 0) << replay.out;
  EXPECT_NE(replay.out.find("identical"), std::string::npos) << replay.out;
  auto compare = testing::RunNas("compare " + log);
  ASSERT_EQ(compare.code, 0) << compare.out;
  EXPECT_NE(compare.out.find("sim. seconds"), std::string::npos) << compare.out;
  for (const char* label : {"random", "rea", "successive_halving", "hyperband", "asha"})
    EXPECT_TRUE(std::regex_search(compare.out, std::regex(std::string("\\| ") + label + " \\| 100 \\|")))
        << label << " has no row of 100 runs in\n" << compare.out;
}

}  // namespace
}  // namespace nas
