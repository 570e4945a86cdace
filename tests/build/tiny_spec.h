// Tiny build specs for the tests of nas/tabulate (seconds on 2 cores).
#ifndef TESTS_BUILD_TINY_SPEC_H_
#define TESTS_BUILD_TINY_SPEC_H_

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "nas/train/datasets.h"

namespace nas::testing_build {

inline bool FashionMnistInstalled() {
  return ::access((std::string(kDebianFashionMnistDir) + "/train-images-idx3-ubyte.gz").c_str(), R_OK) == 0;
}

#define NAS_SKIP_WITHOUT_FMNIST()                                                                              \
  if (!::nas::testing_build::FashionMnistInstalled())                                                         \
  GTEST_SKIP() << "Debian's dataset-fashion-mnist is not installed (" << ::nas::kDebianFashionMnistDir        \
               << "); apt-get install dataset-fashion-mnist to run this test"

// 64 train / 32 valid / 32 test images at 8x8, C=2, N=1, fidelities [1, 2], seeds [0, 1], 6 sampled classes.
inline std::string TinySpecText(int sample_seed = 1) {
  return "dataset_name: \"fmnist-tiny\"\n"
         "train {\n"
         "  data { name: \"fashion-mnist\" train_size: 64 valid_size: 32 test_size: 32 image_size: 8 }\n"
         "  network { channels: 2 cells_per_stage: 1 }\n"
         "  batch_size: 16\n"
         "  nesterov: true\n"
         "}\n"
         "fidelities: [1, 2]\n"
         "seeds: [0, 1]\n"
         "sample: 6\n"
         "sample_seed: " + std::to_string(sample_seed) + "\n";
}

inline std::string TmpPath(const std::string& name) {
  const char* d = std::getenv("TEST_TMPDIR");
  return std::string(d ? d : "/tmp") + "/" + name;
}

inline std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = TmpPath(name);
  std::ofstream(path) << text;
  return path;
}

}  // namespace nas::testing_build

#endif  // TESTS_BUILD_TINY_SPEC_H_
