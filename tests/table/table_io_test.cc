#include "nas/table/table_io.h"

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "nas/h5/h5.h"
#include "nas/space/nb201_space.h"
#include "nas/table/table.h"

namespace nas {
namespace {

std::string TmpPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

bool FileExists(const std::string& path) { return std::ifstream(path).good(); }

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double NanWithPayload(uint64_t payload) {
  const uint64_t bits = 0x7ff8000000000000ULL | payload;
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

// A full-size NB201 table with seeds, several fidelities, NaNs (with payloads), -0.0, denormals and inf.
Table MakeTable() {
  Table table("nb201", Nb201Space().size());
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, 100);
  for (int64_t a = 0; a < table.num_archs(); ++a) {
    table.source_index()[a] = (a * 7919) % table.num_archs();
    table.params_m()[a] = a % 11 == 0 ? NAN : u(rng) / 50;
    table.flops_m()[a] = u(rng);
  }
  table.attributes()["source"] = "synthetic test table";
  table.attributes()["license"] = "CC0";
  table.attributes()["note"] = "unicode: µ→ ✓, and a long value " + std::string(300, 'x');
  table.attributes()["command"] = std::string(100000, 'c');  // larger than an object header message
  table.attributes()["empty"] = "";
  // Creation order is deliberately not alphabetical.
  TableDataset& zeta = table.AddDataset("zeta", {12, 50, 200}, {777, 888, 999});
  for (TableEntry& e : zeta.mutable_entries()) {
    e.train_acc = u(rng);
    e.valid_acc = u(rng);
    e.test_acc = u(rng);
    e.train_time = u(rng) * 10;
  }
  zeta.mutable_at(3, 1, 0).valid_acc = NAN;
  zeta.mutable_at(4, 2, 2).test_acc = NanWithPayload(0x1234);
  zeta.ComputeMeans();
  zeta.mutable_at(5, 0, 1).train_acc = -0.0;
  zeta.mutable_at(6, 0, 1).train_acc = 4.9e-324;
  zeta.mutable_at(7, 0, 1).train_time = INFINITY;
  TableDataset& alpha = table.AddDataset("alpha", {200}, {});
  for (TableEntry& e : alpha.mutable_entries()) e.valid_acc = u(rng);
  return table;
}

void ExpectSameTable(const Table& a, const Table& b) {
  EXPECT_EQ(a.space(), b.space());
  ASSERT_EQ(a.num_archs(), b.num_archs());
  EXPECT_EQ(a.source_index(), b.source_index());
  for (int64_t i = 0; i < a.num_archs(); ++i) {
    ASSERT_TRUE(SameBits(a.params_m()[i], b.params_m()[i])) << i;
    ASSERT_TRUE(SameBits(a.flops_m()[i], b.flops_m()[i])) << i;
  }
  EXPECT_EQ(a.attributes(), b.attributes());
  ASSERT_EQ(a.dataset_names(), b.dataset_names());
  for (size_t d = 0; d < a.datasets().size(); ++d) {
    const TableDataset& x = a.datasets()[d];
    const TableDataset& y = b.datasets()[d];
    EXPECT_EQ(x.fidelities(), y.fidelities());
    EXPECT_EQ(x.seeds(), y.seeds());
    ASSERT_EQ(x.entries().size(), y.entries().size());
    for (size_t i = 0; i < x.entries().size(); ++i) {
      const TableEntry& e = x.entries()[i];
      const TableEntry& f = y.entries()[i];
      ASSERT_TRUE(SameBits(e.train_acc, f.train_acc) && SameBits(e.valid_acc, f.valid_acc) &&
                  SameBits(e.test_acc, f.test_acc) && SameBits(e.train_time, f.train_time))
          << x.name() << " entry " << i;
    }
  }
}

void ExpectErrorNaming(const absl::Status& status, const std::string& path, const std::string& fragment) {
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(absl::StrContains(status.message(), path)) << status;
  EXPECT_TRUE(absl::StrContains(status.message(), fragment)) << status;
  EXPECT_EQ(std::string(status.message()).find('\n'), std::string::npos) << status;
}

TEST(TableIo, RoundTripIsBitExact) {
  const Table table = MakeTable();
  const std::string path = TmpPath("roundtrip.h5");
  ASSERT_TRUE(WriteTable(table, path, /*overwrite=*/true).ok());
  EXPECT_FALSE(FileExists(path + ".tmp"));
  auto read = ReadTable(path);
  ASSERT_TRUE(read.ok()) << read.status();
  ExpectSameTable(table, **read);
  EXPECT_EQ((*read)->dataset_names(), (std::vector<std::string>{"zeta", "alpha"}));
  EXPECT_TRUE(std::isnan((*read)->datasets()[0].at(3, 1, 0).valid_acc));
}

TEST(TableIo, RefusesToOverwriteUnlessAsked) {
  const Table table = MakeTable();
  const std::string path = TmpPath("overwrite.h5");
  ASSERT_TRUE(WriteTable(table, path, true).ok());
  const absl::Status again = WriteTable(table, path, false);
  EXPECT_EQ(again.code(), absl::StatusCode::kAlreadyExists);
  ExpectErrorNaming(again, path, "already exists");
  EXPECT_TRUE(WriteTable(table, path, true).ok());
  EXPECT_TRUE(ReadTable(path).ok());
}

TEST(TableIo, MissingFile) {
  const std::string path = TmpPath("does_not_exist.h5");
  auto read = ReadTable(path);
  EXPECT_EQ(read.status().code(), absl::StatusCode::kNotFound);
  ExpectErrorNaming(read.status(), path, "no such file");
}

TEST(TableIo, NotAnHdf5File) {
  const std::string path = TmpPath("text.h5");
  std::ofstream(path) << "file id,arch str\n0,|none~0|\n";
  ExpectErrorNaming(ReadTable(path).status(), path, "not an HDF5 file");
  const std::string empty = TmpPath("empty.h5");
  std::ofstream(empty).flush();
  ExpectErrorNaming(ReadTable(empty).status(), empty, "not an HDF5 file");
}

TEST(TableIo, TruncatedFile) {
  const std::string full = TmpPath("full.h5");
  ASSERT_TRUE(WriteTable(MakeTable(), full, true).ok());
  const std::string bytes = ReadBytes(full);
  for (size_t keep : {bytes.size() / 2, bytes.size() - 1, size_t{4096}, size_t{100}}) {
    const std::string path = TmpPath("truncated.h5");
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes.substr(0, keep);
    auto read = ReadTable(path);
    ASSERT_FALSE(read.ok()) << "kept " << keep << " of " << bytes.size();
    ExpectErrorNaming(read.status(), path, "");
  }
}

TEST(TableIo, WrongFormatAttribute) {
  const std::string path = TmpPath("wrong_format.h5");
  {
    auto file = h5::File::Create(path, true);
    ASSERT_TRUE(file.ok());
  }
  ExpectErrorNaming(ReadTable(path).status(), path, "no 'format' attribute");
  {
    auto file = h5::File::Open(path, true);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE(file->WriteStringAttr("/", "format", "nas-log").ok());
  }
  ExpectErrorNaming(ReadTable(path).status(), path, "format is 'nas-log'");
}

TEST(TableIo, OtherFormatVersions) {
  const std::string path = TmpPath("version.h5");
  for (int64_t version : {0, 2}) {
    ASSERT_TRUE(WriteTable(MakeTable(), path, true).ok());
    {
      auto file = h5::File::Open(path, true);
      ASSERT_TRUE(file.ok());
      ASSERT_TRUE(file->WriteInt64Attr("/", "format_version", version).ok());
    }
    const absl::Status status = ReadTable(path).status();
    ExpectErrorNaming(status, path, version > 1 ? "newer version" : "older version");
    EXPECT_TRUE(absl::StrContains(status.message(), "format_version " + std::to_string(version))) << status;
  }
}

// Writes a valid table, then lets `edit` damage it through the raw HDF5 API.
template <typename Edit>
absl::Status ReadEdited(const std::string& path, Edit edit) {
  EXPECT_TRUE(WriteTable(MakeTable(), path, true).ok());
  {
    auto file = h5::File::Open(path, true);
    EXPECT_TRUE(file.ok());
    edit(*file);
  }
  return ReadTable(path).status();
}

TEST(TableIo, ValidatesContents) {
  const std::string path = TmpPath("edited.h5");
  ExpectErrorNaming(ReadEdited(path, [](h5::File& f) { ASSERT_TRUE(f.WriteStringAttr("/", "space", "nope").ok()); }),
                    path, "nope");
  ExpectErrorNaming(ReadEdited(path, [](h5::File& f) { ASSERT_TRUE(f.WriteInt64Attr("/", "num_archs", 5).ok()); }),
                    path, "num_archs is 5");
  ExpectErrorNaming(ReadEdited(path,
                               [](h5::File& f) {
                                 ASSERT_GE(H5Ldelete(f.id(), "/archs/arch_str", H5P_DEFAULT), 0);
                                 Nb201Space space;
                                 std::vector<std::string> s;
                                 for (int64_t i = 0; i < space.size(); ++i)
                                   s.push_back(space.ToString(space.FromOrdinal((i + 1) % space.size())));
                                 ASSERT_TRUE(f.WriteStrings("/archs/arch_str", s).ok());
                               }),
                    path, "/archs/arch_str row 0");
  ExpectErrorNaming(ReadEdited(path,
                               [](h5::File& f) {
                                 ASSERT_GE(H5Ldelete(f.id(), "/archs/params_m", H5P_DEFAULT), 0);
                                 ASSERT_TRUE(f.WriteDoubles("/archs/params_m", {1.0, 2.0}).ok());
                               }),
                    path, "/archs/params_m has 2 entries");
  ExpectErrorNaming(ReadEdited(path,
                               [](h5::File& f) {
                                 ASSERT_GE(H5Ldelete(f.id(), "/datasets/zeta/valid_acc", H5P_DEFAULT), 0);
                                 ASSERT_TRUE(f.WriteDoublesND("/datasets/zeta/valid_acc", {15625, 3, 1},
                                                              std::vector<double>(15625 * 3))
                                                 .ok());
                               }),
                    path, "/datasets/zeta/valid_acc has shape [15625, 3, 1], expected [15625, 3, 4]");
  ExpectErrorNaming(ReadEdited(path,
                               [](h5::File& f) {
                                 ASSERT_GE(H5Ldelete(f.id(), "/datasets/alpha/test_acc", H5P_DEFAULT), 0);
                               }),
                    path, "/datasets/alpha/test_acc");
}

TEST(TableIo, ReadsVariableLengthStringAttributes) {
  // Other writers (h5py) store string attributes as variable-length strings; ours are fixed-length.
  const std::string path = TmpPath("vlen_attr.h5");
  const absl::Status status = ReadEdited(path, [](h5::File& f) {
    h5::Handle type(H5Tcopy(H5T_C_S1));
    H5Tset_size(type.get(), H5T_VARIABLE);
    h5::Handle space(H5Screate(H5S_SCALAR));
    h5::Handle attr(H5Acreate2(f.id(), "written_by", type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
    const char* value = "h5py";
    ASSERT_GE(H5Awrite(attr.get(), type.get(), &value), 0);
  });
  EXPECT_TRUE(status.ok()) << status;
  auto table = ReadTable(path);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_EQ((*table)->attributes().at("written_by"), "h5py");
  EXPECT_EQ((*table)->attributes().at("empty"), "");
}

TEST(TableIo, WriteRejectsBadTables) {
  const std::string path = TmpPath("bad_write.h5");
  Table unknown("nope", 10);
  ExpectErrorNaming(WriteTable(unknown, path, true), path, "nope");
  Table wrong_size("nb201", 10);
  ExpectErrorNaming(WriteTable(wrong_size, path, true), path, "10 architectures");
  Table reserved = MakeTable();
  reserved.attributes()["format"] = "x";
  ExpectErrorNaming(WriteTable(reserved, path, true), path, "reserved");
  Table dup = MakeTable();
  dup.AddDataset("alpha", {200}, {});
  ExpectErrorNaming(WriteTable(dup, path, true), path, "appears twice");
  EXPECT_FALSE(FileExists(path));
  EXPECT_FALSE(FileExists(path + ".tmp"));
}

}  // namespace
}  // namespace nas
