// End-to-end tests of `nas compare` and `nas export` (the tools/nas binary from runfiles) on synthetic logs.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "nas/analysis/plot.h"
#include "tests/analysis/synthetic_logs.h"

#include "nas/testing/nas_cli.h"

namespace nas {
namespace {

using nas::testing::SyntheticLog;
using nas::testing::TmpPath;

using Result = testing::CliResult;
Result Nas(const std::string& args) { return testing::RunNas(args); }

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

std::string Log(const std::string& name, const SyntheticLog& s) {
  const std::string path = TmpPath(name);
  EXPECT_EQ(nas::testing::WriteSyntheticLog(path, s), "");
  return path;
}

TEST(CompareCli, MergesLogsPrintsMarkdownAndWritesCsvOnce) {
  SyntheticLog a, b;
  b.first_run = 3;
  const std::string la = Log("a.h5", a), lb = Log("b.h5", b), csv = TmpPath("cmp.csv");
  std::remove(csv.c_str());
  Result r = Nas("compare " + la + " " + lb + " --csv " + csv);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("## toy"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| rl | 6 | 25% |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| random | 6 | 25% |"), std::string::npos) << r.out;
  const std::string text = Read(csv);
  EXPECT_EQ(Lines(text), 1 + 2 * 4) << text;
  EXPECT_NE(text.find("\ntoy,aaaa1111,evaluations,10,rl,reinforce,6,100,10,6,90.25,"), std::string::npos) << text;

  // An existing output is never replaced without --overwrite.
  std::ofstream(csv) << "precious";
  r = Nas("compare " + la + " " + lb + " --csv " + csv);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(Lines(r.out), 1) << r.out;
  EXPECT_NE(r.out.find(csv + ": exists; pass --overwrite"), std::string::npos) << r.out;
  EXPECT_EQ(Read(csv), "precious");
  // --overwrite replaces only a previous CSV of nas compare, never another file.
  r = Nas("compare " + la + " " + lb + " --csv " + csv + " --overwrite");
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find(csv + ": exists and is not a CSV of nas compare"), std::string::npos) << r.out;
  EXPECT_EQ(Read(csv), "precious");
  std::ofstream(csv) << text;
  r = Nas("compare " + la + " " + lb + " --csv " + csv + " --overwrite --budgets 50,100");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(Lines(Read(csv)), 1 + 2 * 2);
}

TEST(CompareCli, RefusesDifferentBenchmarksAndBadOptionsWithOneLine) {
  SyntheticLog a, other;
  other.sha256 = "ffff0000";
  other.first_run = 3;
  const std::string la = Log("x.h5", a), lo = Log("other.h5", other);
  Result r = Nas("compare " + la + " " + lo);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(Lines(r.out), 1) << r.out;
  EXPECT_NE(r.out.find(la + " and " + lo + ": dataset 'toy' comes from different tables"), std::string::npos) << r.out;

  SyntheticLog shorter;
  shorter.budget = "evaluations: 8";
  shorter.first_run = 3;
  const std::string ls = Log("short.h5", shorter);
  r = Nas("compare " + la + " " + ls);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("different budgets"), std::string::npos) << r.out;
  r = Nas("compare " + la + " " + ls + " --align");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("Budget 8 evaluations per run (aligned"), std::string::npos) << r.out;

  for (const std::string& bad : {std::string("--budgets 0,50"), std::string("--budgets x"),
                                 std::string("--regret"), std::string("--plot out.pdf"),
                                 TmpPath("no_such_log.h5")}) {
    r = Nas("compare " + la + " " + bad);
    EXPECT_NE(r.code, 0) << bad;
    EXPECT_EQ(Lines(r.out), 1) << bad << ": " << r.out;
  }
}

TEST(CompareCli, DrawsSvgAndPngWithGnuplot) {
  if (analysis::FindProgram("gnuplot").empty()) GTEST_SKIP() << "gnuplot not installed";
  SyntheticLog a;
  const std::string la = Log("p.h5", a);
  for (const std::string name : {"anytime.svg", "anytime.png"}) {
    const std::string out = TmpPath(name);
    std::remove(out.c_str());
    Result r = Nas("compare " + la + " --plot " + out + (absl::EndsWith(name, ".png") ? " --regret" : ""));
    ASSERT_EQ(r.code, 0) << r.out;
    const std::string bytes = Read(out);
    if (absl::EndsWith(name, ".svg")) {
      EXPECT_NE(bytes.find("<svg"), std::string::npos);
      EXPECT_NE(bytes.find("<text>rl</text>"), std::string::npos);
      EXPECT_NE(bytes.find("<text>random</text>"), std::string::npos);
    } else {
      EXPECT_EQ(bytes.substr(1, 3), "PNG");
    }
  }
}

TEST(ExportCli, OneRowPerEpisodeWithEveryField) {
  SyntheticLog a;
  const std::string la = Log("e.h5", a), csv = TmpPath("episodes.csv");
  std::remove(csv.c_str());
  Result r = Nas("export " + la + " --csv " + csv);
  ASSERT_EQ(r.code, 0) << r.out;
  std::vector<std::string> lines = absl::StrSplit(Read(csv), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 1u + 2 * 3 * 10);
  EXPECT_EQ(lines[0],
            "label,method,run,index,arch,actions,log_prob,entropy,reward,valid_acc,test_acc,sim_time,wall_time,"
            "incumbent,incumbent_valid,incumbent_test,table_slot,worker,proposal,params_m,flops_m,cost,fidelity");
  // random run 0, episode 3: incumbent test 89 - 0.5 * 6 = 86; no costs (NaN).
  EXPECT_EQ(lines[4], "random,random,0,3,3,3 1 2 3 4 0,0,0,83,83,83,400,0,3,87,86,0,0,0,nan,nan,nan,0");
  for (const std::string& line : lines) EXPECT_EQ(std::count(line.begin(), line.end(), ','), 22) << line;

  r = Nas("export " + la + " --csv " + csv);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.out.find("--overwrite"), std::string::npos) << r.out;
  r = Nas("export " + la);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(Lines(r.out), 1) << r.out;
  EXPECT_NE(r.out.find("--csv"), std::string::npos) << r.out;
  EXPECT_EQ(Nas("export " + la + " --csv " + csv + " --overwrite").code, 0);

  // --curves: a log of table runs has no curve rows, only the header.
  const std::string curves = TmpPath("curves.csv");
  std::remove(curves.c_str());
  r = Nas("export " + la + " --csv " + csv + " --overwrite --curves " + curves);
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(Read(curves),
            "label,method,run,episode,epoch,train_loss,train_acc,valid_loss,valid_acc,test_loss,test_acc,train_time\n");
  r = Nas("export " + la + " --csv " + csv + " --overwrite --curves " + csv);
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(Lines(r.out), 1) << r.out;
}

}  // namespace
}  // namespace nas
