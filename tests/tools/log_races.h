// Races on one log through the `nas` binary (tools/nas in the runfiles), shared by
// tests/tools/log_race_cli_test.cc (a few trials) and benchmarks/log_race_stress.cc (50+ trials):
//  - two `nas run` creating the same new log at the same moment: exactly one must win, the other print one
//    line; the log must be whole and no temporary file left;
//  - two `nas run --resume` of one interrupted log at the same moment: each succeeds or is refused with one
//    line naming the write lock, and the log ends equal to an uninterrupted run.
#ifndef TESTS_TOOLS_LOG_RACES_H_
#define TESTS_TOOLS_LOG_RACES_H_

#include <string>
#include <vector>

namespace nas::testing {

struct RaceFigures {
  int trials = 0;
  int good = 0;                      // trials whose outcome is the promised one
  int both_succeeded = 0;            // resume: the second started after the first had finished (a no-op)
  int close_races = 0;               // creators: both had built the new file; the second lost at placing it
  std::vector<std::string> failures; // what went wrong, per bad trial
};

// A synthetic table and a config of `runs` x 2 methods in `dir`; returns the config's path.
std::string WriteRaceConfig(const std::string& dir, int runs, int evaluations);

RaceFigures RaceCreators(const std::string& config, const std::string& dir, int trials);
RaceFigures RaceResumes(const std::string& config, const std::string& dir, int trials);

}  // namespace nas::testing

#endif  // TESTS_TOOLS_LOG_RACES_H_
