// libFuzzer target: NAS-Bench-101 records. The bytes are parsed twice: as one record's data (JSON, adjacency,
// operations, base64, ModelMetrics proto; CRCs would hide these from the fuzzer) and as a whole tfrecord file
// through the importer (framing with both CRC-32C, then every record into a table).
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "nas/table/nb101_tfrecord.h"
#include "tests/fuzz/fuzz_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nas::Nb101Record record;
  (void)nas::ParseNb101Record(absl::string_view(reinterpret_cast<const char*>(data), size), &record);
  const std::string path = nas::fuzz::WriteInput(data, size, ".tfrecord");
  (void)nas::ImportNb101Tfrecord(path);
  return 0;
}
