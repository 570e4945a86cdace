#include "nas/experiment/provenance.h"

#include <unistd.h>

#include <ctime>
#include <fstream>
#include <set>

#include "absl/base/config.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/stubs/common.h"
#include "hdf5.h"
#include "nas/util/runtime.h"
#include "nas/util/build_info.h"

namespace nas {
namespace {

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto pos = line.find(':');
      if (pos != std::string::npos) return std::string(absl::StripAsciiWhitespace(line.substr(pos + 1)));
    }
  }
  return "unknown";
}

}  // namespace

std::map<std::string, std::string> CollectProvenance() {
  std::map<std::string, std::string> p;
  p["git_commit"] = NAS_BUILD_GIT_COMMIT;  // stamped at build time (tools/build/workspace_status.sh)
  p["compiler"] = absl::StrCat("gcc ", __VERSION__);
#ifdef NDEBUG
  p["build_mode"] = "optimized (NDEBUG)";
#else
  p["build_mode"] = "debug";
#endif
  p["protobuf"] = google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION);
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  p["hdf5"] = absl::StrCat(maj, ".", min, ".", rel);
  p["abseil"] = absl::StrCat(ABSL_LTS_RELEASE_VERSION, ".", ABSL_LTS_RELEASE_PATCH_LEVEL);
  for (const auto& [k, v] : RuntimeVersions()) p[k] = v;
  // `nas` without LibTorch (tools/cli/full_binary.h) runs table experiments that need none; say so.
  if (!p.count("torch")) p["torch"] = "not loaded";
  p["cpu"] = CpuModel();
  p["cpu_count"] = std::to_string(sysconf(_SC_NPROCESSORS_ONLN));
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  p["hostname"] = host;
  char when[64];
  std::time_t now = std::time(nullptr);
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  p["created_utc"] = when;
  return p;
}

bool AffectsResults(const std::string& key) {
  static const std::set<std::string> keys = {"compiler", "build_mode", "protobuf", "hdf5",
                                             "torch", "blas", "compute_threads"};
  return keys.count(key) > 0;
}

}  // namespace nas
