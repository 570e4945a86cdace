// Numerical runtime components (LibTorch, the BLAS) register here so that the core can fix their thread
// counts and record their versions without depending on them.
#ifndef NAS_UTIL_RUNTIME_H_
#define NAS_UTIL_RUNTIME_H_

#include <functional>
#include <map>
#include <string>

namespace nas {

struct RuntimeComponent {
  std::string name;                      // e.g. "torch"
  std::string version;
  std::function<void(int)> set_threads;  // intra-op threads; may be empty
};

bool RegisterRuntimeComponent(RuntimeComponent component);

// Sets every component's intra-op thread count, and OpenBLAS's / the BLAS's when one is loaded.
void SetComputeThreads(int threads);

// name -> version of every registered component, plus "blas" = the loaded libblas / libopenblas file (or
// "none loaded").
std::map<std::string, std::string> RuntimeVersions();

}  // namespace nas

#endif  // NAS_UTIL_RUNTIME_H_
