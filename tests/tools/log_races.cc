#include "tests/tools/log_races.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nas/log/episode_log.h"
#include "nas/log/replay.h"
#include "nas/testing/synthetic_table.h"

namespace nas::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts `sh -c cmd` in two children that wait for the same signal, then returns both exit codes.
std::pair<int, int> RunTogether(const std::string& cmd0, const std::string& cmd1) {
  int go[2];
  if (pipe(go) != 0) return {-1, -1};
  pid_t pids[2];
  const std::string cmds[2] = {cmd0, cmd1};
  for (int k = 0; k < 2; ++k) {
    pids[k] = fork();
    if (pids[k] == 0) {
      close(go[1]);
      char c;
      (void)!read(go[0], &c, 1);
      execl("/bin/sh", "sh", "-c", cmds[k].c_str(), nullptr);
      _exit(127);
    }
  }
  close(go[0]);
  close(go[1]);  // both start now
  int codes[2];
  for (int k = 0; k < 2; ++k) {
    int status = 0;
    waitpid(pids[k], &status, 0);
    codes[k] = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  return {codes[0], codes[1]};
}

bool OneLine(const std::string& text) {
  return !text.empty() && text.find('\n') == text.size() - 1 && absl::StartsWith(text, "nas: ");
}

std::vector<std::string> Leftovers(const std::string& dir, const std::string& log) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().string() != log) out.push_back(e.path().filename().string());
  return out;
}

// Empty when `log` is complete and equal to `ref` in every field but wall times.
std::string Differs(const LogFile& ref, const std::string& log) {
  auto got = ReadLog(log);
  if (!got.ok()) return std::string(got.status().message());
  if (got->runs.size() != ref.runs.size()) return absl::StrCat(got->runs.size(), " runs, expected ", ref.runs.size());
  for (size_t i = 0; i < ref.runs.size(); ++i) {
    if (!got->runs[i].complete) return absl::StrCat("run slot ", i, " is not complete");
    if (auto d = FirstDivergence(ref.runs[i], got->runs[i])) return d->ToString();
  }
  return "";
}

}  // namespace

std::string WriteRaceConfig(const std::string& dir, int runs, int evaluations) {
  fs::create_directories(dir);
  const std::string table = WriteSyntheticNb201Table(dir + "/table.h5");
  const std::string config = dir + "/race.textproto";
  std::ofstream(config) << "name: \"race\"\nbenchmark { table: \"" << table
                        << "\" dataset: \"toy\" search_epochs: 12 seed_mode: SAMPLE }\nbudget { evaluations: "
                        << evaluations << " }\nseeds { experiment_seed: 5 runs: " << runs
                        << " }\nmethods { name: \"random\" }\nmethods { name: \"regularized_evolution\" }\n";
  return config;
}

RaceFigures RaceCreators(const std::string& config, const std::string& dir, int trials) {
  RaceFigures f;
  const std::string logs = dir + "/creators";
  const std::string log = logs + "/raced.h5";
  for (int trial = 0; trial < trials; ++trial) {
    fs::remove_all(logs);
    fs::create_directories(logs);
    const std::string base = absl::StrCat("exec tools/nas run ", config, " --out ", log, " --quiet > /dev/null 2> ");
    const auto [a, b] = RunTogether(base + dir + "/err0.txt", base + dir + "/err1.txt");
    const std::string err[2] = {ReadText(dir + "/err0.txt"), ReadText(dir + "/err1.txt")};
    std::string what;
    if (std::min(a, b) != 0 || std::max(a, b) != 1) {
      what = absl::StrCat("exit codes ", a, " and ", b, ": ", err[0], " | ", err[1]);
    } else {
      const std::string& loser = err[a == 0 ? 1 : 0];
      if (!OneLine(loser) || !absl::StrContains(loser, "exists")) what = "the loser printed: " + loser;
      f.close_races += absl::StrContains(loser, "created it first");
    }
    if (what.empty()) {
      auto got = ReadLog(log);
      if (!got.ok()) what = std::string(got.status().message());
      else
        for (const RunLog& r : got->runs)
          if (!r.complete) what = "a run is not complete";
    }
    if (what.empty() && !Leftovers(logs, log).empty()) what = "left behind: " + Leftovers(logs, log)[0];
    ++f.trials;
    if (what.empty()) ++f.good;
    else f.failures.push_back(absl::StrCat("trial ", trial, ": ", what));
  }
  return f;
}

RaceFigures RaceResumes(const std::string& config, const std::string& dir, int trials) {
  RaceFigures f;
  const std::string ref_path = dir + "/reference.h5";
  fs::remove(ref_path);
  if (std::system(("tools/nas run " + config + " --out " + ref_path + " --quiet > /dev/null").c_str()) != 0) {
    f.failures.push_back("the reference run failed");
    return f;
  }
  auto ref = ReadLog(ref_path);
  if (!ref.ok()) {
    f.failures.push_back(std::string(ref.status().message()));
    return f;
  }
  // An interrupted log, as a killed run leaves it: every other run cut to half and unfinished.
  std::vector<RunLog> partial = ref->runs;
  for (size_t i = 1; i < partial.size(); i += 2) {
    partial[i].episodes.resize(partial[i].episodes.size() / 2);
    partial[i].complete = false;
  }
  const std::string interrupted = dir + "/interrupted.h5";
  const int decisions = static_cast<int>(ref->runs[0].episodes[0].actions.size());
  if (!EpisodeLogWriter::WriteAll(interrupted, ref->attributes, decisions, partial, true).ok()) {
    f.failures.push_back("cannot write the interrupted log");
    return f;
  }
  const std::string logs = dir + "/resumes";
  const std::string log = logs + "/resumed.h5";
  for (int trial = 0; trial < trials; ++trial) {
    fs::remove_all(logs);
    fs::create_directories(logs);
    fs::copy_file(interrupted, log);
    const std::string base = absl::StrCat("exec tools/nas run ", config, " --resume ", log, " --quiet > /dev/null 2> ");
    const auto [a, b] = RunTogether(base + dir + "/err0.txt", base + dir + "/err1.txt");
    const int codes[2] = {a, b};
    const std::string err[2] = {ReadText(dir + "/err0.txt"), ReadText(dir + "/err1.txt")};
    std::string what;
    for (int k = 0; k < 2; ++k)
      if (codes[k] != 0 && (codes[k] != 1 || !OneLine(err[k]) ||
                            !absl::StrContains(err[k], "another nas process is writing this log")))
        what = absl::StrCat("resume ", k, " exited ", codes[k], ": ", err[k]);
    if (what.empty() && a != 0 && b != 0) what = "neither resume succeeded";
    if (what.empty()) what = Differs(*ref, log);
    if (what.empty() && !Leftovers(logs, log).empty()) what = "left behind: " + Leftovers(logs, log)[0];
    ++f.trials;
    f.both_succeeded += a == 0 && b == 0;
    if (what.empty()) ++f.good;
    else f.failures.push_back(absl::StrCat("trial ", trial, ": ", what));
  }
  return f;
}

}  // namespace nas::testing
