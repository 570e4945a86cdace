// ImportNatsTss on the real NATS-Bench TSS sample (../shared/data/nats-tss-sample: meta + archs 0, 11, 284).
// Expected numbers were copied from CPython's pickle of the same files (bz2 + pickle, numpy scalars decoded).
#include "nas/table/nats_tss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nas/space/nb201_space.h"
#include "nas/table/table_io.h"
#include "nas/testing/shared_data.h"
#include "nas/util/sha256.h"

namespace nas {
namespace {

namespace fs = std::filesystem;

constexpr char kArch0[] =
    "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|";
constexpr char kArch11[] =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|";
constexpr char kArch284[] = "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|none~0|nor_conv_1x1~1|none~2|";

std::string TmpDir(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
  fs::remove_all(path);
  fs::create_directories(path);
  return path;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteAll(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary);
  out << data;
}

int64_t OrdinalOf(const std::string& arch) {
  Nb201Space space;
  auto actions = space.Parse(arch);
  EXPECT_TRUE(actions.ok()) << actions.status();
  return space.Ordinal(*actions);
}

int SlotOf(const TableDataset& d, int64_t seed) {
  for (size_t i = 0; i < d.seeds().size(); ++i)
    if (d.seeds()[i] == seed) return static_cast<int>(i);
  ADD_FAILURE() << "no seed " << seed;
  return 0;
}

void ExpectEntry(const TableDataset& d, int64_t row, int epochs, int64_t seed, double train, double valid, double test,
                 double time) {
  SCOPED_TRACE(absl::StrCat(d.name(), " row ", row, " fidelity ", epochs, " seed ", seed));
  auto f = d.FidelityIndex(epochs);
  ASSERT_TRUE(f.ok()) << f.status();
  const TableEntry& e = d.at(row, *f, SlotOf(d, seed));
  EXPECT_EQ(e.train_acc, train);
  if (std::isnan(valid)) {
    EXPECT_TRUE(std::isnan(e.valid_acc)) << e.valid_acc;
  } else {
    EXPECT_EQ(e.valid_acc, valid);
  }
  EXPECT_EQ(e.test_acc, test);
  EXPECT_EQ(e.train_time, time);  // bit-equal to Python's sum(train_times.values())
}

TEST(NatsTss, ImportsTheSampleWithTheFilesValues) {
  NAS_REQUIRE_SHARED_FILE(meta, "nats-tss-sample/meta.pickle.pbz2");
  const std::string dir = fs::path(meta).parent_path().string();
  NatsTssImportStats stats;
  auto imported = ImportNatsTss(dir, &stats);
  ASSERT_TRUE(imported.ok()) << imported.status();
  const Table& t = **imported;
  EXPECT_EQ(stats.archs_imported, 3);
  EXPECT_EQ(stats.files_read, 4);
  EXPECT_EQ(t.space(), "nb201");
  ASSERT_EQ(t.num_archs(), 15625);
  EXPECT_EQ(t.dataset_names(), (std::vector<std::string>{"cifar10-valid", "cifar10", "cifar100", "ImageNet16-120"}));
  EXPECT_EQ(t.attributes().at("source"), "NATS-Bench TSS simple (nats-tss-sample)");
  EXPECT_EQ(t.attributes().at("license"), "MIT (NATS-Bench)");
  EXPECT_EQ(t.attributes().at("importer"), "nas import nats-tss");
  EXPECT_EQ(t.attributes().at("imported_archs"), "3");
  std::string listing;
  for (const char* name : {"000000.pickle.pbz2", "000011.pickle.pbz2", "000284.pickle.pbz2", "meta.pickle.pbz2"}) {
    auto sha = Sha256File(dir + "/" + name);
    ASSERT_TRUE(sha.ok()) << sha.status();
    absl::StrAppend(&listing, *sha, "  ", name, "\n");
  }
  EXPECT_EQ(t.attributes().at("source_sha256"), Sha256Hex(listing));

  // source_index is a permutation from meta_archs; the three rows hold their NATS index.
  std::vector<bool> seen(15625, false);
  for (int64_t s : t.source_index()) {
    ASSERT_TRUE(s >= 0 && s < 15625 && !seen[s]) << s;
    seen[s] = true;
  }
  const int64_t r0 = OrdinalOf(kArch0), r11 = OrdinalOf(kArch11), r284 = OrdinalOf(kArch284);
  EXPECT_EQ(t.source_index()[r0], 0);
  EXPECT_EQ(t.source_index()[r11], 11);
  EXPECT_EQ(t.source_index()[r284], 284);
  EXPECT_EQ(t.params_m()[r0], 0.129306);
  EXPECT_EQ(t.flops_m()[r0], 15.64737);
  EXPECT_EQ(t.params_m()[r11], 0.802426);  // cifar10-valid's, not cifar100's 0.808276
  EXPECT_EQ(t.flops_m()[r11], 113.95137);
  EXPECT_EQ(t.params_m()[r284], 0.101306);
  EXPECT_EQ(t.flops_m()[r284], 11.71521);

  const TableDataset& c10v = *t.dataset("cifar10-valid").value();
  EXPECT_EQ(c10v.fidelities(), (std::vector<int>{12, 200}));
  EXPECT_EQ(c10v.seeds(), (std::vector<int64_t>{111, 777, 888, 999}));
  ExpectEntry(c10v, r0, 12, 777, 63.92000001708984, 62.71199997802734, 62.82, 86.65311598777771);
  ExpectEntry(c10v, r0, 12, 111, 64.97199997802734, 64.01599998291016, 63.66, 86.65311598777771);
  ExpectEntry(c10v, r0, 200, 777, 89.00400000488281, 82.09199998291015, 81.52, 1444.2185997962952);
  ExpectEntry(c10v, r0, 200, 999, 88.98799998291015, 82.24000001464844, 81.14, 1444.2185997962952);
  // Seed 888 has no 12-epoch run, seed 111 no 200-epoch run.
  EXPECT_TRUE(std::isnan(c10v.at(r0, 0, SlotOf(c10v, 888)).valid_acc));
  EXPECT_TRUE(std::isnan(c10v.at(r0, 1, SlotOf(c10v, 111)).test_acc));
  // Mean slot over the seeds present (slot order 777, 888, 999).
  EXPECT_DOUBLE_EQ(c10v.at(r0, 1, c10v.mean_slot()).valid_acc,
                   (82.09199998291015 + 81.61599997314453 + 82.24000001464844) / 3);
  EXPECT_DOUBLE_EQ(c10v.at(r0, 0, c10v.mean_slot()).test_acc, (63.66 + 62.82) / 2);

  const TableDataset& c100 = *t.dataset("cifar100").value();
  EXPECT_EQ(c100.seeds(), (std::vector<int64_t>{111, 777, 888, 999}));
  ExpectEntry(c100, r11, 12, 111, 33.478, 33.63999997253418, 32.76000000305176, 299.08936309814453);
  ExpectEntry(c100, r11, 200, 999, 96.06, 66.45999992675782, 68.27999991455079, 4984.822718302408);
  ExpectEntry(c100, r11, 200, 888, 96.152, 68.17999992675782, 67.67999995117188, 4984.822718302408);

  const TableDataset& in16 = *t.dataset("ImageNet16-120").value();
  ExpectEntry(in16, r284, 12, 111, 21.086354647984063, 22.19999998474121, 21.733333333333334, 355.0358429164887);
  ExpectEntry(in16, r284, 200, 888, 33.687541199032225, 33.06666665140788, 31.933333201090495, 5917.264048608147);

  const TableDataset& c10 = *t.dataset("cifar10").value();
  ExpectEntry(c10, r284, 12, 111, 80.502, NAN, 79.46, 117.01906490325929);
  ExpectEntry(c10, r284, 200, 777, 94.568, NAN, 88.73, 1950.3177483876602);

  // Architectures without a file stay NaN everywhere.
  int64_t other = 0;
  while (other == r0 || other == r11 || other == r284) ++other;
  EXPECT_TRUE(std::isnan(t.params_m()[other]));
  for (const TableDataset& d : t.datasets())
    for (int f = 0; f < 2; ++f)
      for (int s = 0; s < d.num_slots(); ++s) EXPECT_TRUE(std::isnan(d.at(other, f, s).test_acc));

  // The table round-trips through the one HDF5 format.
  const std::string out = TmpDir("nats_h5") + "/nats.h5";
  ASSERT_TRUE(WriteTable(t, out, /*overwrite=*/false).ok());
  auto back = ReadTable(out);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ((*back)->dataset("cifar100").value()->at(r11, 1, 2).valid_acc, 68.17999992675782);
}

// Copies meta + one arch file (possibly altered) into a fresh directory and imports it.
absl::Status ImportAltered(const std::string& sample_dir, const std::string& tmp_name, const std::string& name,
                           const std::string& arch_bytes, std::string* dir) {
  *dir = TmpDir(tmp_name);
  fs::copy_file(sample_dir + "/meta.pickle.pbz2", *dir + "/meta.pickle.pbz2");
  WriteAll(*dir + "/" + name, arch_bytes);
  return ImportNatsTss(*dir).status();
}

TEST(NatsTss, CorruptOrTruncatedFilesGiveAClearErrorNamingThem) {
  NAS_REQUIRE_SHARED_FILE(meta, "nats-tss-sample/meta.pickle.pbz2");
  const std::string sample = fs::path(meta).parent_path().string();
  const std::string good = ReadAll(sample + "/000011.pickle.pbz2");
  ASSERT_GT(good.size(), 1000u);
  std::string dir;

  std::string flipped = good;
  for (size_t i = good.size() / 2; i < good.size() / 2 + 8; ++i) flipped[i] = static_cast<char>(~flipped[i]);
  absl::Status s = ImportAltered(sample, "flipped", "000011.pickle.pbz2", flipped, &dir);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(absl::StrContains(s.message(), dir + "/000011.pickle.pbz2: corrupt bzip2 data")) << s;

  s = ImportAltered(sample, "truncated", "000011.pickle.pbz2", good.substr(0, good.size() / 2), &dir);
  EXPECT_TRUE(absl::StrContains(s.message(), dir + "/000011.pickle.pbz2: truncated bzip2 data")) << s;

  s = ImportAltered(sample, "empty", "000011.pickle.pbz2", "", &dir);
  EXPECT_TRUE(absl::StrContains(s.message(), dir + "/000011.pickle.pbz2: empty file")) << s;

  s = ImportAltered(sample, "notbz2", "000011.pickle.pbz2", "hello, world", &dir);
  EXPECT_TRUE(absl::StrContains(s.message(), dir + "/000011.pickle.pbz2: not bzip2 data")) << s;

  // A valid file under another index's name.
  s = ImportAltered(sample, "renamed", "000012.pickle.pbz2", good, &dir);
  EXPECT_TRUE(absl::StrContains(s.message(), dir + "/000012.pickle.pbz2: ['12']['arch_index']: is 11 but the file "
                                                   "name says 12"))
      << s;

  s = ImportAltered(sample, "outside", "015625.pickle.pbz2", good, &dir);
  EXPECT_TRUE(absl::StrContains(s.message(), "015625.pickle.pbz2: index 15625 is outside")) << s;

  // Truncations of the compressed file are errors, never crashes (a stride keeps it quick).
  for (size_t n = 0; n < good.size(); n += good.size() / 10 + 1) {
    s = ImportAltered(sample, "prefix", "000011.pickle.pbz2", good.substr(0, n), &dir);
    EXPECT_FALSE(s.ok()) << n;
  }
}

TEST(NatsTss, MissingDirectoryMetaOrArchFiles) {
  NAS_REQUIRE_SHARED_FILE(meta, "nats-tss-sample/meta.pickle.pbz2");
  absl::Status s = ImportNatsTss("/nonexistent/nats").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(s.message(), "/nonexistent/nats: no such directory")) << s;

  const std::string only_meta = TmpDir("only_meta");
  fs::copy_file(meta, only_meta + "/meta.pickle.pbz2");
  s = ImportNatsTss(only_meta).status();
  EXPECT_TRUE(absl::StrContains(s.message(), "no architecture files")) << s;

  const std::string no_meta = TmpDir("no_meta");
  fs::copy_file(fs::path(meta).parent_path() / "000000.pickle.pbz2", no_meta + "/000000.pickle.pbz2");
  s = ImportNatsTss(no_meta).status();
  EXPECT_TRUE(absl::StrContains(s.message(), no_meta + "/meta.pickle.pbz2: no such file")) << s;
}

}  // namespace
}  // namespace nas
