// Explicitly seeded random streams. There is no global generator anywhere in the library: every stream is
// made from DeriveSeed(experiment seed, run, purpose), so adding a consumer never shifts another's numbers.
// All integer and real mappings are our own (std:: distributions differ between standard libraries).
#ifndef NAS_UTIL_RNG_H_
#define NAS_UTIL_RNG_H_

#include <cstdint>
#include "absl/strings/string_view.h"
#include <vector>

namespace nas {

// A 64-bit seed for (experiment seed, run, purpose); purpose is a short name such as "strategy/reinforce".
uint64_t DeriveSeed(uint64_t experiment_seed, uint64_t run, absl::string_view purpose);

// xoshiro256** seeded through SplitMix64. Its full state can be saved and restored.
class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t NextU64();
  // Uniform in [0, 1) with 53 random bits.
  double Uniform01();
  // Uniform integer in [0, n), unbiased (Lemire's method); n > 0.
  uint64_t UniformInt(uint64_t n);
  // Index drawn with probability proportional to weights[i] (all >= 0, sum > 0), by inverse CDF.
  int Categorical(const float* weights, int n);
  int Categorical(const std::vector<double>& weights);
  // Standard normal (Box-Muller, both values used in turn).
  double Normal();

  struct State {
    uint64_t s[4];
    bool has_spare_normal;
    double spare_normal;
  };
  State state() const;
  void set_state(const State& state);

 private:
  uint64_t s_[4];
  bool has_spare_normal_ = false;
  double spare_normal_ = 0.0;
};

}  // namespace nas

#endif  // NAS_UTIL_RNG_H_
