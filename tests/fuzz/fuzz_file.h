// Fuzz targets whose parser reads a file: the input bytes go to a per-process temporary file first, so the
// exact code path of the CLI (open, read, parse) is exercised.
#ifndef TESTS_FUZZ_FUZZ_FILE_H_
#define TESTS_FUZZ_FUZZ_FILE_H_

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace nas::fuzz {

// Writes `data` to $TEST_TMPDIR (or /tmp)/nas_fuzz_<pid><suffix>, replacing the previous input; returns the path.
inline std::string WriteInput(const uint8_t* data, size_t size, const char* suffix) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/nas_fuzz_" + std::to_string(getpid()) + suffix;
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

}  // namespace nas::fuzz

#endif  // TESTS_FUZZ_FUZZ_FILE_H_
