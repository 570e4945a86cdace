// The log's safety promises through `nas` (nas/log/README.md, "Crash safety"): a file-size limit and a
// really full file system (a small tmpfs, where mounting one is allowed) mid-run with two worker threads, then
// --resume; --overwrite keeps the old log when the new one fails; the log's datasets do not depend on
// --threads; corrupt logs are refused with one line by every command that reads logs.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nas/h5/h5.h"
#include "nas/log/episode_log.h"
#include "nas/log/replay.h"
#include "nas/testing/nas_cli.h"
#include "nas/testing/shared_data.h"
#include "nas/testing/synthetic_table.h"

namespace nas {
namespace {

namespace fs = std::filesystem;
using testing::ScratchPath;

struct Result {
  int code = -1;
  std::string out, err;
};

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command line; stdout and stderr apart.
Result Sh(const std::string& cmd) {
  const std::string out = ScratchPath("sh_out.txt"), err = ScratchPath("sh_err.txt");
  const int status = std::system(("(" + cmd + ") > " + out + " 2> " + err).c_str());
  return Result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadText(out), ReadText(err)};
}

bool OneLine(const std::string& text) {
  return absl::StartsWith(text, "nas: ") && text.find('\n') == text.size() - 1;
}

std::string Config(const std::string& name) {
  const std::string table = testing::WriteSyntheticNb201Table(ScratchPath("synthetic.h5"));
  const std::string path = ScratchPath(name + ".textproto");
  std::ofstream(path) << "name: \"" << name << "\"\nbenchmark { table: \"" << table
                      << "\" dataset: \"toy\" search_epochs: 12 seed_mode: SAMPLE }\nbudget { evaluations: 1500 }\n"
                         "seeds { experiment_seed: 3 runs: 4 }\nmethods { name: \"random\" }\n"
                         "methods { name: \"regularized_evolution\" }\n";
  return path;
}

std::map<std::string, int64_t> Acks(const std::string& out) {
  std::map<std::string, int64_t> acked;
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    int64_t n;
    if (f.size() >= 3 && f[0] == "ack" && absl::SimpleAtoi(f[2], &n)) acked[f[1]] = std::max(acked[f[1]], n);
  }
  return acked;
}

// The stopped log holds exactly the acknowledged episodes, each equal to the uninterrupted run's.
void ExpectAcknowledgedPrefix(const LogFile& ref, const std::string& path, const std::map<std::string, int64_t>& acked) {
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  int64_t total = 0;
  for (size_t i = 0; i < log->runs.size(); ++i) {
    const RunLog& r = log->runs[i];
    const std::string key = r.label + "/" + std::to_string(r.run);
    const auto it = acked.find(key);
    EXPECT_EQ(static_cast<int64_t>(r.episodes.size()), it == acked.end() ? 0 : it->second) << key;
    RunLog prefix = ref.runs[i];
    ASSERT_LE(r.episodes.size(), prefix.episodes.size());
    prefix.episodes.resize(r.episodes.size());
    auto d = FirstDivergence(prefix, r);
    EXPECT_FALSE(d.has_value()) << d->ToString();
    total += r.episodes.size();
  }
  EXPECT_GT(total, 0);
}

void ExpectEqualsReference(const LogFile& ref, const std::string& path) {
  auto log = ReadLog(path);
  ASSERT_TRUE(log.ok()) << log.status();
  ASSERT_EQ(log->runs.size(), ref.runs.size());
  for (size_t i = 0; i < ref.runs.size(); ++i) {
    EXPECT_TRUE(log->runs[i].complete) << i;
    auto d = FirstDivergence(ref.runs[i], log->runs[i]);
    EXPECT_FALSE(d.has_value()) << d->ToString();
  }
}

TEST(LogSafetyCli, AFileSizeLimitMidRunStopsWithOneLineAndResumeCompletesTheLog) {
  const std::string cfg = Config("fsize");
  const std::string ref_path = ScratchPath("fsize_ref.h5"), log = ScratchPath("fsize.h5");
  fs::remove(ref_path);
  fs::remove(log);
  ASSERT_EQ(Sh("tools/nas run " + cfg + " --out " + ref_path + " --quiet").code, 0);
  auto ref = ReadLog(ref_path);
  ASSERT_TRUE(ref.ok()) << ref.status();
  // 400 KiB: the full log is about 1.6 MB. Two worker threads: no HDF5 error dump from either.
  const Result limited = Sh("prlimit --fsize=409600 tools/nas run " + cfg + " --out " + log +
                            " --quiet --print_acks --threads 2 --flush_every 50");
  EXPECT_EQ(limited.code, 1);
  EXPECT_TRUE(OneLine(limited.err)) << limited.err;
  EXPECT_TRUE(absl::StrContains(limited.err, log + ": cannot write the log: File too large")) << limited.err;
  ExpectAcknowledgedPrefix(*ref, log, Acks(limited.out));
  const Result resumed = Sh("tools/nas run " + cfg + " --resume " + log + " --quiet --threads 2");
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  ExpectEqualsReference(*ref, log);

  // --overwrite that fails keeps the old log as it was, and leaves the new one's episodes beside it.
  const Result over = Sh("prlimit --fsize=409600 tools/nas run " + cfg + " --out " + log + " --overwrite --quiet");
  EXPECT_EQ(over.code, 1);
  EXPECT_TRUE(OneLine(over.err)) << over.err;
  EXPECT_TRUE(absl::StrContains(over.err, log + " is untouched")) << over.err;
  ExpectEqualsReference(*ref, log);
  for (const auto& e : fs::directory_iterator(fs::path(log).parent_path()))
    if (absl::EndsWith(e.path().string(), ".partial")) fs::remove(e.path());
}

TEST(LogSafetyCli, AFullFileSystemMidRunStopsWithOneLineAndResumeCompletesTheLogOnceThereIsSpace) {
  const std::string dir = ScratchPath("small_fs");
  fs::create_directories(dir);
  if (Sh("unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs " + dir + "'").code != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here (needs root and mount namespaces)";
  const std::string cfg = Config("fullfs");
  const std::string ref_path = ScratchPath("fullfs_ref.h5");
  fs::remove(ref_path);
  ASSERT_EQ(Sh("tools/nas run " + cfg + " --out " + ref_path + " --quiet").code, 0);
  auto ref = ReadLog(ref_path);
  ASSERT_TRUE(ref.ok()) << ref.status();
  // In a private mount namespace: a 512 KiB tmpfs fills up mid-run; then it grows and --resume completes it.
  // The stopped log is copied with its write-ahead journal (--flush_every acknowledges through it).
  const std::string log = dir + "/full.h5", full = ScratchPath("full_copy.h5"), done = ScratchPath("done_copy.h5");
  const std::string acks = ScratchPath("full_acks.txt"), err = ScratchPath("full_err.txt");
  const std::string rc = ScratchPath("full_rc.txt"), rc2 = ScratchPath("resume_rc.txt");
  const Result r = Sh("unshare -m sh -c 'mount -t tmpfs -o size=512k tmpfs " + dir + " && tools/nas run " + cfg +
                      " --out " + log + " --quiet --print_acks --threads 2 --flush_every 50 > " + acks + " 2> " + err +
                      "; echo $? > " + rc + "; cp " + log + " " + full + "; cp " + log + ".journal " + full +
                      ".journal; mount -o remount,size=8m " + dir +
                      " && tools/nas run " + cfg + " --resume " + log + " --quiet > /dev/null; echo $? > " + rc2 +
                      "; cp " + log + " " + done + "'");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ReadText(rc), "1\n");
  const std::string message = ReadText(err);
  EXPECT_TRUE(OneLine(message)) << message;
  EXPECT_TRUE(absl::StrContains(message, log + ": cannot write the log: No space left on device")) << message;
  ExpectAcknowledgedPrefix(*ref, full, Acks(ReadText(acks)));
  EXPECT_EQ(ReadText(rc2), "0\n");
  ExpectEqualsReference(*ref, done);
}

// Every dataset of a log, as bytes, with the wall-time members of compound rows zeroed, and the rows of a
// dataset with a run column in run order (stable: each run's rows in the order written). A method's runs share
// its datasets, interleaved in the order their commits happened, which threads change.
std::map<std::string, std::string> Datasets(const std::string& path) {
  std::map<std::string, std::string> out;
  h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  struct Ctx {
    std::map<std::string, std::string>* out;
  } ctx{&out};
  H5Ovisit2(
      f.get(), H5_INDEX_NAME, H5_ITER_INC,
      [](hid_t root, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        if (info->type != H5O_TYPE_DATASET) return 0;
        h5::Handle ds(H5Dopen2(root, name, H5P_DEFAULT));
        h5::Handle type(H5Dget_type(ds.get()));
        h5::Handle space(H5Dget_space(ds.get()));
        const size_t size = H5Tget_size(type.get());
        const hssize_t n = H5Sget_simple_extent_npoints(space.get());
        std::string bytes(static_cast<size_t>(n) * size, '\0');
        if (n > 0) H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data());
        if (H5Tget_class(type.get()) == H5T_COMPOUND)
          for (const char* wall : {"wall_time", "train_time"}) {
            const int m = H5Tget_member_index(type.get(), wall);
            if (m < 0) continue;
            const size_t off = H5Tget_member_offset(type.get(), m);
            for (hssize_t i = 0; i < n; ++i) std::memset(&bytes[i * size + off], 0, 8);
          }
        const int run = H5Tget_class(type.get()) == H5T_COMPOUND ? H5Tget_member_index(type.get(), "run") : -1;
        if (run >= 0 && std::string(name) != "slots") {
          const size_t off = H5Tget_member_offset(type.get(), run);
          std::vector<std::string> rows;
          for (hssize_t i = 0; i < n; ++i) rows.push_back(bytes.substr(i * size, size));
          std::stable_sort(rows.begin(), rows.end(), [&](const std::string& x, const std::string& y) {
            int32_t rx, ry;
            std::memcpy(&rx, x.data() + off, 4);
            std::memcpy(&ry, y.data() + off, 4);
            return rx < ry;
          });
          bytes.clear();
          for (const std::string& r : rows) bytes += r;
        }
        (*static_cast<Ctx*>(data)->out)[name] = bytes;
        return 0;
      },
      &ctx, H5O_INFO_BASIC);
  return out;
}

TEST(LogSafetyCli, TheLogsDatasetsDoNotDependOnThreads) {
  NAS_REQUIRE_SHARED_FILE(csv, "nasbench201/nasbench201_cifar10.csv");
  const std::string table = ScratchPath("nb201_c10.h5");
  ASSERT_EQ(Sh("tools/nas import nb201-csv " + csv + " " + table + " 2>&1 || true").code, 0);
  const std::string one = ScratchPath("threads1.h5"), two = ScratchPath("threads2.h5");
  const std::string cfg = "benchmarks/experiments/nb201_5methods.textproto --table " + table + " --quiet";
  ASSERT_EQ(Sh("tools/nas run " + cfg + " --out " + one + " --overwrite --threads 1").code, 0);
  ASSERT_EQ(Sh("tools/nas run " + cfg + " --out " + two + " --overwrite --threads 2").code, 0);
  const auto a = Datasets(one), b = Datasets(two);
  ASSERT_EQ(a.size(), 5u * 2 + 2);  // 5 methods x (episodes, curves), /slots, /progress
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, bytes] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(b.at(name) == bytes) << name << " differs between --threads 1 and 2";
  }
}

TEST(LogSafetyCli, CorruptLogsAreRefusedWithOneLineByEveryReader) {
  const std::string cfg = Config("corrupt");
  const std::string good = ScratchPath("corrupt_good.h5");
  fs::remove(good);
  ASSERT_EQ(Sh("tools/nas run " + cfg + " --out " + good + " --quiet").code, 0);
  auto log = ReadLog(good);
  ASSERT_TRUE(log.ok());
  struct Case {
    std::string name, expect;
  };
  const std::vector<Case> cases = {{"flipped", "/runs/random/episodes: corrupt data"},
                                   {"bad_config", "attribute config"},
                                   {"bad_slot", "/progress has 9 rows for 8 runs"}};
  for (const Case& c : cases) {
    const std::string path = ScratchPath("corrupt_" + c.name + ".h5");
    fs::copy_file(good, path, fs::copy_options::overwrite_existing);
    if (c.name == "flipped") {
      h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
      h5::Handle ds(H5Dopen2(f.get(), "/runs/random/episodes", H5P_DEFAULT));
      h5::Handle space(H5Dget_space(ds.get()));
      hsize_t offset[1], size = 0;
      unsigned mask = 0;
      haddr_t addr = 0;
      ASSERT_GE(H5Dget_chunk_info(ds.get(), space.get(), 0, offset, &mask, &addr, &size), 0);
      f.reset();
      std::fstream io(path, std::ios::in | std::ios::out | std::ios::binary);
      io.seekg(static_cast<std::streamoff>(addr + 40));
      const char byte = static_cast<char>(io.get() ^ 0x10);
      io.seekp(static_cast<std::streamoff>(addr + 40));
      io.put(byte);
    } else if (c.name == "bad_config") {
      auto f = h5::File::Open(path, /*writable=*/true);
      ASSERT_TRUE(f->WriteStringAttr("/", "config", "methods { name: ").ok());
    } else {
      h5::Handle f(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
      ASSERT_GE(H5Ldelete(f.get(), "/progress", H5P_DEFAULT), 0);
      f.reset();
      auto file = h5::File::Open(path, /*writable=*/true);
      ASSERT_TRUE(file->WriteInt64s("/progress", std::vector<int64_t>(9, 1)).ok());
    }
    for (const std::string& command : {"inspect " + path, "export " + path + " --csv " + ScratchPath("x.csv"),
                                       "replay " + path, "compare " + path}) {
      const Result r = Sh("tools/nas " + command);
      EXPECT_EQ(r.code, 1) << command;
      EXPECT_TRUE(OneLine(r.err)) << command << ": " << r.err;
      EXPECT_TRUE(absl::StrContains(r.err, path)) << command << ": " << r.err;
      EXPECT_TRUE(absl::StrContains(r.err, c.expect)) << command << ": " << r.err;
    }
  }
}

}  // namespace
}  // namespace nas
