// `nas --help`, every `nas CMD --help`, `nas --version` and the exit-status convention (0 on success, 1 on any
// error, usage errors included): what the README and tools/cli/README.md promise.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nas/testing/nas_cli.h"

namespace nas {
namespace {

const std::vector<std::string> kCommands = {"build-table", "compare", "export",  "import", "inspect",
                                            "merge-tables", "recover", "replay", "run",    "transfer"};

TEST(Help, ListsEveryCommandAlignedAndTheExitStatus) {
  const testing::CliRun r = testing::RunNasArgv({"--help"}, 60);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  size_t column = std::string::npos;
  for (const std::string& c : kCommands) {
    // "  NAME  description", descriptions starting in one column.
    const std::regex line("\\n  " + c + " +([^ ])");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, line)) << c << " missing from:\n" << r.out;
    const size_t line_start = r.out.rfind('\n', m.position(1)) + 1;
    const size_t col = m.position(1) - line_start;
    if (column == std::string::npos) column = col;
    EXPECT_EQ(col, column) << c << ": description not aligned";
  }
  EXPECT_NE(r.out.find("nb201-csv, nats-tss, nb101-tfrecord"), std::string::npos) << "import lists every kind";
  EXPECT_NE(r.out.find("exit status: 0 on success; 1 on any error"), std::string::npos) << r.out;
}

TEST(Help, EveryCommandExplainsItselfWithOptionsAligned) {
  for (const std::string& c : kCommands) {
    const testing::CliRun r = testing::RunNasArgv({c, "--help"}, 60);
    EXPECT_EQ(r.code, 0) << c << ": " << r.err;
    EXPECT_EQ(r.out.rfind("usage: nas " + c + " ", 0), 0u) << r.out;
    EXPECT_NE(r.out.find("exit status: 0 on success; 1 on any error"), std::string::npos) << c;
    // Option help texts start in one column.
    std::istringstream in(r.out);
    std::string l;
    size_t column = std::string::npos;
    while (std::getline(in, l)) {
      if (l.rfind("  --", 0) != 0) continue;
      const size_t gap = l.find("  ", 2);
      ASSERT_NE(gap, std::string::npos) << l;
      const size_t col = l.find_first_not_of(' ', gap);
      if (column == std::string::npos) column = col;
      EXPECT_EQ(col, column) << c << ": option help not aligned: " << l;
    }
  }
}

TEST(Version, PrintsTheReleaseTheCommitAndTheBuild) {
  const testing::CliRun r = testing::RunNasArgv({"--version"}, 60);
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream cff("CITATION.cff");
  std::stringstream text;
  text << cff.rdbuf();
  std::smatch m;
  const std::string cff_text = text.str();
  ASSERT_TRUE(std::regex_search(cff_text, m, std::regex("\\nversion: \"([^\"]+)\""))) << cff_text;
  const std::regex version("^nas " + std::regex_replace(m[1].str(), std::regex("\\."), "\\.") +
                           " \\(built from commit ([0-9a-f]{40}(-dirty)?|unknown); gcc [^,]+, (optimized|debug)\\)\\n$");
  EXPECT_TRUE(std::regex_match(r.out, version)) << r.out;
}

TEST(ExitStatus, OneForEveryError) {
  EXPECT_EQ(testing::RunNasArgv({}, 60).code, 1);
  EXPECT_EQ(testing::RunNasArgv({"bogus"}, 60).code, 1);
  EXPECT_EQ(testing::RunNasArgv({"inspect"}, 60).code, 1);
  EXPECT_EQ(testing::RunNasArgv({"inspect", "--bogus", "x.h5"}, 60).code, 1);
  EXPECT_EQ(testing::RunNasArgv({"inspect", "does-not-exist.h5"}, 60).code, 1);
  EXPECT_EQ(testing::RunNasArgv({"--help"}, 60).code, 0);
}

}  // namespace
}  // namespace nas
