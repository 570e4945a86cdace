// Registers LibTorch with the runtime registry (nas/util/runtime.h): its version goes into every log, and
// SetComputeThreads fixes its intra-op thread count (OpenMP's is per thread, so each worker calls it).
#include <ATen/Parallel.h>
#include <torch/version.h>

#include "nas/util/runtime.h"

namespace nas {
namespace {

const bool kRegistered = RegisterRuntimeComponent(RuntimeComponent{
    "torch", TORCH_VERSION, [](int threads) {
      if (at::get_num_threads() != threads) at::set_num_threads(threads);
    }});

}  // namespace
}  // namespace nas
