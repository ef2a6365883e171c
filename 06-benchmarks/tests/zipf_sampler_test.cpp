#include "mc/bench/zipf_sampler.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mc/bench/workload.hpp"

namespace {

using mc::bench::Random;
using mc::bench::ZipfSampler;

// How often each rank comes up in `draws` draws from a generator seeded with `seed`.
std::vector<std::uint64_t> frequencies(const ZipfSampler& zipf, std::uint64_t seed, int draws) {
  std::vector<std::uint64_t> counts(zipf.key_count());
  Random random(seed);
  for (int i = 0; i < draws; ++i) ++counts[zipf.sample(random.uniform())];
  return counts;
}

// 1 / H(n, s), the share of the most popular key, summed here independently of the sampler.
double rank_one_share(std::uint64_t n, double s) {
  double harmonic = 0;
  for (std::uint64_t i = 1; i <= n; ++i) harmonic += std::pow(static_cast<double>(i), -s);
  return 1.0 / harmonic;
}

TEST(ZipfSampler, DrawsRankOneAsOftenAsTheExponentSays) {
  constexpr std::uint64_t kKeys = 200'000;
  constexpr int kDraws = 1'000'000;
  for (const double exponent : {0.8, 0.9, 1.0}) {
    SCOPED_TRACE(fmt::format("exponent {}", exponent));
    const ZipfSampler zipf(kKeys, exponent);
    const auto counts = frequencies(zipf, 42, kDraws);
    const double expected = rank_one_share(kKeys, exponent);
    EXPECT_NEAR(zipf.probability(0), expected, 1e-12);
    // A binomial count of 10^6 draws with p near 0.02..0.08: 3 % is over five standard deviations.
    const double share = static_cast<double>(counts[0]) / kDraws;
    EXPECT_NEAR(share, expected, expected * 0.03);
    // Rank 2 is 2^s times rarer than rank 1: the exponent, read back from the draws.
    const double measured = std::log2(static_cast<double>(counts[0]) / counts[1]);
    EXPECT_NEAR(measured, exponent, 0.05);
  }
}

TEST(ZipfSampler, RepeatsItsDrawsForTheSameSeed) {
  const ZipfSampler zipf(10'000, 0.9);
  EXPECT_EQ(frequencies(zipf, 7, 10'000), frequencies(zipf, 7, 10'000));
  EXPECT_NE(frequencies(zipf, 7, 10'000), frequencies(zipf, 8, 10'000));
}

TEST(ZipfSampler, MapsTheWholeUnitIntervalOntoEveryRank) {
  const ZipfSampler zipf(1000, 0.9);
  EXPECT_EQ(zipf.sample(0.0), 0u);
  EXPECT_EQ(zipf.sample(std::nextafter(1.0, 0.0)), 999u);
  EXPECT_EQ(zipf.sample(1.0), 999u);  // out of range: clamped, never past the end
  const auto counts = frequencies(zipf, 3, 200'000);
  for (std::size_t rank = 0; rank < counts.size(); ++rank) {
    ASSERT_GT(counts[rank], 0u) << "rank " << rank << " never drawn";
  }
}

TEST(ZipfSampler, IsUniformWithExponentZero) {
  const ZipfSampler zipf(4, 0.0);
  for (std::uint64_t rank = 0; rank < 4; ++rank) EXPECT_DOUBLE_EQ(zipf.probability(rank), 0.25);
  EXPECT_EQ(zipf.sample(0.24), 0u);
  EXPECT_EQ(zipf.sample(0.26), 1u);
  EXPECT_EQ(zipf.sample(0.99), 3u);
}

}  // namespace
