#include "mc/bench/zipf_sampler.hpp"

#include <algorithm>
#include <cmath>

namespace mc::bench {

ZipfSampler::ZipfSampler(std::uint64_t key_count, double exponent)
    : exponent_(exponent), cdf_(std::max<std::uint64_t>(key_count, 1)) {
  for (std::size_t rank = 0; rank < cdf_.size(); ++rank) {
    harmonic_ += std::pow(static_cast<double>(rank + 1), -exponent_);
    cdf_[rank] = harmonic_;
  }
  for (double& c : cdf_) c /= harmonic_;
  cdf_.back() = 1.0;  // rounding must not leave a gap above the last rank
}

//! [sample]
std::uint64_t ZipfSampler::sample(double u) const {
  // The first rank whose cumulative probability exceeds u: rank r is drawn when u falls in
  // [cdf[r-1], cdf[r]), an interval as wide as its probability.
  const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
  return it == cdf_.end() ? cdf_.size() - 1 : static_cast<std::uint64_t>(it - cdf_.begin());
}
//! [sample]

double ZipfSampler::probability(std::uint64_t rank) const {
  if (rank >= cdf_.size()) return 0;
  return std::pow(static_cast<double>(rank + 1), -exponent_) / harmonic_;
}

}  // namespace mc::bench
