#include "nas/util/rng.h"

#include <cmath>

#include "nas/util/status.h"

namespace nas {
namespace {

uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t Fnv1a64(absl::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

uint64_t DeriveSeed(uint64_t experiment_seed, uint64_t run, absl::string_view purpose) {
  uint64_t x = experiment_seed;
  uint64_t a = SplitMix64(x);
  x = a ^ (run * 0xD1B54A32D192ED03ULL);
  uint64_t b = SplitMix64(x);
  x = b ^ Fnv1a64(purpose);
  return SplitMix64(x);
}

Rng::Rng(uint64_t seed) {
  uint64_t x = seed;
  for (auto& w : s_) w = SplitMix64(x);
}

uint64_t Rng::NextU64() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

double Rng::Uniform01() { return static_cast<double>(NextU64() >> 11) * 0x1.0p-53; }

uint64_t Rng::UniformInt(uint64_t n) {
  NAS_CHECK(n > 0);
  __uint128_t m = static_cast<__uint128_t>(NextU64()) * n;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < n) {
    const uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<__uint128_t>(NextU64()) * n;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

namespace {
// Inverse CDF over unnormalised weights; rounding can leave u just above the last partial sum, so the fallback
// is the last index with weight.
template <typename T>
int InverseCdf(const T* weights, int n, double u01) {
  NAS_CHECK(n > 0);
  double total = 0.0;
  for (int i = 0; i < n; ++i) total += weights[i];
  NAS_CHECK(total > 0.0);
  const double u = u01 * total;
  double acc = 0.0;
  for (int i = 0; i < n; ++i) {
    acc += weights[i];
    if (u < acc) return i;
  }
  for (int i = n - 1; i >= 0; --i)
    if (weights[i] > 0) return i;
  return n - 1;
}
}  // namespace

int Rng::Categorical(const float* weights, int n) { return InverseCdf(weights, n, Uniform01()); }

int Rng::Categorical(const std::vector<double>& weights) {
  return InverseCdf(weights.data(), static_cast<int>(weights.size()), Uniform01());
}

double Rng::Normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  double u1 = Uniform01();
  while (u1 <= 0.0) u1 = Uniform01();
  const double u2 = Uniform01();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double theta = 2.0 * M_PI * u2;
  spare_normal_ = r * std::sin(theta);
  has_spare_normal_ = true;
  return r * std::cos(theta);
}

Rng::State Rng::state() const {
  State st;
  for (int i = 0; i < 4; ++i) st.s[i] = s_[i];
  st.has_spare_normal = has_spare_normal_;
  st.spare_normal = spare_normal_;
  return st;
}

void Rng::set_state(const State& st) {
  for (int i = 0; i < 4; ++i) s_[i] = st.s[i];
  has_spare_normal_ = st.has_spare_normal;
  spare_normal_ = st.spare_normal;
}

}  // namespace nas
