// Crash safety and resume: `nas run` is SIGKILLed at 20 random moments; every time the
// log opens, holds every episode the process acknowledged (printed with --print_acks after each flush) and
// agrees with an uninterrupted run on that prefix; `nas run --resume` then completes it into exactly the
// uninterrupted log (every field but wall times).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "nas/log/episode_log.h"
#include "nas/log/replay.h"
#include "nas/testing/synthetic_table.h"
#include "nas/util/rng.h"

namespace nas {
namespace {

std::string Tmp(const std::string& name) {
  const char* d = std::getenv("TEST_TMPDIR");
  return std::string(d ? d : "/tmp") + "/" + name;
}

int Shell(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Starts `nas run ... --print_acks`, waits until `log_path` exists (the process has loaded what it needs and
// created its log; under load that start-up varies by seconds) or the process has ended, then kills it with
// SIGKILL after `delay` (never, when `delay` is negative: it runs to its end). Returns what it printed;
// `*after_log` is the time from the log's appearance to the kill or the end.
std::string RunAndKill(const std::string& args, const std::string& log_path, std::chrono::microseconds delay,
                       std::chrono::microseconds* after_log = nullptr) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl("/bin/sh", "sh", "-c", ("exec tools/nas " + args + " 2>/dev/null").c_str(), nullptr);
    _exit(127);
  }
  close(fds[1]);
  int status = 0;
  bool ended = false;
  const auto start = std::chrono::steady_clock::now();
  while (::access(log_path.c_str(), F_OK) != 0 && std::chrono::steady_clock::now() - start < std::chrono::seconds(60)) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      ended = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  const auto appeared = std::chrono::steady_clock::now();
  if (!ended && delay.count() >= 0) {
    std::this_thread::sleep_for(delay);
    kill(pid, SIGKILL);
  }
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, n);
  close(fds[0]);
  if (!ended) waitpid(pid, &status, 0);
  if (after_log != nullptr)
    *after_log = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - appeared);
  return out;
}

TEST(CrashResume, KilledRunsKeepAcknowledgedEpisodesAndResumeExactly) {
  const std::string table = testing::WriteSyntheticNb201Table(Tmp("synthetic.h5"));
  const std::string cfg = Tmp("crash.textproto");
  std::ofstream(cfg) << "name: \"crash\"\nbenchmark { table: \"" << table
                     << "\" dataset: \"toy\" search_epochs: 12 seed_mode: SAMPLE }\n"
                        "budget { evaluations: 4000 }\nseeds { experiment_seed: 11 runs: 4 }\n"
                        "methods { name: \"reinforce\" label: \"lstm\" reinforce { policy: LSTM } }\n"
                        "methods { name: \"reinforce\" label: \"edge\" reinforce { policy: PER_EDGE } }\n"
                        "methods { name: \"regularized_evolution\" }\nmethods { name: \"local_search\" }\n";
  const std::string ref_path = Tmp("reference.h5");
  std::remove(ref_path.c_str());
  std::chrono::microseconds full{0};  // from the reference log's appearance to the end of its run
  RunAndKill("run " + cfg + " --out " + ref_path + " --quiet --threads 2", ref_path, std::chrono::microseconds(-1),
             &full);
  auto ref = ReadLog(ref_path);
  ASSERT_TRUE(ref.ok()) << ref.status();
  std::map<std::string, const RunLog*> ref_runs;
  for (const RunLog& r : ref->runs) ref_runs[r.label + "/" + std::to_string(r.run)] = &r;

  Rng rng(2026);
  int killed_mid_run = 0, resumed = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const std::string log_path = Tmp("killed.h5");
    std::remove(log_path.c_str());
    // Uniform over the first 70% of the reference run's time after its log appeared (the start-up before it,
    // loading LibTorch, is waited out); its last part often finds every run already complete.
    const auto delay = std::chrono::microseconds(static_cast<int64_t>(0.70 * rng.Uniform01() * full.count()));
    const std::string acks =
        RunAndKill("run " + cfg + " --out " + log_path + " --quiet --print_acks --threads 2", log_path, delay);
    std::map<std::string, int64_t> acked;
    std::map<std::string, bool> complete;
    for (absl::string_view line : absl::StrSplit(acks, '\n')) {
      std::vector<std::string> f = absl::StrSplit(line, ' ');
      if (f.size() < 3 || f[0] != "ack") continue;  // a line cut by the kill is not an acknowledgement
      int64_t n;
      if (!absl::SimpleAtoi(f[2], &n)) continue;
      acked[f[1]] = std::max(acked[f[1]], n);
      if (f.size() == 4 && f[3] == "complete") complete[f[1]] = true;
    }
    if (!std::ifstream(log_path).good()) {
      EXPECT_TRUE(acked.empty()) << "trial " << trial << ": acknowledged episodes but left no log";
      continue;
    }
    auto log = ReadLog(log_path);
    ASSERT_TRUE(log.ok()) << "trial " << trial << ": " << log.status();
    bool all_complete = true;
    for (const RunLog& r : log->runs) {
      const std::string key = r.label + "/" + std::to_string(r.run);
      EXPECT_GE(static_cast<int64_t>(r.episodes.size()), acked[key]) << "trial " << trial << " " << key;
      if (complete[key]) {
        EXPECT_TRUE(r.complete) << "trial " << trial << " " << key;
      }
      RunLog prefix = *ref_runs.at(key);
      ASSERT_LE(r.episodes.size(), prefix.episodes.size());
      prefix.episodes.resize(r.episodes.size());
      auto d = FirstDivergence(prefix, r);
      EXPECT_FALSE(d.has_value()) << "trial " << trial << ": " << d->ToString();
      all_complete &= r.complete;
    }
    killed_mid_run += !all_complete;
    // Resume and compare with the uninterrupted run.
    ASSERT_EQ(Shell("tools/nas run " + cfg + " --resume " + log_path + " --quiet --threads 2 > /dev/null"), 0)
        << "trial " << trial;
    ++resumed;
    auto done = ReadLog(log_path);
    ASSERT_TRUE(done.ok()) << done.status();
    ASSERT_EQ(done->runs.size(), ref->runs.size());
    for (size_t i = 0; i < done->runs.size(); ++i) {
      EXPECT_TRUE(done->runs[i].complete);
      auto d = FirstDivergence(ref->runs[i], done->runs[i]);
      EXPECT_FALSE(d.has_value()) << "trial " << trial << ": " << d->ToString();
    }
  }
  std::printf("20 kills (full run %.2f s): %d mid-run, %d resumed\n", full.count() / 1e6, killed_mid_run, resumed);
  EXPECT_GE(killed_mid_run, 6);  // at least 30% of the kills land mid-run (typically 9-13 of 20)
}

TEST(CrashResume, ASecondWriterIsRefusedAndResumeNeedsTheSameConfig) {
  const std::string table = testing::WriteSyntheticNb201Table(Tmp("synthetic.h5"));
  const std::string cfg = Tmp("small.textproto");
  std::ofstream(cfg) << "benchmark { table: \"" << table << "\" dataset: \"toy\" }\n"
                        "budget { evaluations: 20 }\nseeds { runs: 2 }\nmethods { name: \"random\" }\n";
  const std::string log = Tmp("small.h5");
  ASSERT_EQ(Shell("tools/nas run " + cfg + " --out " + log + " --overwrite --quiet > /dev/null"), 0);
  const std::string other = Tmp("other.textproto");
  std::ofstream(other) << "benchmark { table: \"" << table << "\" dataset: \"toy\" }\n"
                          "budget { evaluations: 21 }\nseeds { runs: 2 }\nmethods { name: \"random\" }\n";
  EXPECT_NE(Shell("tools/nas run " + other + " --resume " + log + " --quiet 2> " + Tmp("err.txt")), 0);
  std::ifstream err(Tmp("err.txt"));
  std::string line;
  std::getline(err, line);
  EXPECT_NE(line.find("different config"), std::string::npos) << line;
  // Resuming a finished log is a no-op that keeps it intact.
  ASSERT_EQ(Shell("tools/nas run " + cfg + " --resume " + log + " --quiet > /dev/null"), 0);
  auto l = ReadLog(log);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->runs[1].episodes.size(), 20u);
}

}  // namespace
}  // namespace nas
