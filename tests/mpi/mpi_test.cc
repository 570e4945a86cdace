// MPI (built with --define mpi=1; OpenMPI's mpirun): rank 0 runs the strategies and writes the one log or
// table, the other ranks train what it sends them. Logs and tables are the same for every number of ranks
// (1, 2, 3 and without mpirun) and threads; a worker rank killed mid-run makes rank 0 print one line naming
// it, and `nas run --resume` then completes the log into the uninterrupted one.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "nas/tabulate/table_builder.h"
#include "nas/table/table_io.h"
#include "nas/testing/nas_cli.h"
#include "tests/build/tiny_spec.h"
#include "tests/tools/train_config.h"

namespace nas {
namespace {

const char kMpirun[] = "mpirun --oversubscribe --allow-run-as-root --bind-to none -np ";

std::string Mpi(int ranks, const std::string& args) { return kMpirun + std::to_string(ranks) + " " + args; }

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ProcPath(pid_t pid, const char* what) { return "/proc/" + std::to_string(pid) + "/" + what; }

// The pid of MPI rank `rank` whose command line mentions `marker`, or -1.
pid_t FindRank(const std::string& marker, int rank) {
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return -1;
  pid_t found = -1;
  while (dirent* d = readdir(proc)) {
    const pid_t pid = std::atoi(d->d_name);
    if (pid <= 0) continue;
    std::string cmdline = Slurp(ProcPath(pid, "cmdline"));
    if (cmdline.find(marker) == std::string::npos || cmdline.find("mpirun") != std::string::npos) continue;
    const std::string env = Slurp(ProcPath(pid, "environ"));
    if (env.find("OMPI_COMM_WORLD_RANK=" + std::to_string(rank) + std::string(1, '\0')) != std::string::npos) {
      found = pid;
      break;
    }
  }
  closedir(proc);
  return found;
}

TEST(Mpi, TrainingLogsAreTheSameForEveryRankCount) {
  NAS_SKIP_WITHOUT_FASHION_MNIST();
  const std::string cfg = testing::WriteTrainConfig(testing::ScratchPath("mpi_train.textproto"));
  const std::string ref = testing::ScratchPath("mpi_ref.h5");
  auto r = testing::RunNas("run " + cfg + " --out " + ref + " --overwrite --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  for (auto [ranks, threads] : {std::pair{1, 1}, std::pair{2, 2}, std::pair{3, 1}}) {
    const std::string out = testing::ScratchPath("mpi_" + std::to_string(ranks) + ".h5");
    auto m = testing::RunShell(Mpi(ranks, "tools/nas run " + cfg + " --out " + out + " --overwrite --quiet --threads " +
                                  std::to_string(threads)));
    ASSERT_EQ(m.code, 0) << m.out;
    testing::ExpectSameLogs(ref, out);
  }
}

TEST(Mpi, BuiltTablesAreTheSameForEveryRankCount) {
  NAS_SKIP_WITHOUT_FMNIST();
  const std::string spec = testing_build::WriteFile("mpi_tiny.textproto", testing_build::TinySpecText());
  const std::string ref = testing::ScratchPath("mpi_tiny_ref.h5");
  auto r = testing::RunNas("build-table " + spec + " " + ref + " --overwrite");
  ASSERT_EQ(r.code, 0) << r.out;
  auto a = ReadTable(ref);
  ASSERT_TRUE(a.ok()) << a.status();
  for (int ranks : {1, 2, 3}) {
    const std::string out = testing::ScratchPath("mpi_tiny_" + std::to_string(ranks) + ".h5");
    auto m = testing::RunShell(Mpi(ranks, "tools/nas build-table " + spec + " " + out + " --overwrite --threads 2"));
    ASSERT_EQ(m.code, 0) << m.out;
    auto b = ReadTable(out);
    ASSERT_TRUE(b.ok()) << b.status();
    absl::Status same = CompareBuiltTables(**a, **b);
    EXPECT_TRUE(same.ok()) << ranks << " ranks: " << same;
  }
}

TEST(Mpi, KilledWorkerRankIsNamedAndResumeCompletesTheLog) {
  NAS_SKIP_WITHOUT_FASHION_MNIST();
  const std::string cfg = testing::WriteTrainConfig(testing::ScratchPath("mpi_kill.textproto"));
  const std::string ref = testing::ScratchPath("mpi_kill_ref.h5");
  auto r = testing::RunNas("run " + cfg + " --out " + ref + " --overwrite --quiet");
  ASSERT_EQ(r.code, 0) << r.out;

  const std::string log = testing::ScratchPath("mpi_killed.h5");
  const std::string acks = testing::ScratchPath("mpi_killed.acks"), err = testing::ScratchPath("mpi_killed.err");
  const pid_t pid = fork();
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c",
          ("exec " + Mpi(3, "tools/nas run " + cfg + " --out " + log + " --overwrite --quiet --print_acks") + " > " +
           acks + " 2> " + err)
              .c_str(),
          nullptr);
    _exit(127);
  }
  // Kill worker rank 1 once the first episode is acknowledged.
  bool killed = false;
  for (int i = 0; i < 1200 && !killed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (Slurp(acks).find("ack ") == std::string::npos) continue;
    const pid_t worker = FindRank(log, 1);
    if (worker > 0) killed = kill(worker, SIGKILL) == 0;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(killed) << Slurp(err);
  EXPECT_FALSE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the run should fail";
  const std::string errors = Slurp(err);
  EXPECT_NE(errors.find("nas: MPI worker rank 1 died"), std::string::npos) << errors;

  auto resumed = testing::RunNas("run " + cfg + " --resume " + log + " --quiet --threads 2");
  ASSERT_EQ(resumed.code, 0) << resumed.out;
  testing::ExpectSameLogs(ref, log);
}

}  // namespace
}  // namespace nas
