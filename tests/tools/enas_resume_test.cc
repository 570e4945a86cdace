// Kill-and-resume of the weight-sharing methods: `nas run` of an ENAS / RSPS experiment (judged by the embedded
// table) is SIGKILLed in the third of its three epochs; `nas run --resume` restores the checkpoint of epoch 2
// (it says so, and re-runs only the episodes after it) and completes the log into exactly the uninterrupted one
// (every field but wall times); `nas replay` proves the result bit-identical. A damaged checkpoint is refused
// with one line and the run resumes from the one before it, into the same log.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
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

// Starts `tools/nas ARGS`, reads its stdout until an acknowledgement "ack RUN N" with N >= `episodes` came, then
// SIGKILLs it. Returns that N (0 if none came).
int64_t RunUntilAckedAndKill(const std::string& args, const std::string& run, int64_t episodes) {
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
  std::string line;
  char c;
  int64_t acked = 0;
  const std::string prefix = "ack " + run + " ";
  while (acked < episodes && read(fds[0], &c, 1) == 1) {
    if (c != '\n') {
      line.push_back(c);
      continue;
    }
    if (line.rfind(prefix, 0) == 0) acked = std::stoll(line.substr(prefix.size()));
    line.clear();
  }
  kill(pid, SIGKILL);
  close(fds[0]);
  int status;
  waitpid(pid, &status, 0);
  return acked;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

void ExpectSameRuns(const LogFile& ref, const std::string& path) {
  auto done = ReadLog(path);
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->runs.size(), ref.runs.size());
  for (size_t i = 0; i < done->runs.size(); ++i) {
    EXPECT_TRUE(done->runs[i].complete);
    auto d = FirstDivergence(ref.runs[i], done->runs[i]);
    EXPECT_FALSE(d.has_value()) << d->ToString();
  }
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

  // One worker thread: run enas/0 (3 epochs of 50 episodes, then 5) is in its third epoch once 110 episodes are
  // acknowledged; the checkpoints of epochs 1 and 2 were written before episodes 50 and 100 were evaluated.
  std::remove(log_path.c_str());
  const std::string kill_args =
      " --quiet --print_acks --flush_every 10 --flush_interval_ms 0 --threads 1";
  ASSERT_GE(RunUntilAckedAndKill("run " + cfg + " --out " + log_path + kill_args, "enas/0", 110), 110);
  auto killed = ReadLog(log_path);
  ASSERT_TRUE(killed.ok()) << killed.status();
  ASSERT_FALSE(killed->runs[0].complete);
  ASSERT_GE(killed->runs[0].episodes.size(), 110u);
  const std::string ckpt = log_path + ".ckpt/enas.0";
  ASSERT_TRUE(Exists(ckpt + ".epoch2.pt"));
  ASSERT_TRUE(Exists(ckpt + ".epoch1.pt"));

  const std::string err_path = TmpPath("resume.err");
  ASSERT_EQ(Shell("tools/nas run " + cfg + " --resume " + log_path + " --quiet --threads 1 > /dev/null 2> " +
                  err_path),
            0);
  const std::string err = ReadText(err_path);
  // The checkpoint was used: only the 55 episodes after epoch 2 were run again.
  EXPECT_NE(err.find("nas: run enas/0 resumes after epoch 2 (100 episodes) from " + ckpt + ".epoch2.pt (sha256 "),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find("not used"), std::string::npos) << err;
  ExpectSameRuns(*ref, log_path);
  EXPECT_FALSE(Exists(log_path + ".ckpt")) << "a complete log keeps no checkpoints";
  EXPECT_EQ(Shell("tools/nas replay " + log_path + " > /dev/null"), 0);

  // A damaged checkpoint of epoch 2 is refused with one line; epoch 1's is used.
  const std::string log2 = TmpPath("killed2.h5");
  std::remove(log2.c_str());
  ASSERT_GE(RunUntilAckedAndKill("run " + cfg + " --out " + log2 + kill_args, "enas/0", 110), 110);
  const std::string ckpt2 = log2 + ".ckpt/enas.0";
  ASSERT_TRUE(Exists(ckpt2 + ".epoch2.pt"));
  {
    std::ofstream damaged(ckpt2 + ".epoch2.pt", std::ios::binary | std::ios::trunc);
    damaged << "not a checkpoint";
  }
  ASSERT_EQ(Shell("tools/nas run " + cfg + " --resume " + log2 + " --quiet --threads 1 > /dev/null 2> " + err_path),
            0);
  const std::string err2 = ReadText(err_path);
  EXPECT_NE(err2.find("nas: " + ckpt2 + ".epoch2.pt: not used for run enas/0: not a readable checkpoint"),
            std::string::npos)
      << err2;
  EXPECT_NE(err2.find("nas: run enas/0 resumes after epoch 1 (50 episodes) from " + ckpt2 + ".epoch1.pt"),
            std::string::npos)
      << err2;
  ExpectSameRuns(*ref, log2);
}

}  // namespace
}  // namespace nas
