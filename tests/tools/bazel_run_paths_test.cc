// Which directory `nas` resolves relative paths against. `bazel run //tools:nas` starts nas in its runfiles
// tree with BUILD_WORKING_DIRECTORY naming the user's directory, and relative paths are the user's. Every
// process started below a `bazel run` inherits that variable (e.g. a benchmark run by `bazel run` that starts
// tools/nas from its own runfiles with runfiles-relative paths): such a nas resolves against its own working
// directory.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "nas/testing/nas_cli.h"
#include "nas/testing/synthetic_table.h"

namespace nas {
namespace {

namespace fs = std::filesystem;

std::string Quote(const std::string& s) { return "'" + s + "'"; }

// `nas inspect table.h5` started in `cwd` by `program`, with BUILD_WORKING_DIRECTORY=`working_directory`
// ("": unset).
testing::CliResult InspectFrom(const std::string& program, const std::string& cwd,
                               const std::string& working_directory) {
  const std::string env =
      working_directory.empty() ? "unset BUILD_WORKING_DIRECTORY; " : "BUILD_WORKING_DIRECTORY=" + Quote(working_directory) + " ";
  return testing::RunShell("cd " + Quote(cwd) + " && " + env + Quote(program) + " inspect table.h5");
}

class BazelRunPaths : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = testing::ScratchPath("bazel_run_paths");
    fs::remove_all(root_);
    // The layout `bazel run` makes: bin/nas, its runfiles tree bin/nas.runfiles/nas_harness as the working
    // directory, and the user's directory with the table.
    runfiles_ = root_ + "/bin/nas.runfiles/nas_harness";
    user_ = root_ + "/user";
    elsewhere_ = root_ + "/elsewhere";
    for (const std::string& d : {runfiles_, user_, elsewhere_}) fs::create_directories(d);
    nas_ = root_ + "/bin/nas";
    // A copy, not a link: nas finds its runfiles tree from the real path of its executable.
    fs::copy_file(fs::absolute("tools/nas"), nas_);
    fs::permissions(nas_, fs::perms::owner_all);
    testing::WriteSyntheticNb201Table(user_ + "/table.h5");
  }
  std::string root_, runfiles_, user_, elsewhere_, nas_;
};

TEST_F(BazelRunPaths, TheProgramBazelRunStartedResolvesAgainstTheUsersDirectory) {
  const testing::CliResult r = InspectFrom(nas_, runfiles_, user_);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("toy"), std::string::npos) << r.out;
}

TEST_F(BazelRunPaths, WithoutTheVariableTheWorkingDirectoryCounts) {
  const testing::CliResult r = InspectFrom(nas_, runfiles_, "");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("table.h5"), std::string::npos) << r.out;
}

TEST_F(BazelRunPaths, AProcessStartedBelowBazelRunResolvesAgainstItsOwnWorkingDirectory) {
  // The inherited variable names a directory without the table; the working directory has it.
  const testing::CliResult r = InspectFrom(nas_, user_, elsewhere_);
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("toy"), std::string::npos) << r.out;
  // The same from another program's runfiles tree (this test's, where tools/nas is a link into bazel-bin).
  fs::copy_file(user_ + "/table.h5", "table.h5", fs::copy_options::overwrite_existing);
  const testing::CliResult linked = InspectFrom(fs::absolute("tools/nas"), fs::current_path(), elsewhere_);
  fs::remove("table.h5");
  EXPECT_EQ(linked.code, 0) << linked.out;
}

TEST_F(BazelRunPaths, ARunfilesTreeOfAnotherProgramBesideItDoesNotCount) {
  const std::string other = root_ + "/bin/side_by_side.runfiles/nas_harness";
  fs::create_directories(other);
  fs::copy_file(user_ + "/table.h5", other + "/table.h5");
  const testing::CliResult r = InspectFrom(nas_, other, elsewhere_);
  EXPECT_EQ(r.code, 0) << r.out;
}

}  // namespace
}  // namespace nas
