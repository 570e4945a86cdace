// Regression test of one fuzz target, built normally (gcc, no libFuzzer): runs LLVMFuzzerTestOneInput over
// every committed seed (tests/fuzz/corpus/<target>/) and every input a fuzzing run ever crashed or hung on
// (tests/fuzz/regressions/<target>/). A crash, sanitizer report or hang fails the test.
#include <dirent.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> out;
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') out.push_back(dir + "/" + e->d_name);
    closedir(d);
  }
  return out;
}

TEST(FuzzCorpus, EveryInputIsHandled) {
  const std::string target = FUZZ_TARGET;
  std::vector<std::string> files = FilesIn("tests/fuzz/corpus/" + target);
  ASSERT_FALSE(files.empty()) << "no seeds in tests/fuzz/corpus/" << target;
  for (const std::string& f : FilesIn("tests/fuzz/regressions/" + target)) files.push_back(f);
  for (const std::string& f : files) {
    SCOPED_TRACE(f);
    std::ifstream in(f, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << f;
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string bytes = buffer.str();
    EXPECT_EQ(LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()), 0);
  }
  std::printf("%s: %zu inputs\n", target.c_str(), files.size());
}

}  // namespace
