#pragma once

// A small, fast pseudo-random generator for the load generator's hot path: xoshiro256**
// (Blackman and Vigna), seeded through splitmix64 so that any 64-bit seed gives a good state.
// Not cryptographic. Satisfies UniformRandomBitGenerator. One per thread; not thread-safe.

#include <bit>
#include <cstdint>
#include <limits>

namespace sluice::bench {

// One step of splitmix64: also a good 64-bit mixing function on its own.
constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class FastRandom {
 public:
  using result_type = std::uint64_t;

  explicit FastRandom(std::uint64_t seed) {
    for (auto& word : state_) word = splitmix64(seed);
  }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  result_type operator()() {
    const std::uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = std::rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1), from the top 53 bits.
  double next_double() { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

  // Uniform in [0, bound) for bound > 0 (Lemire's multiply-shift; the bias is below 2^-32 for
  // the small bounds used here, which is far below what a load pattern can show).
  std::uint64_t below(std::uint64_t bound) {
    __extension__ typedef unsigned __int128 Wide;  // GCC and Clang; __extension__: -Wpedantic
    return static_cast<std::uint64_t>((static_cast<Wide>((*this)()) * bound) >> 64);
  }

 private:
  std::uint64_t state_[4];
};

}  // namespace sluice::bench
