// Hardening, end to end through the `nas` binary: byte-identical re-imports, replay from
// another directory, NB201 dataset validation and the complete `command`, run seeds in the log, the --threads
// cap, and `nas recover` for a SIGKILLed log (then plain h5py opens it).
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gtest/gtest.h"
#include "nas/h5/h5.h"
#include "nas/log/episode_log.h"
#include "nas/space/nb201_space.h"
#include "nas/testing/nas_cli.h"
#include "nas/testing/synthetic_table.h"
#include "nas/util/sha256.h"

namespace nas {
namespace {

using testing::CliResult;

std::string Tmp(const std::string& name) { return testing::ScratchPath(name); }
void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string NasBinary() {
  char buf[PATH_MAX];
  return realpath("tools/nas", buf) != nullptr ? std::string(buf) : "tools/nas";
}

// Runs a shell command line (use $NAS for the binary), stdout and stderr together.
CliResult Shell(const std::string& cmd) { return testing::RunShell("NAS=" + NasBinary() + "; " + cmd); }

bool OneLine(const std::string& out) { return !out.empty() && out.find('\n') == out.size() - 1; }

// A full NB201 CSV whose best test accuracy is `best_test` (CIFAR-10-like: about 91; CIFAR-100-like: about 73).
std::string SyntheticCsv(const std::string& name, double best_test, const std::string& override_line = "") {
  Nb201Space space;
  std::string text = "file id,arch str,cfg name,C,N,train accuracy,validation accuracy,test accuracy\n";
  for (int64_t i = 0; i < space.size(); ++i) {
    const double test = best_test - (i % 97) * 0.3;
    if (i == 5 && !override_line.empty()) {
      absl::StrAppend(&text, override_line, "\n");
      continue;
    }
    absl::StrAppend(&text, i, ",", space.ToString(space.FromOrdinal(i)), ",infer.tiny,16,5,", test + 5, ",",
                    test + 0.1, ",", test, "\n");
  }
  const std::string path = Tmp(name);
  WriteFile(path, text);
  return path;
}

std::string Config(const std::string& table, int runs, int evaluations) {
  return absl::StrCat("name: \"h\"\nbenchmark { table: \"", table, "\" dataset: \"toy\" search_epochs: 12 }\n",
                      "budget { evaluations: ", evaluations, " }\nseeds { experiment_seed: 3 runs: ", runs, " }\n",
                      "methods { name: \"random\" }\nmethods { name: \"regularized_evolution\" }\n");
}

TEST(Harden, ImportingTheSameCsvTwiceGivesIdenticalBytes) {
  const std::string csv = SyntheticCsv("c10.csv", 91.5);
  const std::string dir = Tmp("imports");
  ASSERT_EQ(Shell("mkdir -p " + dir).code, 0);
  // The same command (so the same recorded `command`), a second apart, into two directories.
  CliResult a = Shell("mkdir -p " + dir + "/a && cd " + dir + "/a && $NAS import nb201-csv " + csv +
                      " t.h5 --dataset cifar10-valid");
  ASSERT_EQ(a.code, 0) << a.out;
  Shell("sleep 1.1");
  CliResult b = Shell("mkdir -p " + dir + "/b && cd " + dir + "/b && $NAS import nb201-csv " + csv +
                      " t.h5 --dataset cifar10-valid");
  ASSERT_EQ(b.code, 0) << b.out;
  EXPECT_EQ(*Sha256File(dir + "/a/t.h5"), *Sha256File(dir + "/b/t.h5"));
}

TEST(Harden, ImportValidatesTheDatasetAndRecordsTheWholeCommand) {
  const std::string c10 = SyntheticCsv("plain10.csv", 91.5);
  const std::string c100 = SyntheticCsv("plain100.csv", 73.5);
  CliResult r = Shell("$NAS import nb201-csv " + c10 + " " + Tmp("x.h5") + " --dataset foo");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(OneLine(r.out)) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "cifar10-valid, cifar10, cifar100, ImageNet16-120")) << r.out;
  r = Shell("$NAS import nb201-csv " + c10 + " " + Tmp("x.h5"));  // name tells nothing
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "ImageNet16-120")) << r.out;
  // CIFAR-100 values under another dataset's name are refused, in both directions.
  for (const std::string wrong : {"ImageNet16-120", "cifar10-valid"}) {
    r = Shell("$NAS import nb201-csv " + c100 + " " + Tmp("x.h5") + " --dataset " + wrong);
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_TRUE(OneLine(r.out)) << r.out;
    EXPECT_TRUE(absl::StrContains(r.out, "implausible for NB201 " + wrong)) << r.out;
  }
  r = Shell("$NAS import nb201-csv " + c10 + " " + Tmp("x.h5") + " --dataset cifar100");
  EXPECT_EQ(r.code, 1) << r.out;
  r = Shell("$NAS import nb201-csv " + c100 + " " + Tmp("c100.h5") + " --dataset cifar100");
  ASSERT_EQ(r.code, 0) << r.out;
  auto f = h5::File::Open(Tmp("c100.h5"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(*f->ReadStringAttr("/", "command"),
            "nas import nb201-csv " + c100 + " " + Tmp("c100.h5") + " --dataset cifar100");
}

TEST(Harden, CsvAccuraciesOutsidePercentAreOneLineErrors) {
  Nb201Space space;
  const std::string arch = space.ToString(space.FromOrdinal(5));
  for (const std::string values : {"150,80,80", "90,-1,80", "90,80,100.5"}) {
    const std::string csv = SyntheticCsv("range.csv", 91.5, "5," + arch + ",infer.tiny,16,5," + values);
    CliResult r = Shell("$NAS import nb201-csv " + csv + " " + Tmp("r.h5") + " --dataset cifar10");
    EXPECT_EQ(r.code, 1) << values << ": " << r.out;
    EXPECT_TRUE(OneLine(r.out)) << r.out;
    EXPECT_TRUE(absl::StrContains(r.out, "range.csv:7: ")) << r.out;
    EXPECT_TRUE(absl::StrContains(r.out, "outside [0, 100]")) << r.out;
  }
}

TEST(Harden, ReplayFromAnotherDirectoryFindsTheTable) {
  const std::string dir = Tmp("work");
  ASSERT_EQ(Shell("rm -rf " + dir + " && mkdir -p " + dir + "/runs").code, 0);
  testing::WriteSyntheticNb201Table(dir + "/t.h5");
  WriteFile(dir + "/h.textproto", Config("t.h5", 2, 20));
  CliResult r = Shell("cd " + dir + " && $NAS run h.textproto --out runs/h.h5 --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  // From elsewhere: the relative table_path is found through table_abspath / the log's directory.
  r = Shell("cd / && $NAS replay " + dir + "/runs/h.h5");
  EXPECT_EQ(r.code, 0) << r.out;
  // Log and table moved together somewhere else: found next to the log.
  const std::string moved = Tmp("moved");
  ASSERT_EQ(Shell("rm -rf " + moved + " && mkdir -p " + moved + " && cp " + dir + "/runs/h.h5 " + dir + "/t.h5 " +
                  moved + "/ && mv " + dir + "/t.h5 " + dir + "/t.h5.away").code, 0);
  r = Shell("cd / && $NAS replay " + moved + "/h.h5");
  EXPECT_EQ(r.code, 0) << r.out;
  // No table anywhere: one line naming the places tried and --table; then --table works.
  ASSERT_EQ(Shell("mv " + moved + "/t.h5 " + moved + "/elsewhere.h5").code, 0);
  r = Shell("cd / && $NAS replay " + moved + "/h.h5");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(OneLine(r.out)) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "--table")) << r.out;
  r = Shell("cd / && $NAS replay " + moved + "/h.h5 --table " + moved + "/elsewhere.h5");
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST(Harden, ReplayAcceptsAReimportOfTheSameValues) {
  // Same values, different provenance attributes (another command line): other file bytes, same contents.
  const std::string csv = SyntheticCsv("same.csv", 91.5);
  ASSERT_EQ(Shell("$NAS import nb201-csv " + csv + " " + Tmp("one.h5") + " --dataset cifar10-valid --overwrite").code, 0);
  ASSERT_EQ(Shell("$NAS import nb201-csv " + csv + " " + Tmp("two.h5") + " --dataset cifar10-valid --overwrite").code, 0);
  ASSERT_NE(*Sha256File(Tmp("one.h5")), *Sha256File(Tmp("two.h5")));
  WriteFile(Tmp("same.textproto"),
            absl::StrCat("name: \"s\"\nbenchmark { table: \"", Tmp("one.h5"), "\" dataset: \"cifar10-valid\" }\n",
                         "budget { evaluations: 10 }\nseeds { runs: 2 }\nmethods { name: \"random\" }\n"));
  CliResult r = Shell("$NAS run " + Tmp("same.textproto") + " --out " + Tmp("same.h5") + " --overwrite --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  r = Shell("$NAS replay " + Tmp("same.h5") + " --table " + Tmp("two.h5"));
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "holds the same values")) << r.out;
  // Logs of the two imports (other seed ranges) merge in `nas compare` as one benchmark.
  WriteFile(Tmp("same2.textproto"),
            absl::StrCat("name: \"s\"\nbenchmark { table: \"", Tmp("two.h5"), "\" dataset: \"cifar10-valid\" }\n",
                         "budget { evaluations: 10 }\nseeds { runs: 2 first_run: 2 }\nmethods { name: \"random\" }\n"));
  r = Shell("$NAS run " + Tmp("same2.textproto") + " --out " + Tmp("same2.h5") + " --overwrite --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  r = Shell("$NAS compare " + Tmp("same.h5") + " " + Tmp("same2.h5"));
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST(Harden, SlotsHoldTheRunsSeeds) {
  const std::string table = testing::WriteSyntheticNb201Table(Tmp("seeds_t.h5"));
  WriteFile(Tmp("seeds.textproto"), Config(table, 2, 5));
  CliResult r = Shell("$NAS run " + Tmp("seeds.textproto") + " --out " + Tmp("seeds.h5") + " --overwrite --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  auto f = h5::File::Open(Tmp("seeds.h5"));
  ASSERT_TRUE(f.ok());
  auto log = ReadLog(Tmp("seeds.h5"));
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(*f->Shape("/slots"), (std::vector<int64_t>{static_cast<int64_t>(log->runs.size())}));
  ASSERT_FALSE(log->runs.empty());
  for (const RunLog& run : log->runs) {
    for (const char* key : {"strategy_seed", "eval_seed"}) {
      auto v = run.attributes.find(key);
      ASSERT_TRUE(v != run.attributes.end()) << run.label << "/" << run.run << " lacks " << key;
      uint64_t seed = 0;
      EXPECT_TRUE(absl::SimpleAtoi(v->second, &seed)) << v->second;
    }
  }
}

TEST(Harden, HugeThreadCountIsRefused) {
  const std::string table = testing::WriteSyntheticNb201Table(Tmp("thr_t.h5"));
  WriteFile(Tmp("thr.textproto"), Config(table, 1, 5));
  for (const std::string n : {"1000000", "257", "99999999999"}) {
    CliResult r = Shell("$NAS run " + Tmp("thr.textproto") + " --out " + Tmp("thr.h5") + " --overwrite --threads " + n);
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_TRUE(OneLine(r.out)) << r.out;
    EXPECT_TRUE(absl::StrContains(r.out, "1..256")) << r.out;
  }
  CliResult r = Shell("$NAS run " + Tmp("thr.textproto") + " --out " + Tmp("thr.h5") + " --overwrite --quiet --threads 256");
  EXPECT_EQ(r.code, 0) << r.out;
}

// Starts `nas run` with --print_acks, SIGKILLs it once it acknowledged an episode.
void RunAndKillAfterFirstAck(const std::string& args) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const std::string nas = NasBinary();
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    execl("/bin/sh", "sh", "-c", ("exec " + nas + " " + args + " 2>/dev/null").c_str(), nullptr);
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char c;
  while (read(fds[0], &c, 1) == 1 && !absl::StrContains(out, "ack ")) out += c;
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  close(fds[0]);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it was killed: " << out;
}

TEST(Harden, RecoverMakesAKilledLogAPlainHdf5File) {
  const std::string table = testing::WriteSyntheticNb201Table(Tmp("rec_t.h5"));
  WriteFile(Tmp("rec.textproto"), Config(table, 400, 2000));
  const std::string log = Tmp("killed.h5");
  std::remove(log.c_str());
  RunAndKillAfterFirstAck("run " + Tmp("rec.textproto") + " --out " + log + " --quiet --print_acks");
  const std::string h5py = "/usr/bin/python3 -c \"import h5py; f = h5py.File('" + log +
                           "', 'r'); n = len(f['runs/random/episodes']); "
                           "print(len(f['slots']), n > 0, len(f['progress'][:]) == 800)\"";
  CliResult before = Shell(h5py);
  EXPECT_NE(before.code, 0) << "h5py opened a killed SWMR log without recovery: " << before.out;
  CliResult r = Shell("$NAS recover " + log);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(absl::StrContains(r.out, "a normal HDF5 file again")) << r.out;
  CliResult after = Shell(h5py);
  EXPECT_EQ(after.code, 0) << after.out;
  EXPECT_EQ(after.out, "800 True True\n");
  // Still a log nas reads, and still resumable.
  EXPECT_TRUE(ReadLog(log).ok());
  // Recovering twice is harmless; a file that is not a log is left alone; a log being written is refused.
  EXPECT_EQ(Shell("$NAS recover " + log).code, 0);
  CliResult not_log = Shell("$NAS recover " + table);
  EXPECT_EQ(not_log.code, 1) << not_log.out;
  const int fd = open(log.c_str(), O_RDWR);
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = static_cast<off_t>(1) << 40;  // the byte EpisodeLogWriter locks
  fl.l_len = 1;
  ASSERT_EQ(fcntl(fd, F_OFD_SETLK, &fl), 0);
  CliResult busy = Shell("$NAS recover " + log);
  EXPECT_EQ(busy.code, 1) << busy.out;
  EXPECT_TRUE(absl::StrContains(busy.out, "another nas process is writing")) << busy.out;
  close(fd);
}

}  // namespace
}  // namespace nas
