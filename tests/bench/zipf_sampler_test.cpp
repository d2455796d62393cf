#include "bench/sluice_bench/zipf_sampler.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

namespace sluice::bench {
namespace {

// How often each rank 1..n was drawn in `draws` samples.
std::vector<std::uint64_t> histogram_of(const ZipfSampler& sampler, std::size_t draws,
                                        std::uint64_t seed) {
  FastRandom random(seed);
  std::vector<std::uint64_t> counts(sampler.n() + 1, 0);
  std::uint64_t out_of_range = 0;
  for (std::size_t i = 0; i < draws; ++i) {
    const std::uint64_t rank = sampler.sample(random);
    if (rank < 1 || rank > sampler.n()) {
      ++out_of_range;
    } else {
      ++counts[rank];
    }
  }
  REQUIRE(out_of_range == 0);
  return counts;
}

// P(rank) = rank^-s / H(n, s).
double expected_share(std::uint64_t rank, std::uint64_t n, double s) {
  double harmonic = 0;
  for (std::uint64_t k = 1; k <= n; ++k) harmonic += std::pow(static_cast<double>(k), -s);
  return std::pow(static_cast<double>(rank), -s) / harmonic;
}

TEST_CASE("ZipfSampler draws ranks with Zipf frequencies", "[bench]") {
  constexpr std::size_t kDraws = 400'000;
  const double s = GENERATE(0.8, 1.0, 1.1, 2.0);
  const std::uint64_t n = 1000;
  INFO("s = " << s);
  const ZipfSampler sampler(n, s);
  const std::vector<std::uint64_t> counts = histogram_of(sampler, kDraws, 42);

  // The head of the distribution, where the counts are large enough to be tight.
  for (std::uint64_t rank : {1, 2, 3, 10}) {
    INFO("rank " << rank);
    const double observed = static_cast<double>(counts[rank]) / kDraws;
    CHECK(observed == Approx(expected_share(rank, n, s)).epsilon(0.05));
  }
  CHECK(counts[1] > counts[2]);
  CHECK(counts[2] > counts[10]);
  CHECK(counts[10] > counts[100]);
}

TEST_CASE("ZipfSampler handles degenerate sizes", "[bench]") {
  SECTION("a single user") {
    const ZipfSampler sampler(1, 1.1);
    const auto counts = histogram_of(sampler, 1000, 1);
    CHECK(counts[1] == 1000);
  }
  SECTION("a million users stay in range") {
    const ZipfSampler sampler(1'000'000, 1.1);
    FastRandom random(3);
    std::uint64_t smallest = UINT64_MAX;
    std::uint64_t largest = 0;
    for (int i = 0; i < 100'000; ++i) {
      const std::uint64_t rank = sampler.sample(random);
      smallest = std::min(smallest, rank);
      largest = std::max(largest, rank);
    }
    CHECK(smallest == 1);
    CHECK(largest <= 1'000'000);
    CHECK(largest > 1000);  // the long tail is reached
  }
}

}  // namespace
}  // namespace sluice::bench
