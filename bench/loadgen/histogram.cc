#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace sluice::loadgen {

size_t LatencyHistogram::BucketOf(uint64_t value) {
  if (value < kSubBuckets) return static_cast<size_t>(value);
  const int octave = 63 - std::countl_zero(value);  // >= kSubBucketBits
  const int shift = octave - (kSubBucketBits - 1);
  const uint64_t top = value >> shift;                // in [kHalf, kSubBuckets)
  return static_cast<size_t>(kSubBuckets + static_cast<uint64_t>(octave - kSubBucketBits) * kHalf +
                             (top - kHalf));
}

uint64_t LatencyHistogram::BucketLower(size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  const uint64_t k = bucket - kSubBuckets;
  const int shift = static_cast<int>(k / kHalf) + 1;  // octave - (kSubBucketBits - 1)
  return (kHalf + k % kHalf) << shift;
}

uint64_t LatencyHistogram::BucketUpper(size_t bucket) {
  if (bucket < kSubBuckets) return bucket;
  const int shift = static_cast<int>((bucket - kSubBuckets) / kHalf) + 1;
  return BucketLower(bucket) + ((uint64_t{1} << shift) - 1);
}

void LatencyHistogram::Record(uint64_t value) {
  ++counts_[BucketOf(value)];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  sum_ += value;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

uint64_t LatencyHistogram::Percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 100.0);
  // The rank of the value asked for, 1-based: at least one value is always covered.
  const auto rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(q / 100.0 * static_cast<double>(count_) - 1e-9)));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(BucketUpper(i), max_);
  }
  return max_;
}

std::vector<std::pair<uint64_t, uint64_t>> LatencyHistogram::NonEmptyBuckets() const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] != 0) out.emplace_back(BucketUpper(i), counts_[i]);
  }
  return out;
}

}  // namespace sluice::loadgen
