// Racing writers of one log through `nas` (racing creators, racing resumes); benchmarks/log_race_stress.cc
// repeats the same races 50+ times (figures in nas/log/README.md, "Crash safety and resume").
#include <gtest/gtest.h>

#include "absl/strings/str_join.h"
#include "nas/testing/nas_cli.h"
#include "tests/tools/log_races.h"

namespace nas {
namespace {

TEST(LogRaces, TwoCreatorsOfOneNewLogExactlyOneWins) {
  const std::string dir = testing::ScratchPath("creators");
  const std::string config = testing::WriteRaceConfig(dir, 6, 200);
  const testing::RaceFigures f = testing::RaceCreators(config, dir, 6);
  EXPECT_EQ(f.good, f.trials) << absl::StrJoin(f.failures, "\n");
  std::printf("%d racing creator pairs: %d as promised (%d lost only when placing the finished new file)\n",
              f.trials, f.good, f.close_races);
}

TEST(LogRaces, TwoResumesOfOneLogHoldTheLockAndCompleteIt) {
  const std::string dir = testing::ScratchPath("resumes");
  const std::string config = testing::WriteRaceConfig(dir, 6, 200);
  const testing::RaceFigures f = testing::RaceResumes(config, dir, 6);
  EXPECT_EQ(f.good, f.trials) << absl::StrJoin(f.failures, "\n");
  EXPECT_EQ(f.trials, 6);
  std::printf("%d concurrent resume pairs: %d as promised (%d where both exited 0, the second after the first)\n",
              f.trials, f.good, f.both_succeeded);
}

}  // namespace
}  // namespace nas
