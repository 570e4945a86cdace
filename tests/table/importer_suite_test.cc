// The shared suite every registered table importer runs (parametrised over the registry): a missing source,
// a file of garbage and an empty directory are one-line errors naming the source (never a crash), and the
// real published sample of its kind (../shared/data, where present) imports into a table whose datasets have
// ascending fidelities and finite values.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "nas/table/importer.h"
#include "nas/testing/shared_data.h"

namespace nas {
namespace {

std::string Tmp(const std::string& name) { return ::testing::TempDir() + "/" + name; }

void ExpectOneLineNaming(const absl::Status& s, const std::string& path) {
  ASSERT_FALSE(s.ok());
  const std::string m(s.message());
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_NE(m.find(std::filesystem::path(path).filename().string()), std::string::npos) << m;
}

class ImporterSuite : public ::testing::TestWithParam<std::string> {
 protected:
  const ImporterInfo& importer() { return **FindImporter(GetParam()); }
};

TEST_P(ImporterSuite, BadSourcesAreOneLineErrors) {
  const std::string missing = Tmp("no_such_source_" + GetParam());
  ExpectOneLineNaming(importer().run(missing, "", nullptr).status(), missing);
  const std::string garbage = Tmp("garbage_" + GetParam() + ".bin");
  {
    std::ofstream f(garbage, std::ios::binary);
    for (int i = 0; i < 4096; ++i) f.put(static_cast<char>((i * 7919) % 251));
  }
  ExpectOneLineNaming(importer().run(garbage, "", nullptr).status(), garbage);
  const std::string empty = Tmp("empty_dir_" + GetParam());
  std::filesystem::create_directories(empty);
  ExpectOneLineNaming(importer().run(empty, "", nullptr).status(), empty);
}

// The real sample of each kind in ../shared/data.
const std::map<std::string, std::string> kSamples = {
    {"nb201-csv", "nasbench201/nasbench201_cifar10.csv"},
    {"nats-tss", "nats-tss-sample"},
};

TEST_P(ImporterSuite, ImportsItsRealSample) {
  auto it = kSamples.find(GetParam());
  if (it == kSamples.end()) GTEST_SKIP() << "no published sample of " << GetParam() << " in ../shared/data";
  NAS_REQUIRE_SHARED_FILE(source, it->second);
  std::string summary;
  auto table = importer().run(source, "", &summary);
  ASSERT_TRUE(table.ok()) << table.status();
  EXPECT_GT((*table)->num_archs(), 0);
  ASSERT_FALSE((*table)->dataset_names().empty());
  for (const std::string& name : (*table)->dataset_names()) {
    const TableDataset& d = **(*table)->dataset(name);
    ASSERT_FALSE(d.fidelities().empty()) << name;
    for (size_t f = 1; f < d.fidelities().size(); ++f) EXPECT_GT(d.fidelities()[f], d.fidelities()[f - 1]) << name;
    int64_t finite = 0;
    for (int64_t a = 0; a < d.num_archs(); ++a) finite += std::isfinite(d.at(a, d.fidelities().size() - 1, d.mean_slot()).test_acc);
    EXPECT_GT(finite, 0) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(AllRegistered, ImporterSuite, ::testing::ValuesIn(RegisteredImporters()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) c = c == '-' ? '_' : c;
                           return n;
                         });

TEST(ImporterRegistry, HasEveryImporterAndNamesThemForAnUnknownKind) {
  auto r = FindImporter("nb201-cvs");
  ASSERT_FALSE(r.ok());
  for (const char* n : {"nats-tss", "nb101-tfrecord", "nb201-csv"})
    EXPECT_NE(std::string(r.status().message()).find(n), std::string::npos) << r.status();
}

}  // namespace
}  // namespace nas
