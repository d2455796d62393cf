#include "bench/sluice_bench/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace sluice::bench {
namespace {

// 2^kSubBucketBits linear buckets per power of two: the precision of every recorded value.
constexpr unsigned kSubBucketBits = 10;

// Values below 2^(kSubBucketBits + 1) are their own bucket (shift 0). Above, the value's top
// kSubBucketBits + 1 bits pick the bucket within its power of two and the shift picks the
// power, so consecutive ranges tile without gaps: bucket = (shift << bits) + (value >> shift).
constexpr std::size_t bucket_index(std::uint64_t value) {
  const unsigned width = static_cast<unsigned>(std::bit_width(value));
  const unsigned shift = width > kSubBucketBits + 1 ? width - kSubBucketBits - 1 : 0;
  return (static_cast<std::size_t>(shift) << kSubBucketBits) + (value >> shift);
}

constexpr std::size_t kBucketCount = bucket_index(LatencyHistogram::kMaxTrackable) + 1;

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

std::size_t LatencyHistogram::bucket_of(std::uint64_t micros) {
  return bucket_index(std::min(micros, kMaxTrackable));
}

std::uint64_t LatencyHistogram::lowest_in_bucket(std::size_t bucket) {
  if (bucket < (std::size_t{1} << (kSubBucketBits + 1))) return bucket;
  const std::size_t shift = (bucket >> kSubBucketBits) - 1;
  const std::uint64_t top_bits = bucket - (shift << kSubBucketBits);
  return top_bits << shift;
}

std::uint64_t LatencyHistogram::highest_in_bucket(std::size_t bucket) {
  if (bucket < (std::size_t{1} << (kSubBucketBits + 1))) return bucket;
  const std::size_t shift = (bucket >> kSubBucketBits) - 1;
  return lowest_in_bucket(bucket) + (std::uint64_t{1} << shift) - 1;
}

void LatencyHistogram::record(std::uint64_t micros) {
  ++counts_[bucket_of(micros)];
  ++count_;
  sum_ += micros;
  min_ = std::min(min_, micros);
  max_ = std::max(max_, micros);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  sum_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
}

double LatencyHistogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
}

std::uint64_t LatencyHistogram::percentile(double percentile) const {
  if (count_ == 0) return 0;
  if (percentile >= 100.0) return max_;
  // The rank of the wanted value among the sorted values, 1-based: ceil(p% of count), at least
  // one, so that p50 of {1, 2} is 1 as in a sorted-array reference.
  const double wanted = std::ceil(percentile / 100.0 * static_cast<double>(count_));
  const std::uint64_t rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(wanted));
  std::uint64_t seen = 0;
  for (std::size_t bucket = 0; bucket < counts_.size(); ++bucket) {
    seen += counts_[bucket];
    if (seen >= rank) return std::clamp(highest_in_bucket(bucket), min(), max_);
  }
  return max_;
}

}  // namespace sluice::bench
