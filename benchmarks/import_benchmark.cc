// Throughput and peak memory of `ImportNatsTss` (bz2 + pickle parsing + table building) on the NATS-Bench TSS
// sample directory (../shared/data/nats-tss-sample: meta + 3 architecture files) or on DIR:
//   bazel run -c opt //benchmarks:import_benchmark [-- DIR [REPEATS]]
// Prints files/s, compressed and decompressed MB/s of the whole import, the bzip2 and pickle-parse time of each
// file (up to 8), an estimate for the full 15,625-file directory, and the peak resident memory (VmHWM of
// /proc/self/status).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nas/table/nats_tss.h"
#include "nas/util/bz2.h"
#include "nas/util/pickle.h"

namespace {

namespace fs = std::filesystem;

std::string FindSample() {
  const std::string rel = "nats-tss-sample";
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("NAS_SHARED_DATA")) candidates.push_back(std::string(env) + "/" + rel);
  if (const char* ws = std::getenv("BUILD_WORKSPACE_DIRECTORY"))
    candidates.push_back(std::string(ws) + "/../shared/data/" + rel);
  candidates.push_back("../shared_data/data/" + rel);  // runfiles of @shared_data
  candidates.push_back("../shared/data/" + rel);
  for (const std::string& c : candidates)
    if (fs::exists(c + "/meta.pickle.pbz2")) return c;
  return "";
}

long VmHwmKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

// Seconds per import of `dir` (best of `repeats`), with the stats of one import.
double TimeImport(const std::string& dir, int repeats, nas::NatsTssImportStats* stats) {
  double best = 1e30;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto table = nas::ImportNatsTss(dir, stats);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!table.ok()) {
      std::fprintf(stderr, "import_benchmark: %s\n", std::string(table.status().message()).c_str());
      std::exit(1);
    }
    best = std::min(best, s);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : FindSample();
  const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 10;
  if (dir.empty()) {
    std::fprintf(stderr, "import_benchmark: needs nats-tss-sample/meta.pickle.pbz2 of ../shared/data (or a DIR "
                         "argument); looked in $NAS_SHARED_DATA, $BUILD_WORKSPACE_DIRECTORY/../shared/data, "
                         "../shared_data/data, ../shared/data\n");
    return 1;
  }
  const long hwm_start = VmHwmKb();
  nas::NatsTssImportStats stats;
  const double secs = TimeImport(dir, repeats, &stats);
  const long hwm_full = VmHwmKb();

  // Per file: bzip2 decompression and pickle parsing, best of `repeats`.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.size() > 12 && n.compare(n.size() - 12, 12, ".pickle.pbz2") == 0) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  if (names.size() > 8) names.resize(8);
  struct PerFile {
    std::string name;
    double bz2_s = 1e30, pickle_s = 1e30;
    size_t raw = 0;
  };
  std::vector<PerFile> per_file;
  for (const std::string& n : names) {
    std::ifstream in(fs::path(dir) / n, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), {});
    PerFile pf{n};
    for (int i = 0; i < repeats; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      auto raw = nas::Bz2Decompress(data, size_t{1} << 30);
      const auto t1 = std::chrono::steady_clock::now();
      if (!raw.ok()) break;
      auto doc = nas::PickleDocument::Parse(*raw);
      const auto t2 = std::chrono::steady_clock::now();
      if (!doc.ok()) break;
      pf.raw = raw->size();
      pf.bz2_s = std::min(pf.bz2_s, std::chrono::duration<double>(t1 - t0).count());
      pf.pickle_s = std::min(pf.pickle_s, std::chrono::duration<double>(t2 - t1).count());
    }
    per_file.push_back(pf);
  }

  const double mb = 1e6;
  std::printf("directory: %s (best of %d imports)\n", dir.c_str(), repeats);
  std::printf("files: %lld (%lld architectures + meta), %.2f MB compressed, %.2f MB of pickle\n",
              static_cast<long long>(stats.files_read), static_cast<long long>(stats.archs_imported),
              stats.compressed_bytes / mb, stats.decompressed_bytes / mb);
  std::printf("import: %.1f ms = %.1f files/s, %.2f MB/s compressed, %.2f MB/s decompressed pickle\n", secs * 1e3,
              stats.files_read / secs, stats.compressed_bytes / mb / secs, stats.decompressed_bytes / mb / secs);
  double arch_s = 0, meta_s = 0;
  int archs = 0;
  for (const PerFile& pf : per_file) {
    std::printf("  %s: %.2f MB pickle, bzip2 %.2f ms (%.1f MB/s out), pickle parse %.2f ms (%.0f MB/s)\n",
                pf.name.c_str(), pf.raw / mb, pf.bz2_s * 1e3, pf.raw / mb / pf.bz2_s, pf.pickle_s * 1e3,
                pf.raw / mb / pf.pickle_s);
    if (pf.name.rfind("meta", 0) == 0) {
      meta_s = pf.bz2_s + pf.pickle_s;
    } else {
      arch_s += pf.bz2_s + pf.pickle_s, ++archs;
    }
  }
  if (archs > 0) {
    const double rest = secs - meta_s - arch_s;  // arch-string parsing, value extraction, table building
    std::printf("estimate for all 15,625 architecture files (one thread): ~%.0f s (%.1f ms per file + %.0f ms)\n",
                meta_s + rest + 15625 * arch_s / archs, arch_s / archs * 1e3, (meta_s + rest) * 1e3);
  }
  std::printf("peak memory (VmHWM): %.1f MB at start, %.1f MB after the imports\n", hwm_start / 1024.0,
              hwm_full / 1024.0);
  return 0;
}
