// libFuzzer target: opening a table file (HDF5 + the table format's checks), as every command that reads one.
#include <cstddef>
#include <cstdint>

#include "nas/table/table_io.h"
#include "tests/fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = nas::fuzz::WriteInput(data, size, ".h5");
  (void)nas::ReadTable(path);
  return 0;
}
