/// \file
/// \brief A log-linear latency histogram in the spirit of HdrHistogram: exact below 128,
/// then 128 buckets per power of two, so any recorded value is known to within 1/128.

#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mc::bench {

/// \brief Counts values (nanoseconds, in cppmc_bench) in log-linear buckets.
///
/// Values below kSubBuckets get a bucket each, so they are exact. Above that, every power of
/// two `[2^m, 2^(m+1))` is cut into kSubBuckets equal buckets, each `2^(m-7)` wide: the bucket
/// of a value `v` is at most `v / 128` wide, a relative error under 0.8 %. That is the trick
/// HdrHistogram uses: fixed relative precision over a range from nanoseconds to minutes, in a
/// few thousand counters, with recording as cheap as a shift and an increment.
///
/// Single-threaded: each connection of the load generator owns one; merge() adds them up.
class Histogram {
 public:
  /// \brief log2 of the buckets per power of two.
  static constexpr unsigned kSubBucketBits = 7;
  /// \brief Buckets per power of two; values below this are recorded exactly.
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;
  /// \brief The largest value kept as it is; larger values are recorded as this one (about
  /// 18 minutes in nanoseconds).
  static constexpr std::uint64_t kMaxValue = (std::uint64_t{1} << 40) - 1;

  /// \brief An empty histogram.
  Histogram();

  /// \brief Counts one occurrence of `value` (clamped to kMaxValue).
  void record(std::uint64_t value) {
    if (value > kMaxValue) value = kMaxValue;
    ++counts_[bucket_of(value)];
    ++count_;
    sum_ += value;
    if (value < min_) min_ = value;
    if (value > max_) max_ = value;
  }

  /// \brief Adds every count of `other` to this histogram.
  void merge(const Histogram& other);

  /// \brief Forgets everything recorded.
  void reset();

  /// \brief The value at quantile `q` (0..1]: the smallest recorded value `v` such that at
  /// least `ceil(q * count)` values are `<= v`, as its bucket's highest value, never above the
  /// largest value recorded nor below the smallest. Exact below kSubBuckets. 0 if empty.
  std::uint64_t percentile(double q) const;

  /// \brief How many values were recorded.
  std::uint64_t count() const { return count_; }
  /// \brief The smallest recorded value (0 if empty).
  std::uint64_t min() const { return count_ == 0 ? 0 : min_; }
  /// \brief The largest recorded value (0 if empty).
  std::uint64_t max() const { return max_; }
  /// \brief The arithmetic mean (0 if empty).
  double mean() const;

  /// \brief The bucket a value falls in.
  static std::size_t bucket_of(std::uint64_t value);
  /// \brief The smallest value of bucket `index`.
  static std::uint64_t bucket_low(std::size_t index);
  /// \brief The largest value of bucket `index`.
  static std::uint64_t bucket_high(std::size_t index);
  /// \brief How many buckets there are.
  static std::size_t bucket_count();

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_;
  std::uint64_t max_ = 0;
};

}  // namespace mc::bench
