// libFuzzer target: the NAS-Bench-201 CSV importer (from a file, as `nas import nb201-csv` reads it).
#include <cstddef>
#include <cstdint>

#include "nas/table/nb201_csv.h"
#include "tests/fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = nas::fuzz::WriteInput(data, size, ".csv");
  (void)nas::ImportNb201Csv(path, "cifar10-valid");
  return 0;
}
