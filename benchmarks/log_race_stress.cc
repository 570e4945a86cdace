// Stress of the log's races through `nas` (racing creators, racing resumes): N pairs of `nas run` creating the same
// new log at the same moment, and N pairs of `nas run --resume` of one interrupted log at the same moment.
//   bazel run -c opt //benchmarks:log_race_stress -- [N (default 50)]
// Prints, per race, how many trials ended as promised and the failures; exits 1 if any trial failed.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/tools/log_races.h"

int main(int argc, char** argv) {
  const int trials = argc > 1 ? std::atoi(argv[1]) : 50;
  const std::string dir = (std::filesystem::temp_directory_path() / "log_race_stress").string();
  std::filesystem::remove_all(dir);
  const std::string config = nas::testing::WriteRaceConfig(dir, 6, 200);
  const nas::testing::RaceFigures c = nas::testing::RaceCreators(config, dir, trials);
  std::printf("racing creators: %d of %d pairs as promised (exactly one wins, the other one line; %d lost only at "
              "placing the finished file)\n", c.good, c.trials, c.close_races);
  for (const std::string& f : c.failures) std::printf("  %s\n", f.c_str());
  const nas::testing::RaceFigures r = nas::testing::RaceResumes(config, dir, trials);
  std::printf("concurrent resumes: %d of %d pairs as promised (log equals the uninterrupted run; %d pairs where the "
              "second ran after the first)\n", r.good, r.trials, r.both_succeeded);
  for (const std::string& f : r.failures) std::printf("  %s\n", f.c_str());
  std::filesystem::remove_all(dir);
  return c.good == c.trials && r.good == r.trials ? 0 : 1;
}
