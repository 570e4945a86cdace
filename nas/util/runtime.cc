#include "nas/util/runtime.h"

#include <dlfcn.h>
#include <link.h>
#include <limits.h>
#include <stdlib.h>

#include <mutex>
#include <vector>

namespace nas {
namespace {

std::vector<RuntimeComponent>& Components() {
  static auto* c = new std::vector<RuntimeComponent>();
  return *c;
}

int CollectBlas(struct dl_phdr_info* info, size_t, void* data) {
  auto* out = static_cast<std::vector<std::string>*>(data);
  const std::string name = info->dlpi_name ? info->dlpi_name : "";
  if (name.find("blas") != std::string::npos || name.find("mkl_rt") != std::string::npos) {
    char resolved[PATH_MAX];
    out->push_back(realpath(name.c_str(), resolved) ? std::string(resolved) : name);
  }
  return 0;
}

}  // namespace

bool RegisterRuntimeComponent(RuntimeComponent component) {
  Components().push_back(std::move(component));
  return true;
}

void SetComputeThreads(int threads) {
  for (const auto& c : Components())
    if (c.set_threads) c.set_threads(threads);
  // OpenBLAS keeps its own pool; fix it too when it is loaded (Debian's libblas.so.3 alternative).
  using SetFn = void (*)(int);
  if (auto fn = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) fn(threads);
}

std::map<std::string, std::string> RuntimeVersions() {
  std::map<std::string, std::string> out;
  for (const auto& c : Components()) out[c.name] = c.version;
  std::vector<std::string> blas;
  dl_iterate_phdr(CollectBlas, &blas);
  std::string joined;
  for (const auto& b : blas) joined += (joined.empty() ? "" : ";") + b;
  using ConfigFn = char* (*)();
  if (auto fn = reinterpret_cast<ConfigFn>(dlsym(RTLD_DEFAULT, "openblas_get_config")))
    joined += std::string(" (") + fn() + ")";
  out["blas"] = joined.empty() ? "none loaded" : joined;
  return out;
}

}  // namespace nas
