// libFuzzer target: experiment configs (Protobuf text format): parse, resolve (defaults, validation of every
// field) and print back.
#include <cstddef>
#include <cstdint>
#include <string>

#include "nas/experiment/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto config = nas::ParseExperiment(std::string(reinterpret_cast<const char*>(data), size), "fuzz.textproto");
  if (config.ok() && nas::ResolveExperiment(&*config, "fuzz.textproto").ok())
    (void)nas::ExperimentToText(*config);
  return 0;
}
