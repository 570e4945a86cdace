// Tables are byte-deterministic (no HDF5 object timestamps) and their values carry checksums verified on read:
// a flipped byte in any array is reported as corruption naming the array; tables written before the checksums
// (the embedded datasets/nb201_fmnist table) still load, with their contents hash computed.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdio>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "nas/h5/h5.h"
#include "nas/space/nb201_space.h"
#include "nas/table/table.h"
#include "nas/table/table_io.h"
#include "nas/util/sha256.h"

namespace nas {
namespace {

std::string TmpPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

Table MakeTable() {
  Table table("nb201", Nb201Space().size());
  for (int64_t a = 0; a < table.num_archs(); ++a) {
    table.source_index()[a] = a;
    table.params_m()[a] = 0.1 * (a % 13);
    table.flops_m()[a] = 1.5 * (a % 7);
  }
  table.attributes()["source"] = "integrity test";
  TableDataset& d = table.AddDataset("cifar10-valid", {12, 200}, {777, 888});
  int64_t i = 0;
  for (TableEntry& e : d.mutable_entries()) {
    e.train_acc = 50 + (i % 50);
    e.valid_acc = 40 + (i % 37) * 0.5;
    e.test_acc = 30 + (i % 41) * 0.25;
    e.train_time = 10 + (i++ % 11);
  }
  return table;
}

// The file offset of a contiguous dataset's raw data.
int64_t RawOffset(const std::string& path, const std::string& dataset) {
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t ds = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
  const haddr_t off = H5Dget_offset(ds);
  H5Dclose(ds);
  H5Fclose(f);
  return off == HADDR_UNDEF ? -1 : static_cast<int64_t>(off);
}

TEST(TableIntegrity, SameTableWrittenTwiceGivesTheSameBytes) {
  const Table table = MakeTable();
  const std::string a = TmpPath("twice_a.h5"), b = TmpPath("twice_b.h5");
  ASSERT_TRUE(WriteTable(table, a, true).ok());
  // HDF5's object timestamps have a one-second resolution: make sure the clock moves between the writes.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  ASSERT_TRUE(WriteTable(table, b, true).ok());
  EXPECT_EQ(*Sha256File(a), *Sha256File(b));
}

TEST(TableIntegrity, ContentsHashIsStoredAndVerified) {
  const std::string path = TmpPath("hashed.h5");
  ASSERT_TRUE(WriteTable(MakeTable(), path, true).ok());
  auto table = ReadTable(path);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_TRUE((*table)->checksummed());
  EXPECT_EQ((*table)->values_sha256().size(), 64u);
  EXPECT_EQ((*table)->attributes().count("values_sha256"), 0u);  // reserved, not a provenance attribute
  // The contents hash ignores provenance attributes: a copy with another command line has the same one.
  Table other = MakeTable();
  other.attributes()["command"] = "nas import something else";
  const std::string path2 = TmpPath("hashed2.h5");
  ASSERT_TRUE(WriteTable(other, path2, true).ok());
  auto table2 = ReadTable(path2);
  ASSERT_TRUE(table2.ok());
  EXPECT_EQ((*table2)->values_sha256(), (*table)->values_sha256());
  EXPECT_NE(*Sha256File(path2), *Sha256File(path));
}

TEST(TableIntegrity, FlippedByteInAnyArrayIsReportedNamingIt) {
  const std::string path = TmpPath("flip.h5");
  ASSERT_TRUE(WriteTable(MakeTable(), path, true).ok());
  const std::string good = ReadBytes(path);
  for (const std::string array : {"/datasets/cifar10-valid/valid_acc", "/datasets/cifar10-valid/test_acc",
                                  "/datasets/cifar10-valid/train_time", "/archs/params_m", "/archs/source_index"}) {
    SCOPED_TRACE(array);
    const int64_t off = RawOffset(path, array);
    ASSERT_GT(off, 0);
    for (int64_t delta : {int64_t{0}, int64_t{8 * 1000 + 3}}) {
      std::string bad = good;
      bad[off + delta] ^= 0x10;
      const std::string bad_path = TmpPath("flipped.h5");
      WriteBytes(bad_path, bad);
      auto table = ReadTable(bad_path);
      ASSERT_FALSE(table.ok()) << "a flipped byte at " << off + delta << " went unnoticed";
      const std::string msg(table.status().message());
      EXPECT_EQ(table.status().code(), absl::StatusCode::kDataLoss) << msg;
      EXPECT_TRUE(absl::StrContains(msg, array)) << msg;
      EXPECT_TRUE(absl::StrContains(msg, "corrupt")) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos);
    }
  }
}

TEST(TableIntegrity, TablesWithoutChecksumsStillLoad) {
  // A table as written before checksums: the same file without the sha256 attributes.
  const std::string path = TmpPath("old.h5");
  ASSERT_TRUE(WriteTable(MakeTable(), path, true).ok());
  auto hashed = ReadTable(path);
  ASSERT_TRUE(hashed.ok());
  {
    hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    for (const char* array : {"/archs/arch_str", "/archs/source_index", "/archs/params_m", "/archs/flops_m",
                              "/datasets/cifar10-valid/train_acc", "/datasets/cifar10-valid/valid_acc",
                              "/datasets/cifar10-valid/test_acc", "/datasets/cifar10-valid/train_time"})
      EXPECT_GE(H5Adelete_by_name(f, array, "sha256", H5P_DEFAULT), 0) << array;
    EXPECT_GE(H5Adelete(f, "values_sha256"), 0);
    H5Fclose(f);
  }
  auto old = ReadTable(path);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_FALSE((*old)->checksummed());
  EXPECT_EQ((*old)->values_sha256(), (*hashed)->values_sha256());
}

TEST(TableIntegrity, EmbeddedTableLoadsUnchanged) {
  const std::string path = "datasets/nb201_fmnist/nb201_fmnist.h5";
  if (!std::ifstream(path).good()) GTEST_SKIP() << path << " not in the runfiles";
  auto table = ReadTable(path);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ((*table)->values_sha256().size(), 64u);
}

}  // namespace
}  // namespace nas
