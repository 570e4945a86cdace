// `nas` is built without LibTorch and hands commands that need it to nas-torch (tools/cli/full_binary.h): it
// neither links nor loads LibTorch, LSTM and training configs still run through it, table runs stay in it and
// give the same episodes as nas-torch, and without nas-torch next to it those commands fail with one line.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "nas/log/episode_log.h"
#include "nas/log/replay.h"
#include "nas/testing/nas_cli.h"
#include "nas/testing/synthetic_table.h"

namespace nas {
namespace {

using testing::ScratchPath;

testing::CliResult Shell(const std::string& cmd) { return testing::RunShell(cmd); }

void WriteFile(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

std::string TableConfig(const std::string& table, const std::string& methods) {
  return "name: \"light\"\nbenchmark { table: \"" + table + "\" dataset: \"toy\" search_epochs: 12 seed_mode: SAMPLE }\n"
         "budget { evaluations: 20 }\nseeds { experiment_seed: 11 runs: 2 }\n" + methods;
}

const char kTableMethods[] =
    "methods { name: \"reinforce\" label: \"edge\" reinforce { policy: PER_EDGE } }\n"
    "methods { name: \"random\" }\nmethods { name: \"regularized_evolution\" }\nmethods { name: \"local_search\" }\n";
const char kLstmMethod[] = "methods { name: \"reinforce\" label: \"lstm\" reinforce { policy: LSTM } }\n";

std::string Attr(const std::string& log, const std::string& key) {
  auto l = ReadLog(log);
  if (!l.ok()) return "<" + std::string(l.status().message()) + ">";
  auto it = l->attributes.find(key);
  return it == l->attributes.end() ? "<absent>" : it->second;
}

TEST(LightBinary, DoesNotLinkOrLoadLibTorch) {
  testing::CliResult light = Shell("ldd tools/nas");
  ASSERT_EQ(light.code, 0) << light.out;
  EXPECT_EQ(light.out.find("libtorch"), std::string::npos) << light.out;
  EXPECT_EQ(light.out.find("libc10"), std::string::npos) << light.out;
  testing::CliResult full = Shell("ldd tools/nas-torch");  // the check can fail: nas-torch does link it
  EXPECT_NE(full.out.find("libtorch_cpu"), std::string::npos) << full.out;

  // At run time (dlopen included): the dynamic loader's record of every file a table command loads.
  const std::string table = testing::WriteSyntheticNb201Table(ScratchPath("light_synthetic.h5"));
  testing::CliResult inspect = Shell("LD_DEBUG=files tools/nas inspect " + table);
  ASSERT_EQ(inspect.code, 0) << inspect.out;
  EXPECT_NE(inspect.out.find("libhdf5"), std::string::npos) << "LD_DEBUG did not report loads";
  EXPECT_EQ(inspect.out.find("libtorch"), std::string::npos) << inspect.out.substr(0, 4000);
}

TEST(LightBinary, TableRunStaysLightAndMatchesNasTorch) {
  const std::string table = testing::WriteSyntheticNb201Table(ScratchPath("light_synthetic2.h5"));
  const std::string cfg = ScratchPath("light_table.textproto");
  WriteFile(cfg, TableConfig(table, kTableMethods));
  const std::string a = ScratchPath("light_a.h5"), b = ScratchPath("light_b.h5");
  testing::CliResult r = testing::RunNas("run " + cfg + " --out " + a + " --overwrite --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(Attr(a, "torch"), "not loaded");  // it ran in nas, without LibTorch
  EXPECT_EQ(Attr(a, "blas"), "none loaded");
  r = Shell("tools/nas-torch run " + cfg + " --out " + b + " --overwrite --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(Attr(b, "torch"), "not loaded");
  auto la = ReadLog(a), lb = ReadLog(b);
  ASSERT_TRUE(la.ok() && lb.ok());
  ASSERT_EQ(la->runs.size(), 8u);
  ASSERT_EQ(la->runs.size(), lb->runs.size());
  for (size_t i = 0; i < la->runs.size(); ++i) {
    auto d = FirstDivergence(la->runs[i], lb->runs[i]);
    EXPECT_FALSE(d.has_value()) << d->ToString();
  }
  // A table log made with LibTorch loaded replays in nas without a note: LibTorch and the BLAS cannot matter.
  r = testing::RunNas("replay " + b);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out.find("note:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("identical"), std::string::npos) << r.out;
}

TEST(LightBinary, LstmConfigRunsThroughNasTorch) {
  const std::string table = testing::WriteSyntheticNb201Table(ScratchPath("light_synthetic3.h5"));
  const std::string cfg = ScratchPath("light_lstm.textproto");
  WriteFile(cfg, TableConfig(table, kLstmMethod));
  const std::string log = ScratchPath("light_lstm.h5");
  testing::CliResult r = testing::RunNas("run " + cfg + " --out " + log + " --overwrite --quiet");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("lstm"), std::string::npos) << r.out;
  EXPECT_NE(Attr(log, "torch"), "not loaded");  // handed over: LibTorch's version is recorded
  EXPECT_NE(Attr(log, "torch").find('.'), std::string::npos) << Attr(log, "torch");
  r = testing::RunNas("replay " + log);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("identical"), std::string::npos) << r.out;
  r = testing::RunNas("inspect " + log);  // reading an LSTM log needs no LibTorch
  EXPECT_EQ(r.code, 0) << r.out;
}

TEST(LightBinary, WithoutNasTorchLibTorchCommandsFailWithOneLine) {
  const std::string dir = ScratchPath("light_alone");
  mkdir(dir.c_str(), 0755);
  ASSERT_EQ(Shell("cp -L tools/nas " + dir + "/nas").code, 0);
  const std::string table = testing::WriteSyntheticNb201Table(ScratchPath("light_synthetic4.h5"));
  const std::string cfg = ScratchPath("light_alone.textproto");
  WriteFile(cfg, TableConfig(table, kLstmMethod));
  const std::string log = ScratchPath("light_alone.h5");
  std::remove(log.c_str());
  // Outside the test's runfiles tree, with nothing next to it.
  const std::string alone = "env -u RUNFILES_DIR -u RUNFILES_MANIFEST_FILE " + dir + "/nas ";
  testing::CliResult r = Shell(alone + "run " + cfg + " --out " + log + " --quiet");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("needs reinforce policy LSTM"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nas-torch"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_FALSE(std::ifstream(log).good()) << "left a log behind";
  r = Shell(alone + "build-table spec.textproto out.h5");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  // What needs no LibTorch still works on its own.
  r = Shell(alone + "inspect " + table);
  EXPECT_EQ(r.code, 0) << r.out;
}

}  // namespace
}  // namespace nas
