// End-to-end tests of the `nas` binary: determinism across invocations and thread counts, replay that
// detects a single altered reward, bad input, and the real NB201 import.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "hdf5.h"
#include "nas/log/episode_log.h"
#include "nas/log/replay.h"
#include "nas/space/nb201_space.h"
#include "nas/table/table_io.h"
#include "nas/testing/shared_data.h"
#include "nas/testing/synthetic_table.h"

#include "nas/testing/nas_cli.h"

namespace nas {
namespace {

using Result = testing::CliResult;
Result Nas(const std::string& args) { return testing::RunNas(args); }

std::string Tmp(const std::string& name) { return testing::ScratchPath(name); }

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string SyntheticTable() { return testing::WriteSyntheticNb201Table(Tmp("synthetic.h5")); }

std::string Config(const std::string& table, const std::string& extra_methods = "") {
  return "name: \"cli\"\nbenchmark { table: \"" + table +
         "\" dataset: \"toy\" search_epochs: 12 seed_mode: SAMPLE }\n"
         "budget { simulated_seconds: 3000 }\nseeds { experiment_seed: 7 runs: 3 }\n"
         "methods { name: \"reinforce\" label: \"lstm\" reinforce { policy: LSTM } }\n"
         "methods { name: \"reinforce\" label: \"edge\" reinforce { policy: PER_EDGE } }\n"
         "methods { name: \"random\" }\nmethods { name: \"regularized_evolution\" }\nmethods { name: \"local_search\" }\n" +
         extra_methods;
}

void ExpectSameEpisodes(const std::string& a, const std::string& b) {
  auto la = ReadLog(a), lb = ReadLog(b);
  ASSERT_TRUE(la.ok()) << la.status();
  ASSERT_TRUE(lb.ok()) << lb.status();
  ASSERT_EQ(la->runs.size(), lb->runs.size());
  for (size_t i = 0; i < la->runs.size(); ++i) {
    auto d = FirstDivergence(la->runs[i], lb->runs[i]);
    EXPECT_FALSE(d.has_value()) << d->ToString();
  }
}

TEST(Cli, SameConfigSameEpisodesAnyThreadCountAndReplay) {
  const std::string cfg = Tmp("cli.textproto");
  WriteFile(cfg, Config(SyntheticTable()));
  Result r1 = Nas("run " + cfg + " --out " + Tmp("a.h5") + " --overwrite --quiet");
  ASSERT_EQ(r1.code, 0) << r1.out;
  EXPECT_NE(r1.out.find("local_search"), std::string::npos) << r1.out;
  Result r2 = Nas("run " + cfg + " --out " + Tmp("b.h5") + " --overwrite --quiet --threads 2");
  ASSERT_EQ(r2.code, 0) << r2.out;
  ExpectSameEpisodes(Tmp("a.h5"), Tmp("b.h5"));
  auto log = ReadLog(Tmp("a.h5"));
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->runs.size(), 15u);
  EXPECT_EQ(log->attributes.at("worker_threads"), "1");
  EXPECT_NE(log->attributes.at("blas"), "");
  for (const auto& run : log->runs) {
    ASSERT_FALSE(run.episodes.empty());
    EXPECT_LE(run.episodes.back().sim_time, 3000.0);
  }
  Result rp = Nas("replay " + Tmp("a.h5"));
  EXPECT_EQ(rp.code, 0) << rp.out;
  EXPECT_NE(rp.out.find("identical"), std::string::npos) << rp.out;
}

TEST(Cli, ReplayNamesTheRunAndEpisodeOfAnAlteredReward) {
  const std::string cfg = Tmp("cli2.textproto");
  WriteFile(cfg, Config(SyntheticTable()));
  const std::string log = Tmp("alter.h5");
  ASSERT_EQ(Nas("run " + cfg + " --out " + log + " --overwrite --quiet").code, 0);
  // Alter episode 5's reward of run random/1 in place (partial compound I/O on the `reward` field).
  hid_t f = H5Fopen(log.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  hid_t ds = H5Dopen2(f, "/runs/random/episodes", H5P_DEFAULT);
  ASSERT_GE(ds, 0);
  hid_t mem = H5Tcreate(H5T_COMPOUND, sizeof(double));
  H5Tinsert(mem, "reward", 0, H5T_NATIVE_DOUBLE);
  hid_t run_mem = H5Tcreate(H5T_COMPOUND, sizeof(int32_t));
  H5Tinsert(run_mem, "run", 0, H5T_NATIVE_INT32);
  hid_t space = H5Dget_space(ds);
  hsize_t n;
  H5Sget_simple_extent_dims(space, &n, nullptr);
  std::vector<double> v(n);
  std::vector<int32_t> runs(n);
  ASSERT_GE(H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0);
  ASSERT_GE(H5Dread(ds, run_mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, runs.data()), 0);
  // The row of run 1's episode 5 (the method's runs share the dataset; a run column tells them apart).
  size_t row = n, seen = 0;
  for (size_t i = 0; i < n && row == n; ++i)
    if (runs[i] == 1 && seen++ == 5) row = i;
  ASSERT_LT(row, n);
  v[row] += 0.5;
  ASSERT_GE(H5Dwrite(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), 0);
  H5Tclose(mem);
  H5Tclose(run_mem);
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(f);
  Result rp = Nas("replay " + log);
  EXPECT_EQ(rp.code, 1) << rp.out;
  EXPECT_NE(rp.out.find("run random/1, episode 5, field reward"), std::string::npos) << rp.out;
}

// A log in the layout without the per-episode fidelity field (made by a build that wrote it, on the embedded
// table): replay re-runs it identically, and export gives every episode the search fidelity's index (0: 1
// epoch of the table's 1 and 2).
TEST(Cli, LogWithoutFidelityFieldReplaysIdenticallyAndExportsItsFidelity) {
  const std::string log = "tests/tools/testdata/embedded_before_fidelity.h5";
  if (!std::ifstream("datasets/nb201_fmnist/nb201_fmnist.h5").good()) GTEST_SKIP() << "wanted the embedded table";
  Result r = Nas("replay " + log);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("identical: 6 runs"), std::string::npos) << r.out;
  const std::string csv = Tmp("before_fidelity.csv");
  r = Nas("export " + log + " --csv " + csv + " --overwrite");
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(csv);
  std::string header, line;
  std::getline(in, header);
  ASSERT_EQ(header.substr(header.rfind(',') + 1), "fidelity");
  int rows = 0;
  while (std::getline(in, line)) {
    ASSERT_EQ(line.substr(line.rfind(',') + 1), "0") << line;
    ++rows;
  }
  EXPECT_GT(rows, 30);
}

TEST(Cli, BadInputGivesOneClearLineAndNonZeroExit) {
  const std::string table = SyntheticTable();
  struct Case {
    std::string name, config_text, extra_args, expect;
  };
  const std::string truncated = Tmp("truncated.h5");
  {
    std::ifstream in(table, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  const std::vector<Case> cases = {
      {"malformed", "name: \"x\" benchmark { table: ", "", "bad.textproto:1:"},
      {"unknown_method", Config(table, "methods { name: \"reinforcement\" }"), "", "local_search, random"},
      {"missing_table", Config(Tmp("no_such_table.h5")), "", "no_such_table.h5"},
      {"truncated_table", Config(truncated), "", "truncated.h5"},
      {"unknown_dataset", "benchmark { table: \"" + table + "\" dataset: \"cifar11\" } budget { evaluations: 5 } "
                          "seeds { runs: 1 } methods { name: \"random\" }", "", "it has: toy"},
      {"nan_budget", "benchmark { table: \"" + table + "\" dataset: \"toy\" } budget { simulated_seconds: nan } "
                     "seeds { runs: 1 } methods { name: \"random\" }", "", "simulated_seconds"},
  };
  for (const Case& c : cases) {
    const std::string cfg = Tmp("bad.textproto");
    WriteFile(cfg, c.config_text);
    const std::string out = Tmp("bad_" + c.name + ".h5");
    std::remove(out.c_str());
    Result r = Nas("run " + cfg + " --out " + out + " --quiet" + c.extra_args);
    EXPECT_NE(r.code, 0) << c.name;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << c.name << ": " << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << c.name << ": " << r.out;
    EXPECT_FALSE(std::ifstream(out).good()) << c.name << ": left a log behind";
  }
  Result r = Nas("inspect " + truncated);
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  r = Nas("frobnicate");
  EXPECT_NE(r.out.find("known commands: build-table, compare, export, import, inspect, merge-tables, recover, replay, run"), std::string::npos) << r.out;
}

TEST(Cli, NeverOverwritesALogUnlessAsked) {
  const std::string cfg = Tmp("cli3.textproto");
  WriteFile(cfg, Config(SyntheticTable()));
  const std::string log = Tmp("keep.h5");
  WriteFile(log, "precious");
  Result r = Nas("run " + cfg + " --out " + log + " --quiet");
  EXPECT_NE(r.code, 0);
  EXPECT_NE(r.out.find("--overwrite"), std::string::npos) << r.out;
  std::ifstream in(log);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");
}

TEST(Cli, RealTrainingRunLogsCurvesAndReplaysExactly) {
  const std::string fmnist = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
  if (!std::ifstream(fmnist).good()) GTEST_SKIP() << "needs Debian's dataset-fashion-mnist (" << fmnist << ")";
  const std::string cfg = Tmp("train.textproto");
  WriteFile(cfg,
            "benchmark { dataset: \"fmnist\" train { data { name: \"fashion-mnist\" train_size: 200 valid_size: 100 "
            "test_size: 100 image_size: 8 } network { channels: 4 cells_per_stage: 1 } epochs: 2 batch_size: 32 "
            "nesterov: true } }\nbudget { evaluations: 3 }\nseeds { runs: 2 }\n"
            "methods { name: \"reinforce\" reinforce { policy: LSTM } }\nmethods { name: \"local_search\" }\n");
  const std::string log = Tmp("train.h5");
  Result r = Nas("run " + cfg + " --out " + log + " --overwrite --quiet --threads 2");
  ASSERT_EQ(r.code, 0) << r.out;
  auto l = ReadLog(log);
  ASSERT_TRUE(l.ok()) << l.status();
  ASSERT_EQ(l->runs.size(), 4u);
  const Episode& e = l->runs[0].episodes[2];
  ASSERT_EQ(e.curve.size(), 2u);
  EXPECT_EQ(e.curve[1].epoch, 2);
  EXPECT_EQ(e.valid_acc, e.curve[1].valid_acc);
  EXPECT_GT(e.curve[1].train_time, 0);
  Result rp = Nas("replay " + log);
  EXPECT_EQ(rp.code, 0) << rp.out;
}

TEST(Cli, ImportsAndInspectsTheRealNb201Csv) {
  NAS_REQUIRE_SHARED_FILE(csv, "nasbench201/nasbench201_cifar10.csv");
  const std::string out = Tmp("nb201_c10.h5");
  std::remove(out.c_str());
  Result r = Nas("import nb201-csv " + csv + " " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("15625 architectures"), std::string::npos) << r.out;
  r = Nas("inspect " + out);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("best validation 91.607: index 6111 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("best test 91.523: index 1459 "), std::string::npos) << r.out;
}

}  // namespace
}  // namespace nas
