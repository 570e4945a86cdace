// libFuzzer target: opening an episode log (HDF5, SWMR-written) and reading every run, as inspect, export,
// compare and replay do.
#include <cstddef>
#include <cstdint>

#include "nas/log/episode_log.h"
#include "tests/fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = nas::fuzz::WriteInput(data, size, ".h5");
  (void)nas::ReadLog(path);
  return 0;
}
