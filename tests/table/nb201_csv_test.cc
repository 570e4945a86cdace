#include "nas/table/nb201_csv.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nas/space/nb201_space.h"
#include "nas/table/table_io.h"
#include "nas/testing/shared_data.h"
#include "nas/util/sha256.h"

namespace nas {
namespace {

std::string TmpPath(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

int64_t Milli(double v) { return std::llround(v * 1000); }

struct Best {
  int64_t valid_row = -1, test_row = -1;
};

Best FindBest(const TableDataset& d) {
  Best best;
  for (int64_t a = 0; a < d.num_archs(); ++a) {
    const TableEntry& e = d.at(a, 0, d.mean_slot());
    if (best.valid_row < 0 || e.valid_acc > d.at(best.valid_row, 0, d.mean_slot()).valid_acc) best.valid_row = a;
    if (best.test_row < 0 || e.test_acc > d.at(best.test_row, 0, d.mean_slot()).test_acc) best.test_row = a;
  }
  return best;
}

void ExpectPermutation(const Table& table) {
  std::vector<bool> seen(table.num_archs(), false);
  for (int64_t s : table.source_index()) {
    ASSERT_GE(s, 0);
    ASSERT_LT(s, table.num_archs());
    ASSERT_FALSE(seen[s]) << s;
    seen[s] = true;
  }
}

TEST(Nb201Csv, ImportsRealCifar10) {
  NAS_REQUIRE_SHARED_FILE(path, "nasbench201/nasbench201_cifar10.csv");
  EXPECT_EQ(GuessNb201Dataset(path), "cifar10-valid");
  auto table = ImportNb201Csv(path, GuessNb201Dataset(path));
  ASSERT_TRUE(table.ok()) << table.status();
  const Table& t = **table;
  EXPECT_EQ(t.space(), "nb201");
  EXPECT_EQ(t.num_archs(), 15625);
  ExpectPermutation(t);
  auto d = t.dataset("cifar10-valid");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->fidelities(), std::vector<int>{200});
  EXPECT_TRUE((*d)->seeds().empty());
  const Best best = FindBest(**d);
  EXPECT_EQ(Milli((*d)->at(best.valid_row, 0, 0).valid_acc), 91607);
  EXPECT_EQ(t.source_index()[best.valid_row], 6111);
  EXPECT_EQ(Milli((*d)->at(best.test_row, 0, 0).test_acc), 91523);
  EXPECT_EQ(t.source_index()[best.test_row], 1459);
  EXPECT_TRUE(std::isnan((*d)->at(best.test_row, 0, 0).train_time));

  // The CSV's first row (file id 0) lands on its arch string's ordinal.
  Nb201Space space;
  auto a0 = space.Parse(
      "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|");
  ASSERT_TRUE(a0.ok());
  const int64_t row0 = space.Ordinal(*a0);
  EXPECT_EQ(t.source_index()[row0], 0);
  EXPECT_EQ((*d)->at(row0, 0, 0).train_acc, 88.91866665852865);
  EXPECT_EQ((*d)->at(row0, 0, 0).test_acc, 81.52);

  EXPECT_EQ(t.attributes().at("source"), "NAS-Bench-201 CSV (nasbench201_cifar10.csv)");
  EXPECT_EQ(t.attributes().at("license"), "Apache-2.0 (NAS-Bench-201)");
  EXPECT_EQ(t.attributes().at("importer"), "nas import nb201-csv");
  auto sha = Sha256File(path);
  ASSERT_TRUE(sha.ok());
  EXPECT_EQ(t.attributes().at("source_sha256"), *sha);

  // The imported table survives the HDF5 format.
  const std::string out = TmpPath("nb201_cifar10.h5");
  ASSERT_TRUE(WriteTable(t, out, true).ok());
  auto back = ReadTable(out);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ((*back)->source_index(), t.source_index());
  EXPECT_EQ((*back)->attributes(), t.attributes());
  auto bd = (*back)->dataset("cifar10-valid");
  ASSERT_TRUE(bd.ok());
  EXPECT_EQ((*bd)->at(best.valid_row, 0, 0).valid_acc, (*d)->at(best.valid_row, 0, 0).valid_acc);
}

TEST(Nb201Csv, ImportsRealCifar100) {
  NAS_REQUIRE_SHARED_FILE(path, "nasbench201/nasbench201_cifar100.csv");
  EXPECT_EQ(GuessNb201Dataset(path), "cifar100");
  auto table = ImportNb201Csv(path, "cifar100");
  ASSERT_TRUE(table.ok()) << table.status();
  ExpectPermutation(**table);
  const TableDataset& d = (*table)->datasets()[0];
  const Best best = FindBest(d);
  EXPECT_EQ(Milli(d.at(best.valid_row, 0, 0).valid_acc), 73493);
  EXPECT_EQ(Milli(d.at(best.test_row, 0, 0).test_acc), 73513);
  EXPECT_EQ((*table)->source_index()[best.valid_row], 9930);
  EXPECT_EQ((*table)->source_index()[best.test_row], 9930);
}

TEST(Nb201Csv, GuessesDatasets) {
  EXPECT_EQ(GuessNb201Dataset("/x/NASBench201_CIFAR100.csv"), "cifar100");
  EXPECT_EQ(GuessNb201Dataset("cifar10.csv"), "cifar10-valid");
  EXPECT_EQ(GuessNb201Dataset("a/imagenet16.csv"), "ImageNet16-120");
  EXPECT_EQ(GuessNb201Dataset("other.csv"), "");
}

// A well-formed CSV of every NB201 cell (file id = ordinal), as lines (line 1 is the header).
std::vector<std::string> SyntheticLines() {
  Nb201Space space;
  std::vector<std::string> lines = {
      "file id,arch str,cfg name,C,N,train accuracy,validation accuracy,test accuracy"};
  for (int64_t i = 0; i < space.size(); ++i)
    lines.push_back(absl::StrCat(i, ",", space.ToString(space.FromOrdinal(i)), ",infer.tiny,16,5,", 50 + i % 50,
                                 ".25,", 40 + i % 37, ".5,", 30 + i % 41, ".125"));
  return lines;
}

std::string WriteCsv(const std::string& name, const std::vector<std::string>& lines) {
  const std::string path = TmpPath(name);
  std::ofstream(path, std::ios::trunc) << absl::StrJoin(lines, "\n") << "\n";
  return path;
}

void ExpectLineError(const std::vector<std::string>& lines, int line, const std::string& fragment) {
  const std::string path = WriteCsv("bad.csv", lines);
  auto table = ImportNb201Csv(path, "cifar10-valid");
  ASSERT_FALSE(table.ok()) << "expected an error mentioning " << fragment;
  const std::string msg(table.status().message());
  EXPECT_TRUE(absl::StrContains(msg, absl::StrCat(path, ":", line, ": "))) << msg;
  EXPECT_TRUE(absl::StrContains(msg, fragment)) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

TEST(Nb201Csv, SyntheticFileImports) {
  const std::string path = WriteCsv("good.csv", SyntheticLines());
  auto table = ImportNb201Csv(path, "cifar10-valid");
  ASSERT_TRUE(table.ok()) << table.status();
  const TableDataset& d = (*table)->datasets()[0];
  EXPECT_EQ((*table)->source_index()[123], 123);
  EXPECT_EQ(d.at(123, 0, 0).train_acc, 50 + 123 % 50 + 0.25);
  EXPECT_EQ(d.at(123, 0, 0).valid_acc, 40 + 123 % 37 + 0.5);
  EXPECT_EQ(d.at(123, 0, 0).test_acc, 30 + 123 % 41 + 0.125);
  EXPECT_EQ((*table)->attributes().at("source"), "NAS-Bench-201 CSV (good.csv)");
}

TEST(Nb201Csv, MalformedFilesNameFileAndLine) {
  std::vector<std::string> lines = SyntheticLines();
  lines[0] = "id,arch,cfg,C,N,train,valid,test";
  ExpectLineError(lines, 1, "unexpected header");

  lines = SyntheticLines();
  lines[10] = absl::StrCat("9,", Nb201Space().ToString(Nb201Space().FromOrdinal(9)), ",infer.tiny,16,5,1.0,abc,3");
  ExpectLineError(lines, 11, "bad validation accuracy 'abc'");

  lines = SyntheticLines();
  lines[12] = absl::StrCat("11,", Nb201Space().ToString(Nb201Space().FromOrdinal(11)), ",infer.tiny,16,5,nan,1,3");
  ExpectLineError(lines, 13, "bad train accuracy 'nan'");

  lines = SyntheticLines();
  lines[5] = "4,|conv_7x7~0|+|none~0|none~1|+|none~0|none~1|none~2|,infer.tiny,16,5,1,2,3";
  ExpectLineError(lines, 6, "unknown operation 'conv_7x7'");

  lines = SyntheticLines();
  lines[20] = absl::StrCat("19,", Nb201Space().ToString(Nb201Space().FromOrdinal(3)), ",infer.tiny,16,5,1,2,3");
  ExpectLineError(lines, 21, "duplicate arch string");
  ExpectLineError(lines, 21, "first on line 5");

  lines = SyntheticLines();
  lines[20] = absl::StrCat("3,", Nb201Space().ToString(Nb201Space().FromOrdinal(19)), ",infer.tiny,16,5,1,2,3");
  ExpectLineError(lines, 21, "duplicate file id 3");

  lines = SyntheticLines();
  lines[7] = "6,x,infer.tiny,16,5,1,2";
  ExpectLineError(lines, 8, "expected 8 columns, found 7");

  lines = SyntheticLines();
  lines.resize(1001);
  ExpectLineError(lines, 1002, "end of file after 1000 of 15625");
}

TEST(Nb201Csv, MissingFile) {
  auto table = ImportNb201Csv("/nonexistent/nb201.csv", "cifar10-valid");
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StrContains(table.status().message(), "/nonexistent/nb201.csv"));
}

}  // namespace
}  // namespace nas
