// The small real-training experiment of the parallel and MPI tests: Fashion-MNIST at 8x8 (256 / 128 / 128
// images), C=4, N=1, 1 epoch; REINFORCE (LSTM, batches of 4) and regularized evolution, 2 runs each, 16
// children per run on 4 simulated workers.
#ifndef TESTS_TOOLS_TRAIN_CONFIG_H_
#define TESTS_TOOLS_TRAIN_CONFIG_H_

#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "nas/log/episode_log.h"
#include "nas/log/replay.h"

namespace nas::testing {

inline bool FashionMnistInstalled() {
  return ::access("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz", R_OK) == 0;
}

#define NAS_SKIP_WITHOUT_FASHION_MNIST()                                                     \
  if (!::nas::testing::FashionMnistInstalled())                                              \
  GTEST_SKIP() << "Debian's dataset-fashion-mnist is not installed; tools/build/setup.sh installs it"

inline std::string WriteTrainConfig(const std::string& path) {
  std::ofstream(path) << R"(name: "par_train"
benchmark {
  dataset: "fashion-mnist-8px"
  space: "nb201"
  cost_per_evaluation_s: 10
  train {
    data { name: "fashion-mnist" train_size: 256 valid_size: 128 test_size: 128 image_size: 8 split_seed: 1 }
    network { channels: 4 cells_per_stage: 1 bn_momentum: 0.5 }
    epochs: 1
    batch_size: 64
    learning_rate: 0.1
    momentum: 0.9
    nesterov: true
    device: "cpu"
    threads: 1
  }
}
budget { evaluations: 16 workers: 4 }
seeds { experiment_seed: 11 runs: 2 }
methods { name: "reinforce" label: "lstm4" reinforce { policy: LSTM batch_size: 4 } }
methods { name: "regularized_evolution" evolution { population_size: 4 tournament_size: 2 } }
)";
  return path;
}

// Every run of two logs equal in every field but wall times (training curves included).
inline void ExpectSameLogs(const std::string& a, const std::string& b) {
  auto la = ReadLog(a), lb = ReadLog(b);
  ASSERT_TRUE(la.ok()) << la.status();
  ASSERT_TRUE(lb.ok()) << lb.status();
  ASSERT_EQ(la->runs.size(), lb->runs.size());
  for (size_t i = 0; i < la->runs.size(); ++i) {
    EXPECT_TRUE(la->runs[i].complete && lb->runs[i].complete) << a << " vs " << b << ", run " << i;
    auto d = FirstDivergence(la->runs[i], lb->runs[i]);
    EXPECT_FALSE(d.has_value()) << a << " vs " << b << ": " << d->ToString();
  }
}

}  // namespace nas::testing

#endif  // TESTS_TOOLS_TRAIN_CONFIG_H_
