#include "tools/cli/full_binary.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "nas/experiment/evaluator.h"
#include "nas/search/strategy.h"
#include "nas/util/path.h"
#include "nas/util/runtime.h"
#include "tools/cli/commands.h"

namespace nas::cli {
namespace {

constexpr char kFullBinary[] = "nas-torch";
constexpr char kWorkspace[] = "nas_harness";
#ifdef NAS_TABULAR_ONLY
constexpr char kNotBuiltHere[] =
    "this nas is built without child training (bazel build --config=tabular, the main job's build); "
    "bazel build //tools:nas builds it";
#else
constexpr char kNotBuiltHere[] = "it is not built into this binary either";
#endif

int g_argc = 0;
char** g_argv = nullptr;

std::string SelfPath() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, n) : std::string();
}

bool Executable(const std::string& path) { return !path.empty() && access(path.c_str(), X_OK) == 0; }

std::string RealPath(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? std::string(buf) : std::string();
}

}  // namespace

void SetProcessArgs(int argc, char** argv) {
  g_argc = argc;
  g_argv = argv;
}

std::vector<std::string> MissingComponents(const proto::Experiment& resolved) {
  std::vector<std::string> missing;
  if (resolved.benchmark().has_train() && FindTrainEvaluator() == nullptr) missing.push_back("benchmark.train");
  for (const proto::Method& m : resolved.methods()) {
    auto info = FindStrategy(m.name());
    if (!info.ok() || !(*info)->missing_components) continue;
    for (const std::string& what : (*info)->missing_components(m))
      if (std::find(missing.begin(), missing.end(), what) == missing.end()) missing.push_back(what);
  }
  return missing;
}

bool HasLibTorch() { return RuntimeVersions().count("torch") > 0; }

std::string FullBinaryPath() {
  const std::string self = SelfPath();
  std::vector<std::string> candidates = {Dirname(self) + "/" + kFullBinary};
  if (g_argv != nullptr && g_argc > 0) candidates.push_back(Dirname(g_argv[0]) + "/" + kFullBinary);
  if (const char* r = std::getenv("RUNFILES_DIR"))
    candidates.push_back(absl::StrCat(r, "/", kWorkspace, "/tools/", kFullBinary));
  candidates.push_back(absl::StrCat(self, ".runfiles/", kWorkspace, "/tools/", kFullBinary));
  const std::string self_real = RealPath(self);
  for (const std::string& c : candidates)
    if (Executable(c) && RealPath(c) != self_real) return c;
  return "";
}

int ExecFullBinary(const std::string& what, const std::string& why) {
  const std::string path = HasLibTorch() ? std::string() : FullBinaryPath();
  if (path.empty() || g_argv == nullptr) {
    const std::string where = HasLibTorch() ? std::string(kNotBuiltHere)
                                            : absl::StrCat("this nas is built without LibTorch and ", kFullBinary,
                                                           " is not next to it (", Dirname(SelfPath()),
                                                           "; bazel build //tools:nas builds both)");
    return Fail(absl::FailedPreconditionError(absl::StrCat(what, ": needs ", why, "; ", where)));
  }
  std::fflush(stdout);
  std::fflush(stderr);
  execv(path.c_str(), g_argv);
  return Fail(absl::InternalError(absl::StrCat(what, ": needs ", why, "; cannot start ", path)));
}

}  // namespace nas::cli
