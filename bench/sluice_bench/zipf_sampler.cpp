#include "bench/sluice_bench/zipf_sampler.hpp"

#include <cassert>
#include <cmath>

namespace sluice::bench {
namespace {

// log1p(x) / x, continuous at 0 (the series keeps precision where the division would not).
double log1p_over_x(double x) {
  if (std::abs(x) > 1e-8) return std::log1p(x) / x;
  return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

// expm1(x) / x, continuous at 0.
double expm1_over_x(double x) {
  if (std::abs(x) > 1e-8) return std::expm1(x) / x;
  return 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}

}  // namespace

ZipfSampler::ZipfSampler(std::uint64_t n, double s) : n_(n), s_(s) {
  assert(n >= 1 && s > 0);  // the options parser refuses anything else
  h_integral_x1_ = h_integral(1.5) - 1.0;
  h_integral_n_ = h_integral(static_cast<double>(n) + 0.5);
  squeeze_ = 2.0 - h_integral_inverse(h_integral(2.5) - h(2.0));
}

// The unnormalised density x^-s of the continuous hat function.
double ZipfSampler::h(double x) const {
  return std::exp(-s_ * std::log(x));
}

// An antiderivative of h: (x^(1-s) - 1) / (1 - s), and log(x) at s = 1, computed without the
// cancellation near s = 1.
double ZipfSampler::h_integral(double x) const {
  const double log_x = std::log(x);
  return expm1_over_x((1.0 - s_) * log_x) * log_x;
}

double ZipfSampler::h_integral_inverse(double x) const {
  double t = x * (1.0 - s_);
  if (t < -1.0) t = -1.0;  // rounding can push t just past the domain of log1p
  return std::exp(log1p_over_x(t) * x);
}

std::uint64_t ZipfSampler::sample(FastRandom& random) const {
  for (;;) {
    const double u = h_integral_n_ + random.next_double() * (h_integral_x1_ - h_integral_n_);
    const double x = h_integral_inverse(u);
    double k = std::floor(x + 0.5);
    if (k < 1.0) k = 1.0;
    if (k > static_cast<double>(n_)) k = static_cast<double>(n_);
    // Accept cheaply when x is close to k (the squeeze), else against the exact step.
    if (k - x <= squeeze_ || u >= h_integral(k + 0.5) - h(k)) {
      return static_cast<std::uint64_t>(k);
    }
  }
}

}  // namespace sluice::bench
