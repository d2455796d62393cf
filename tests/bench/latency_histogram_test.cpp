#include "bench/sluice_bench/latency_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

namespace sluice::bench {
namespace {

// The value a sorted array gives for a percentile: rank ceil(p% of n), 1-based.
std::uint64_t reference_percentile(const std::vector<std::uint64_t>& sorted, double percentile) {
  const double rank = std::ceil(percentile / 100.0 * static_cast<double>(sorted.size()));
  const auto index = static_cast<std::size_t>(std::max(1.0, rank)) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

// Latencies from 1 µs to about a minute, uniform in log scale: every bucket range is used.
std::vector<std::uint64_t> log_uniform_values(std::size_t count, std::uint32_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> exponent(0.0, std::log(60e6));
  std::vector<std::uint64_t> values;
  for (std::size_t i = 0; i < count; ++i) {
    values.push_back(static_cast<std::uint64_t>(std::exp(exponent(random))));
  }
  return values;
}

TEST_CASE("LatencyHistogram percentiles match a sorted reference within 0.1%", "[bench]") {
  const std::vector<std::uint64_t> values = log_uniform_values(200'000, 7);
  LatencyHistogram histogram;
  for (std::uint64_t value : values) histogram.record(value);
  std::vector<std::uint64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());

  for (double percentile : {0.0, 0.1, 1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    INFO("p" << percentile);
    const std::uint64_t expected = reference_percentile(sorted, percentile);
    const std::uint64_t actual = histogram.percentile(percentile);
    // The bucket's highest value: never below the true value, at most one bucket width above.
    CHECK(actual >= expected);
    CHECK(actual <= expected + expected / 1024 + 1);
  }
  CHECK(histogram.count() == values.size());
  CHECK(histogram.min() == sorted.front());
  CHECK(histogram.max() == sorted.back());
}

TEST_CASE("LatencyHistogram is exact below 2048 µs", "[bench]") {
  LatencyHistogram histogram;
  for (std::uint64_t value : {5, 17, 17, 900, 2047}) histogram.record(value);
  CHECK(histogram.percentile(20) == 5);
  CHECK(histogram.percentile(50) == 17);
  CHECK(histogram.percentile(80) == 900);
  CHECK(histogram.percentile(100) == 2047);
  CHECK(histogram.mean() == Approx((5 + 17 + 17 + 900 + 2047) / 5.0));
}

TEST_CASE("LatencyHistogram buckets tile the range without gaps", "[bench]") {
  std::uint64_t next = 0;
  const std::size_t last = LatencyHistogram::bucket_of(LatencyHistogram::kMaxTrackable);
  for (std::size_t bucket = 0; bucket <= last; ++bucket) {
    REQUIRE(LatencyHistogram::lowest_in_bucket(bucket) == next);
    REQUIRE(LatencyHistogram::bucket_of(next) == bucket);
    const std::uint64_t highest = LatencyHistogram::highest_in_bucket(bucket);
    REQUIRE(LatencyHistogram::bucket_of(highest) == bucket);
    next = highest + 1;
  }
  CHECK(next == LatencyHistogram::kMaxTrackable + 1);
}

TEST_CASE("LatencyHistogram merges per-thread histograms", "[bench]") {
  const std::vector<std::uint64_t> values = log_uniform_values(20'000, 11);
  LatencyHistogram all;
  LatencyHistogram first;
  LatencyHistogram second;
  for (std::size_t i = 0; i < values.size(); ++i) {
    all.record(values[i]);
    (i % 3 == 0 ? first : second).record(values[i]);
  }
  first.merge(second);
  CHECK(first.count() == all.count());
  CHECK(first.min() == all.min());
  CHECK(first.max() == all.max());
  CHECK(first.mean() == Approx(all.mean()));
  for (double percentile : {1.0, 50.0, 99.0, 99.9}) {
    CHECK(first.percentile(percentile) == all.percentile(percentile));
  }
}

TEST_CASE("LatencyHistogram edge cases", "[bench]") {
  LatencyHistogram histogram;
  SECTION("an empty histogram reports zeros") {
    CHECK(histogram.percentile(99) == 0);
    CHECK(histogram.min() == 0);
    CHECK(histogram.max() == 0);
    CHECK(histogram.mean() == 0);
  }
  SECTION("values beyond the trackable range count in the last bucket, max stays exact") {
    const std::uint64_t huge = LatencyHistogram::kMaxTrackable * 4;
    histogram.record(10);
    histogram.record(huge);
    CHECK(histogram.max() == huge);
    CHECK(histogram.percentile(100) == huge);
    CHECK(histogram.percentile(99) >= LatencyHistogram::kMaxTrackable / 2);
  }
  SECTION("reset forgets everything") {
    histogram.record(1000);
    histogram.reset();
    CHECK(histogram.count() == 0);
    CHECK(histogram.percentile(50) == 0);
  }
}

}  // namespace
}  // namespace sluice::bench
