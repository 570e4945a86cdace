// Kill-and-resume of the weight-sharing methods: `nas run` of an ENAS / RSPS experiment (judged by the embedded
// table) is SIGKILLed after its first acknowledged episodes; `nas run --resume` completes the log into exactly
// the uninterrupted one (every field but wall times), and `nas replay` proves the result bit-identical.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "nas/log/episode_log.h"
#include "nas/log/replay.h"
#include "tests/build/tiny_spec.h"

namespace nas {
namespace {

using testing_build::TmpPath;

constexpr char kTable[] = "datasets/nb201_fmnist/nb201_fmnist.h5";

int Shell(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Starts `tools/nas ARGS`, reads its stdout until `ack_lines` acknowledgement lines came, then SIGKILLs it.
int RunUntilAcksAndKill(const std::string& args, int ack_lines) {
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
  std::string out;
  char c;
  int acks = 0;
  while (acks < ack_lines && read(fds[0], &c, 1) == 1) {
    out.push_back(c);
    if (c == '\n') acks += out.rfind("ack ", 0) == 0, out.clear();
  }
  kill(pid, SIGKILL);
  close(fds[0]);
  int status;
  waitpid(pid, &status, 0);
  return acks;
}

TEST(EnasResume, KilledMidSearchResumesIntoTheUninterruptedLog) {
  NAS_SKIP_WITHOUT_FMNIST();
  if (::access(kTable, R_OK) != 0) GTEST_SKIP() << "the embedded table " << kTable << " is not in the checkout";
  const std::string cfg = testing_build::WriteFile(
      "enas.textproto",
      std::string("name: \"enas_resume\"\n"
                  "benchmark { train {\n"
                  "  data { name: \"fashion-mnist\" train_size: 512 valid_size: 256 test_size: 256 image_size: 8 }\n"
                  "  network { channels: 4 cells_per_stage: 1 bn_momentum: 0.5 }\n"
                  "  epochs: 3 batch_size: 32 learning_rate: 0.1 nesterov: true weight_decay: 5e-4 threads: 1\n"
                  "} }\n"
                  "budget { evaluations: 100000 }\n"
                  "seeds { experiment_seed: 3 runs: 2 }\n"
                  "methods { name: \"enas\" weight_sharing { controller_steps: 5 archs_per_step: 10 "
                  "derive_samples: 5 table: \"") + kTable + "\" } }\n"
                  "methods { name: \"rsps\" weight_sharing { controller_steps: 5 archs_per_step: 10 "
                  "derive_samples: 5 table: \"" + kTable + "\" } }\n");
  const std::string ref_path = TmpPath("reference.h5"), log_path = TmpPath("killed.h5");
  ASSERT_EQ(Shell("tools/nas run " + cfg + " --out " + ref_path + " --overwrite --quiet --threads 1 > /dev/null"), 0);
  auto ref = ReadLog(ref_path);
  ASSERT_TRUE(ref.ok()) << ref.status();
  ASSERT_EQ(ref->runs.size(), 4u);
  for (const RunLog& r : ref->runs) EXPECT_EQ(r.episodes.size(), 3u * 50 + 5) << r.label;

  // One worker thread: the first run (155 episodes) is mid-search after its first two acknowledgements.
  std::remove(log_path.c_str());
  ASSERT_EQ(RunUntilAcksAndKill("run " + cfg + " --out " + log_path +
                                    " --quiet --print_acks --flush_every 20 --threads 1",
                                2),
            2);
  auto killed = ReadLog(log_path);
  ASSERT_TRUE(killed.ok()) << killed.status();
  ASSERT_FALSE(killed->runs[0].complete);
  ASSERT_GE(killed->runs[0].episodes.size(), 1u);

  ASSERT_EQ(Shell("tools/nas run " + cfg + " --resume " + log_path + " --quiet --threads 1 > /dev/null"), 0);
  auto done = ReadLog(log_path);
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->runs.size(), ref->runs.size());
  for (size_t i = 0; i < done->runs.size(); ++i) {
    EXPECT_TRUE(done->runs[i].complete);
    auto d = FirstDivergence(ref->runs[i], done->runs[i]);
    EXPECT_FALSE(d.has_value()) << d->ToString();
  }
  EXPECT_EQ(Shell("tools/nas replay " + log_path + " > /dev/null"), 0);
}

}  // namespace
}  // namespace nas
