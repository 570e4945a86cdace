// `nas build-table` / `nas merge-tables` through the binary: one-line spec errors, refusals to overwrite, and
// two CLI shards merged equal to the unsharded library build.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <tuple>
#include <algorithm>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nas/tabulate/build_spec.h"
#include "nas/tabulate/table_builder.h"
#include "nas/table/table_io.h"
#include "tests/build/tiny_spec.h"

namespace nas {
namespace {

using ::testing::HasSubstr;
using testing_build::TinySpecText;
using testing_build::TmpPath;
using testing_build::WriteFile;

int Shell(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

std::string Fresh(const std::string& name) {
  const std::string path = TmpPath(name);
  std::remove(path.c_str());
  std::remove(JournalPath(path).c_str());
  return path;
}

TEST(BuildCliTest, SpecErrorsAreOneLine) {
  std::string tiny = TinySpecText();
  std::string no_fid = tiny;
  no_fid.erase(no_fid.find("fidelities"), std::string("fidelities: [1, 2]\n").size());
  const std::string out = Fresh("never.h5");
  for (const auto& [name, text, what] :
       {std::tuple<std::string, std::string, std::string>{"nofid.textproto", no_fid, "fidelities: required"},
        {"space.textproto", "space: \"nb3\"\n" + tiny, "space: unknown search space 'nb3'"}}) {
    const std::string spec = WriteFile(name, text);
    const std::string err = TmpPath("err.txt");
    EXPECT_EQ(Shell("tools/nas build-table " + spec + " " + out + " 2> " + err), 1);
    const std::string msg = Slurp(err);
    EXPECT_THAT(msg, HasSubstr(spec + ": " + what));
    EXPECT_EQ(std::count(msg.begin(), msg.end(), '\n'), 1) << msg;
  }
  EXPECT_NE(::access(out.c_str(), F_OK), 0);
  EXPECT_NE(::access(JournalPath(out).c_str(), F_OK), 0);
}

TEST(BuildCliTest, ShardsThroughTheCliMergeToTheUnshardedBuild) {
  NAS_SKIP_WITHOUT_FMNIST();
  const std::string spec_path = WriteFile("tiny.textproto", TinySpecText(3));
  const std::string s0 = Fresh("cli0.h5"), s1 = Fresh("cli1.h5"), merged = Fresh("cli_merged.h5");
  ASSERT_EQ(Shell("tools/nas build-table " + spec_path + " " + s0 + " --shard 0/2 --threads 2 > /dev/null 2>&1"), 0);
  ASSERT_EQ(Shell("tools/nas build-table " + spec_path + " " + s1 + " --shard=1/2 > /dev/null 2>&1"), 0);
  const std::string err = TmpPath("err2.txt");
  EXPECT_EQ(Shell("tools/nas build-table " + spec_path + " " + s1 + " --shard=1/2 2> " + err), 1);
  EXPECT_THAT(Slurp(err), HasSubstr(s1 + ": exists; pass --overwrite"));
  EXPECT_EQ(Shell("tools/nas merge-tables " + merged + " " + s0 + " > /dev/null 2> " + err), 1);
  EXPECT_THAT(Slurp(err), HasSubstr("shard 1/2 is missing"));
  ASSERT_EQ(Shell("tools/nas merge-tables " + merged + " " + s1 + " " + s0 + " > /dev/null"), 0);
  EXPECT_EQ(Shell("tools/nas merge-tables " + merged + " " + s1 + " " + s0 + " 2> /dev/null"), 1);

  auto spec = ReadBuildSpec(spec_path);
  ASSERT_TRUE(spec.ok());
  BuildOptions o;
  o.out_path = Fresh("lib.h5");
  o.progress = false;
  ASSERT_TRUE(BuildTable(*spec, o).ok());
  auto ref = ReadTable(o.out_path), cli = ReadTable(merged);
  ASSERT_TRUE(ref.ok() && cli.ok());
  absl::Status same = CompareBuiltTables(**ref, **cli);
  EXPECT_TRUE(same.ok()) << same;
  EXPECT_THAT((*cli)->attributes().at("command"), HasSubstr("nas merge-tables"));
  EXPECT_EQ((*cli)->attributes().at("items_trained"), "24");
}

}  // namespace
}  // namespace nas
