#pragma once

// Draws ranks 1..n from a Zipf distribution, P(k) proportional to 1 / k^s: few users send most
// events, as on real sites. Rejection-inversion sampling (Hörmann and Derflinger, "Rejection-
// inversion to generate variates from monotone discrete distributions", 1996): O(1) expected
// time and constant memory whatever n is, so a million users cost nothing to set up.
//
// Immutable after construction; sample() takes the caller's generator, so one sampler can be
// shared by threads that each bring their own FastRandom.

#include <cstdint>

#include "bench/sluice_bench/fast_random.hpp"

namespace sluice::bench {

class ZipfSampler {
 public:
  // n >= 1, s > 0.
  ZipfSampler(std::uint64_t n, double s);

  std::uint64_t sample(FastRandom& random) const;

  std::uint64_t n() const { return n_; }
  double s() const { return s_; }

 private:
  double h(double x) const;
  double h_integral(double x) const;
  double h_integral_inverse(double x) const;

  std::uint64_t n_;
  double s_;
  double h_integral_x1_;
  double h_integral_n_;
  double squeeze_;
};

}  // namespace sluice::bench
