// libFuzzer target: bzip2 decompression of a buffer with an output cap (NATS-Bench's .pickle.pbz2 files).
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "nas/util/bz2.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)nas::Bz2Decompress(absl::string_view(reinterpret_cast<const char*>(data), size), size_t{1} << 20);
  return 0;
}
