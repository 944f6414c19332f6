#include "cli/bench_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace tern::cli {
namespace {
// 0..2*kSub-1 exact, then kSub buckets for each of the shifts 1..(64 - kSubBits - 1).
constexpr size_t kBuckets = (64 - Histogram::kSubBits + 1) * Histogram::kSub;
}  // namespace

Histogram::Histogram() : counts_(kBuckets, 0) {}

size_t Histogram::bucket_of(uint64_t v) {
  if (v < 2 * kSub) return static_cast<size_t>(v);
  const int msb = 63 - std::countl_zero(v);
  const int shift = msb - kSubBits;  // >= 1
  const uint64_t top = v >> shift;   // in [kSub, 2*kSub)
  return static_cast<size_t>((shift + 1) * kSub + (top - kSub));
}

uint64_t Histogram::bucket_low(size_t i) {
  if (i < 2 * kSub) return i;
  const uint64_t shift = i / kSub - 1;
  const uint64_t top = i % kSub + kSub;
  return top << shift;
}

uint64_t Histogram::bucket_high(size_t i) {
  if (i < 2 * kSub) return i;
  const uint64_t shift = i / kSub - 1;
  const uint64_t top = i % kSub + kSub;
  if (top == 2 * kSub - 1 && shift + kSubBits + 1 >= 64) return UINT64_MAX;
  return ((top + 1) << shift) - 1;
}

void Histogram::record(uint64_t v) { record_n(v, 1); }

void Histogram::record_n(uint64_t v, uint64_t n) {
  if (n == 0) return;
  counts_[bucket_of(v)] += n;
  count_ += n;
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
  sum_ += static_cast<long double>(v) * n;
}

void Histogram::merge(const Histogram& o) {
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
  count_ += o.count_;
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
  sum_ += o.sum_;
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
  sum_ = 0;
}

double Histogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

uint64_t Histogram::percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(bucket_high(i), min(), max_);
  }
  return max_;
}

std::vector<std::pair<uint64_t, double>> Histogram::cdf() const {
  std::vector<std::pair<uint64_t, double>> out;
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    seen += counts_[i];
    out.emplace_back(std::clamp(bucket_high(i), min(), max_),
                     static_cast<double>(seen) / static_cast<double>(count_));
  }
  return out;
}

}  // namespace tern::cli
