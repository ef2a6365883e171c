/// \file
/// \brief ZipfSampler: key ranks drawn with Zipf popularity from a precomputed CDF table, for
/// any exponent (the look-aside benchmark uses 0.8 to 1.0).

#pragma once

#include <cstdint>
#include <vector>

namespace mc::bench {

/// \brief Draws ranks `0..n-1` where rank `r` has probability `(r + 1)^-s / H(n, s)`: rank 0
/// is the most popular key, and `H(n, s)` is the sum of `i^-s` for `i` in `1..n`.
///
/// cppmc_bench's ZipfTable inverts an approximate CDF (YCSB's formula), which is cheap to set
/// up but undefined at exponent 1 and only close elsewhere. A hit ratio depends on the whole
/// popularity curve, so this sampler is exact: it keeps the CDF of every rank (8 bytes a key,
/// 1.6 MB for 200,000 keys) and a draw is one binary search. Read-only after construction, so
/// every connection may share one.
class ZipfSampler {
 public:
  /// \brief The table for `key_count` ranks (at least 1) with exponent `exponent` (>= 0; 0 is
  /// uniform).
  ZipfSampler(std::uint64_t key_count, double exponent);

  /// \brief The rank whose CDF interval holds `u`, a uniform number in [0, 1).
  std::uint64_t sample(double u) const;

  /// \brief The exact probability of rank `rank` (what sample() approaches over many draws).
  double probability(std::uint64_t rank) const;

  /// \brief The number of ranks.
  std::uint64_t key_count() const { return cdf_.size(); }

  /// \brief The exponent.
  double exponent() const { return exponent_; }

 private:
  double exponent_;
  double harmonic_ = 0;      // H(n, s), the sum that normalises every probability
  std::vector<double> cdf_;  // cdf_[r]: probability of a rank <= r; the last is exactly 1
};

}  // namespace mc::bench
