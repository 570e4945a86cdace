// libFuzzer target: the Python pickle reader (NATS-Bench files), then the repr of whatever it parsed.
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "nas/util/pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto doc = nas::PickleDocument::Parse(absl::string_view(reinterpret_cast<const char*>(data), size));
  if (doc.ok()) {
    const nas::PickleValue& root = (*doc)->root();
    (void)nas::PickleDebugString(root);
    (void)root.Find("cifar10-valid", 777);
    (void)root.Find(int64_t{0});
    double d;
    (void)root.AsDouble(&d);
  }
  return 0;
}
