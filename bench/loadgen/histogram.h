// A latency histogram in the manner of HdrHistogram: log-linear buckets, so every
// recorded value is known to within 1/128 of itself (values below 256 exactly) from
// 1 ns to 2^64 ns with a fixed 58 KiB of counters, and recording is one index
// computation and an increment. One per worker thread; merged at the end.
//
// Layout: values below 256 get a bucket each. Above, each power of two [2^m, 2^(m+1))
// is split into 128 equal buckets of width 2^(m-7).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sluice::loadgen {

class LatencyHistogram {
 public:
  static constexpr int kSubBucketBits = 8;                     // 256 exact values
  static constexpr uint64_t kSubBuckets = 1u << kSubBucketBits;
  static constexpr uint64_t kHalf = kSubBuckets / 2;           // buckets per octave above
  static constexpr size_t kBucketCount = kSubBuckets + (64 - kSubBucketBits) * kHalf;

  // Bucket of a value, and the range [lower, upper] of values that land in a bucket.
  static size_t BucketOf(uint64_t value);
  static uint64_t BucketLower(size_t bucket);
  static uint64_t BucketUpper(size_t bucket);

  void Record(uint64_t value);
  void Merge(const LatencyHistogram& other);

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0; }

  // The value at percentile q (0 < q <= 100): the smallest v such that at least q% of
  // the recorded values are <= v, reported as the upper end of its bucket (never
  // above the largest value recorded), as HdrHistogram's highestEquivalentValue.
  // 0 for an empty histogram.
  uint64_t Percentile(double q) const;

  // Non-empty buckets as (upper end, count), ascending: what a report prints.
  std::vector<std::pair<uint64_t, uint64_t>> NonEmptyBuckets() const;

 private:
  std::array<uint64_t, kBucketCount> counts_{};
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  unsigned __int128 sum_ = 0;
};

}  // namespace sluice::loadgen
