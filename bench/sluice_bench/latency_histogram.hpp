#pragma once

// Latency distribution in constant memory: an HDR-style log-linear histogram of microseconds.
//
// Values below 2048 µs each have their own bucket; above that every power of two is split into
// 1024 equal buckets, so a recorded value is known to within 1/1024 (0.1%) of itself. Values
// up to kMaxTrackable (about 71 minutes) are bucketed; larger ones count in the last bucket,
// and max() still reports them exactly. The counts take 23,552 slots (184 KiB) whatever is
// recorded.
//
// A histogram belongs to one thread; merge() adds another one's counts, which is how the
// per-thread histograms of a run become one. Not thread-safe.

#include <cstdint>
#include <vector>

namespace sluice::bench {

class LatencyHistogram {
 public:
  static constexpr std::uint64_t kMaxTrackable = (std::uint64_t{1} << 32) - 1;

  LatencyHistogram();

  void record(std::uint64_t micros);
  void merge(const LatencyHistogram& other);
  void reset();

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
  std::uint64_t max() const { return max_; }
  double mean() const;
  // The smallest recorded value v such that at least `percentile` % of the values are <= v,
  // to within the bucket precision (reported as the bucket's highest value, clamped to the
  // recorded min and max). 0 when empty; 100 gives max().
  std::uint64_t percentile(double percentile) const;

  // Bucket arithmetic, public for the tests.
  static std::size_t bucket_of(std::uint64_t micros);
  static std::uint64_t lowest_in_bucket(std::size_t bucket);
  static std::uint64_t highest_in_bucket(std::size_t bucket);

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  // Exact sum for the mean; 2^64 µs is 584,000 years of summed latency.
  std::uint64_t sum_ = 0;
};

}  // namespace sluice::bench
