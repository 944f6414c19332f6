#pragma once
// Histogram: an HDR-style latency histogram with log-linear buckets. Values below 256 are kept
// exactly; above that every power-of-two range is split into 128 equal buckets, so a reported
// percentile is at most 1/128 (0.8%) above the true value. Recording is O(1) and allocation-free;
// histograms of the same shape merge by adding counts.
//
// Thread-safety: none; give each thread its own histogram and merge() them at the end.

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace tern::cli {

class Histogram {
 public:
  static constexpr int kSubBits = 7;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;  // buckets per power of two

  Histogram();

  void record(uint64_t value);
  void record_n(uint64_t value, uint64_t n);
  void merge(const Histogram& other);
  void reset();

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ == 0 ? 0 : min_; }
  uint64_t max() const { return max_; }
  double mean() const;

  // The value at quantile q in [0, 1]: the highest value equivalent to the bucket holding the
  // ceil(q * count)-th smallest recording, clamped to [min(), max()]. 0 when empty.
  uint64_t percentile(double q) const;

  // (value, fraction of recordings <= value) for every non-empty bucket, ascending: a CDF.
  std::vector<std::pair<uint64_t, double>> cdf() const;

  // Bucket arithmetic, exposed for tests.
  static size_t bucket_of(uint64_t value);
  static uint64_t bucket_low(size_t index);
  static uint64_t bucket_high(size_t index);

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  long double sum_ = 0;
};

}  // namespace tern::cli
