// Table access costs: a random-access TableDataset::at(arch, fidelity, slot) query (ns per query) and ReadTable
// of a written table (ms). Uses the real NB201 cifar10 CSV (imported) when ../shared/data or $NAS_SHARED_DATA is
// reachable (unless $NAS_TABLE_BENCH_SYNTHETIC is set), otherwise a synthetic full-size NB201 table
// (2 fidelities, 3 seeds + mean).
//   bazel run -c opt //benchmarks:table_query_benchmark
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "nas/space/nb201_space.h"
#include "nas/table/nb201_csv.h"
#include "nas/table/table.h"
#include "nas/table/table_checksum.h"
#include "nas/table/table_io.h"
#include "nas/util/status.h"

namespace nas {
namespace {

constexpr char kCsv[] = "nasbench201/nasbench201_cifar10.csv";

std::string FindCsv() {
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("NAS_SHARED_DATA")) candidates.push_back(std::string(env) + "/" + kCsv);
  if (const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY"))
    candidates.push_back(std::string(ws) + "/../shared/data/" + kCsv);
  candidates.push_back(std::string("../shared_data/data/") + kCsv);  // runfiles of @shared_data
  candidates.push_back(std::string("../shared/data/") + kCsv);
  for (const std::string& c : candidates)
    if (std::ifstream(c).good()) return c;
  return "";
}

std::unique_ptr<Table> SyntheticTable() {
  auto table = std::make_unique<Table>("nb201", Nb201Space().size());
  TableDataset& d = table->AddDataset("cifar10-valid", {12, 200}, {777, 888, 999});
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(10, 95);
  for (TableEntry& e : d.mutable_entries()) e = {u(rng), u(rng), u(rng), u(rng) * 100};
  d.ComputeMeans();
  for (int64_t a = 0; a < table->num_archs(); ++a) table->source_index()[a] = a;
  return table;
}

struct Fixture {
  std::unique_ptr<Table> table;
  std::string source;
  std::string written;  // the table written to a temporary HDF5 file
};

const Fixture& GetFixture() {
  static const Fixture* fixture = [] {
    auto* f = new Fixture;
    const std::string csv = std::getenv("NAS_TABLE_BENCH_SYNTHETIC") != nullptr ? "" : FindCsv();
    if (!csv.empty()) {
      auto imported = ImportNb201Csv(csv, "cifar10-valid");
      if (imported.ok()) {
        f->table = std::move(imported).value();
        f->source = "real NB201 cifar10 CSV";
      } else {
        std::fprintf(stderr, "import failed (%s); using a synthetic table\n",
                     std::string(imported.status().message()).c_str());
      }
    }
    if (f->table == nullptr) {
      f->table = SyntheticTable();
      f->source = "synthetic NB201-size table";
    }
    const char* tmp = std::getenv("TEST_TMPDIR");
    f->written = std::string(tmp != nullptr ? tmp : "/tmp") + "/table_query_benchmark_" +
                 std::to_string(::getpid()) + ".h5";
    const absl::Status status = WriteTable(*f->table, f->written, /*overwrite=*/true);
    if (!status.ok()) {
      std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
      std::exit(1);
    }
    std::atexit([] { std::remove(GetFixture().written.c_str()); });
    std::fprintf(stderr, "table: %s (%s)\n", f->source.c_str(),
                 !csv.empty() ? csv.c_str()
                 : std::getenv("NAS_TABLE_BENCH_SYNTHETIC") != nullptr
                     ? "NAS_TABLE_BENCH_SYNTHETIC is set"
                     : "nasbench201/nasbench201_cifar10.csv is in none of $NAS_SHARED_DATA, "
                       "$BUILD_WORKSPACE_DIRECTORY/../shared/data, ../shared_data/data, ../shared/data");
    return f;
  }();
  return *fixture;
}

void BM_TableQuery(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const TableDataset& d = f.table->datasets()[0];
  constexpr size_t kQueries = size_t{1} << 16;
  std::vector<int64_t> archs(kQueries);
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int64_t> pick(0, d.num_archs() - 1);
  for (int64_t& a : archs) a = pick(rng);
  const int fidelity = static_cast<int>(d.fidelities().size()) - 1;
  const int slot = d.mean_slot();
  size_t i = 0;
  double sum = 0;
  for (auto _ : state) {
    sum += d.at(archs[i], fidelity, slot).valid_acc;
    i = (i + 1) & (kQueries - 1);
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(f.source);
}
BENCHMARK(BM_TableQuery);

void BM_ReadTable(benchmark::State& state) {
  const Fixture& f = GetFixture();
  for (auto _ : state) {
    auto table = ReadTable(f.written);
    if (!table.ok()) {
      state.SkipWithError(std::string(table.status().message()).c_str());
      break;
    }
    benchmark::DoNotOptimize(table->get());
  }
  state.SetLabel(f.source);
}
BENCHMARK(BM_ReadTable)->Unit(benchmark::kMillisecond);

// The part of ReadTable that verifies the values' checksums (table_checksum.h): SHA-256 of every dataset's four
// metric arrays as ReadTable hashes them, bytes per second.
void BM_TableValuesDigest(benchmark::State& state) {
  const Fixture& f = GetFixture();
  std::vector<std::vector<double>> arrays;
  for (const TableDataset& d : f.table->datasets()) {
    arrays.emplace_back(), arrays.emplace_back(), arrays.emplace_back(), arrays.emplace_back();
    for (const TableEntry& e : d.entries()) {
      arrays[arrays.size() - 4].push_back(e.train_acc);
      arrays[arrays.size() - 3].push_back(e.valid_acc);
      arrays[arrays.size() - 2].push_back(e.test_acc);
      arrays[arrays.size() - 1].push_back(e.train_time);
    }
  }
  int64_t bytes = 0;
  for (const auto& a : arrays) bytes += static_cast<int64_t>(a.size() * sizeof(double));
  for (auto _ : state)
    for (const auto& a : arrays) benchmark::DoNotOptimize(DigestDoubles(a));
  state.SetBytesProcessed(state.iterations() * bytes);
  state.SetLabel(f.source);
}
BENCHMARK(BM_TableValuesDigest)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace nas
