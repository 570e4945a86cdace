// Table-driven bad-input regression: every case of tests/tools/bad_input/cases.txt runs the `nas` binary and
// must exit 1 (the one exit status of every error, usage errors included) with exactly one stderr line
// "nas: ...\n" holding the expected text, without a signal, within a time limit, leaving every input file byte
// for byte as it was. Positive controls
// show that the same commands succeed on good input and that --overwrite still replaces a previous output of
// its own kind.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nas/table/table_io.h"
#include "nas/testing/nas_cli.h"
#include "nas/testing/synthetic_table.h"

namespace nas {
namespace {

namespace fs = std::filesystem;
constexpr double kTimeLimitS = 120;

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

// Every regular file under `dir` (links followed) and its bytes.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files[e.path().string()] = Slurp(e.path().string());
  return files;
}

struct Case {
  std::string name, args, expect;
  bool keeps_log = false;  // a run that fails after it started keeps its acknowledged episodes (--resume)
};

std::vector<Case> ReadCases(const std::string& path) {
  std::vector<Case> cases;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> parts = absl::StrSplit(line, absl::ByString(" |"));
    for (std::string& p : parts) p = std::string(absl::StripAsciiWhitespace(p));
    if (parts.size() != 3 && !(parts.size() == 4 && parts[3] == "keeps-log")) {
      ADD_FAILURE() << path << ": malformed case line: " << line;
      continue;
    }
    cases.push_back({parts[0], parts[1], parts[2], parts.size() == 4});
  }
  return cases;
}

// The scratch world the cases run in: a copy of the case files plus generated tables, a log and links.
class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(testing::ScratchPath("bad_input_world"));
    fs::remove_all(*root_);
    const std::string in = *root_ + "/in", out = *root_ + "/out";
    fs::create_directories(out);
    fs::copy("tests/tools/bad_input", in, fs::copy_options::recursive);
    for (const auto& e : fs::recursive_directory_iterator(in))  // runfiles are read-only: copies need not be
      if (e.is_regular_file()) fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
    vars_ = new std::map<std::string, std::string>{{"{in}", in}};
    auto& v = *vars_;
    v["{table}"] = testing::WriteSyntheticNb201Table(in + "/table.h5");
    fs::copy_file(v["{table}"], in + "/table2.h5");
    v["{table2}"] = in + "/table2.h5";
    auto table = ReadTable(v["{table}"]);
    ASSERT_TRUE(table.ok()) << table.status();
    TableDataset& d = (*table)->mutable_datasets()[0];
    for (int64_t a = 0; a < d.num_archs(); a += 7)
      for (int s = 0; s < 3; ++s) d.mutable_at(a, 0, s).valid_acc = NAN;
    v["{nan_table}"] = in + "/nan_table.h5";
    ASSERT_TRUE(WriteTable(**table, v["{nan_table}"], true).ok());
    v["{cfg_symlink}"] = out + "/cfg_symlink.textproto";
    fs::create_symlink(in + "/valid.textproto", v["{cfg_symlink}"]);
    v["{table_hardlink}"] = in + "/table_hardlink.h5";
    fs::create_hard_link(v["{table}"], v["{table_hardlink}"]);
    v["{log}"] = in + "/log.h5";
    testing::CliRun r = testing::RunNasArgv(
        {"run", in + "/valid.textproto", "--table", v["{table}"], "--out", v["{log}"], "--quiet"}, kTimeLimitS);
    ASSERT_EQ(r.code, 0) << r.err;
    // A FIFO (opening one for reading blocks until a writer comes): outside {in}, whose snapshot reads files.
    v["{fifo}"] = out + "/fifo.h5";
    ASSERT_EQ(mkfifo(v["{fifo}"].c_str(), 0600), 0);
    // A damaged log: the first half of {log}.
    v["{damaged_log}"] = in + "/damaged_log.h5";
    {
      const std::string bytes = Slurp(v["{log}"]);
      std::ofstream(v["{damaged_log}"], std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    }
    v["{log_csv}"] = in + "/log.csv";
    r = testing::RunNasArgv({"export", v["{log}"], "--csv", v["{log_csv}"]}, kTimeLimitS);
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete root_;
    delete vars_;
  }

  static std::vector<std::string> Expand(const std::string& args, const std::string& case_name) {
    std::map<std::string, std::string> v = *vars_;
    v["{out}"] = *root_ + "/out/" + case_name + ".out";
    std::vector<std::string> argv;
    for (absl::string_view a : absl::StrSplit(args, ' ', absl::SkipEmpty()))
      argv.push_back(absl::StrReplaceAll(a, v));
    return argv;
  }

  static std::string* root_;
  static std::map<std::string, std::string>* vars_;
};
std::string* BadInput::root_ = nullptr;
std::map<std::string, std::string>* BadInput::vars_ = nullptr;

class BadInputCase : public BadInput, public ::testing::WithParamInterface<Case> {};

TEST_P(BadInputCase, OneLineExitOneNoSignalNoHangNothingModified) {
  const Case& c = GetParam();
  SCOPED_TRACE("case " + c.name + ": nas " + c.args);
  const std::string in = (*vars_)["{in}"];
  const auto before = Snapshot(in);
  const testing::CliRun r = testing::RunNasArgv(Expand(c.args, c.name), kTimeLimitS);
  EXPECT_FALSE(r.timed_out) << "still running after " << kTimeLimitS << " s";
  EXPECT_EQ(r.signal, 0) << "ended by signal " << r.signal << "; stderr: " << r.err;
  EXPECT_EQ(r.code, 1) << "stderr: " << r.err;
  EXPECT_TRUE(absl::EndsWith(r.err, "\n")) << "the error line does not end with a newline: " << r.err;
  const std::string err(absl::StripSuffix(r.err, "\n"));
  EXPECT_EQ(err.find('\n'), std::string::npos) << "more than one stderr line:\n" << r.err;
  EXPECT_EQ(err.rfind("nas: ", 0), 0u) << r.err;
  EXPECT_NE(err.find(c.expect), std::string::npos) << "expected '" << c.expect << "' in: " << r.err;
  const auto after = Snapshot(in);
  EXPECT_EQ(before.size(), after.size()) << "files appeared or vanished among the inputs";
  for (const auto& [path, bytes] : before) {
    auto it = after.find(path);
    EXPECT_TRUE(it != after.end() && it->second == bytes) << path << " was modified";
  }
  if (!c.keeps_log) {
    EXPECT_FALSE(fs::exists(*root_ + "/out/" + c.name + ".out")) << "a failed command left its output";
  }
}

const std::vector<Case>& Cases() {
  static const std::vector<Case>* cases = new std::vector<Case>(ReadCases("tests/tools/bad_input/cases.txt"));
  return *cases;
}

INSTANTIATE_TEST_SUITE_P(Cases, BadInputCase, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(BadInputCases, CoverEveryClass) {
  EXPECT_GE(Cases().size(), 50u);
  for (const char* kind : {"run ", "import ", "build-table ", "merge-tables ", "export ", "compare "}) {
    bool found = false;
    for (const Case& c : Cases()) found = found || c.args.rfind(kind, 0) == 0;
    EXPECT_TRUE(found) << "no case runs `nas " << kind << "`";
  }
}

TEST_F(BadInput, GoodInputStillWorksAndOverwriteReplacesAPreviousOutputOfItsKind) {
  auto& v = *vars_;
  const std::string out = *root_ + "/out";
  auto ok = [](const std::vector<std::string>& args) {
    testing::CliRun r = testing::RunNasArgv(args, kTimeLimitS);
    EXPECT_EQ(r.code, 0) << r.err;
  };
  const std::string log = out + "/again.h5", csv = out + "/again.csv", cmp = out + "/compare.csv";
  ok({"run", v["{in}"] + "/valid.textproto", "--table", v["{table}"], "--out", log, "--quiet"});
  ok({"run", v["{in}"] + "/valid.textproto", "--table", v["{table}"], "--out", log, "--quiet", "--overwrite"});
  ok({"export", log, "--csv", csv});
  ok({"export", log, "--csv", csv, "--overwrite"});
  ok({"compare", log, "--csv", cmp});
  ok({"compare", log, "--csv", cmp, "--overwrite"});
  const std::string merged = out + "/merged.h5";
  fs::copy_file(v["{table}"], merged);  // a previous nas table: merge-tables may replace it
  testing::CliRun r = testing::RunNasArgv({"merge-tables", merged, v["{table}"], "--overwrite"}, kTimeLimitS);
  EXPECT_EQ(r.err.find("is not a nas table"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("is an input"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace nas
