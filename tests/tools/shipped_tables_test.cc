// The shipped NAS-Bench-201 tables of datasets/nb201: the committed files match SHA256SUMS, and
// `nas import nb201-csv` with the command line of datasets/nb201/README.md rebuilds them byte for byte from
// ../shared/data's CSVs (skipped, naming the CSV, when it is absent).
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "nas/testing/nas_cli.h"
#include "nas/testing/shared_data.h"
#include "nas/util/sha256.h"

namespace nas {
namespace {

namespace fs = std::filesystem;

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::map<std::string, std::string> ShippedSums() {
  std::map<std::string, std::string> sums;
  std::ifstream in("datasets/nb201/SHA256SUMS");
  std::string hash, name;
  while (in >> hash >> name) sums[name] = hash;
  return sums;
}

TEST(ShippedTables, MatchTheirSha256Sums) {
  const auto sums = ShippedSums();
  ASSERT_EQ(sums.size(), 2u);
  for (const auto& [name, hash] : sums) {
    auto sha = Sha256File("datasets/nb201/" + name);
    ASSERT_TRUE(sha.ok()) << sha.status();
    EXPECT_EQ(*sha, hash) << name;
  }
}

class Rebuild : public ::testing::TestWithParam<const char*> {};

TEST_P(Rebuild, ImportGivesTheSameBytes) {
  const std::string dataset = GetParam();
  const std::string csv_name = "nasbench201_" + dataset + ".csv";
  NAS_REQUIRE_SHARED_FILE(csv, "nasbench201/" + csv_name);
  // The table records its command line, so the import runs with exactly the README's relative paths: a
  // scratch repository root whose ../shared/data/nasbench201 holds the CSV.
  const fs::path top = testing::ScratchPath("rebuild_" + dataset);
  fs::remove_all(top);
  fs::create_directories(top / "shared/data/nasbench201");
  fs::create_directories(top / "repo/datasets/nb201");
  fs::create_symlink(fs::absolute(csv), top / "shared/data/nasbench201" / csv_name);
  const std::string table = "datasets/nb201/nb201_" + dataset + ".h5";
  const std::string nas = fs::absolute("tools/nas").string();
  const testing::CliResult r = testing::RunShell("cd '" + (top / "repo").string() + "' && '" + nas +
                                                 "' import nb201-csv ../shared/data/nasbench201/" + csv_name + " " +
                                                 table);
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string rebuilt = ReadBytes((top / "repo" / table).string());
  const std::string shipped = ReadBytes(table);
  ASSERT_FALSE(shipped.empty()) << table;
  EXPECT_TRUE(rebuilt == shipped) << table << ": the rebuilt file differs (" << rebuilt.size() << " against "
                                  << shipped.size() << " bytes)";
}

INSTANTIATE_TEST_SUITE_P(Nb201, Rebuild, ::testing::Values("cifar10", "cifar100"));

}  // namespace
}  // namespace nas
