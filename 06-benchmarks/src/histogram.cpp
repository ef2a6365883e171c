#include "mc/bench/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace mc::bench {

namespace {

constexpr std::uint64_t kNoMin = std::numeric_limits<std::uint64_t>::max();

}  // namespace

Histogram::Histogram() : counts_(bucket_count(), 0), min_(kNoMin) {}

//! [bucket-of]
std::size_t Histogram::bucket_of(std::uint64_t value) {
  if (value < kSubBuckets) return static_cast<std::size_t>(value);  // exact
  // value lies in [2^top, 2^(top+1)); that octave is split into kSubBuckets buckets of width
  // 2^shift. Octave 0 (top == kSubBucketBits) has buckets of width 1, like the exact range.
  const unsigned top = static_cast<unsigned>(std::bit_width(value)) - 1;
  const unsigned shift = top - kSubBucketBits;
  const std::uint64_t offset = (value - (std::uint64_t{1} << top)) >> shift;
  return static_cast<std::size_t>(kSubBuckets * (shift + 1) + offset);
}
//! [bucket-of]

std::uint64_t Histogram::bucket_low(std::size_t index) {
  if (index < kSubBuckets) return index;
  const std::uint64_t shift = index / kSubBuckets - 1;
  const std::uint64_t offset = index % kSubBuckets;
  return (std::uint64_t{1} << (shift + kSubBucketBits)) + (offset << shift);
}

std::uint64_t Histogram::bucket_high(std::size_t index) {
  if (index < kSubBuckets) return index;
  const std::uint64_t shift = index / kSubBuckets - 1;
  return bucket_low(index) + (std::uint64_t{1} << shift) - 1;
}

std::size_t Histogram::bucket_count() { return bucket_of(kMaxValue) + 1; }

void Histogram::merge(const Histogram& other) {
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = 0;
  sum_ = 0;
  min_ = kNoMin;
  max_ = 0;
}

std::uint64_t Histogram::percentile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // The rank of the value we want, 1-based: the 50th of 100 values for q = 0.5. The epsilon
  // keeps 0.99 * 100 (98.99999... or 99.00000...1 in binary) at rank 99.
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_) - 1e-9)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    // Reporting the bucket's top errs on the slow side: a latency is never understated.
    if (seen >= rank) return std::clamp(bucket_high(i), min_, max_);
  }
  return max_;
}

double Histogram::mean() const {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_) / static_cast<double>(count_);
}

}  // namespace mc::bench
