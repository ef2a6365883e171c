#include "mc/bench/key_profile.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <limits>
#include <set>
#include <stdexcept>
#include <utility>

namespace {

using namespace mc::bench;

constexpr std::uint64_t kKeys = 200'000;

// The share of the keys whose value falls in each band in `phase`.
std::array<double, 3> class_shares(const KeyProfile& profile, unsigned phase) {
  std::array<double, 3> shares{};
  for (std::uint64_t key = 0; key < kKeys; ++key) shares[profile.size_class(key, phase)] += 1;
  for (double& share : shares) share /= kKeys;
  return shares;
}

TEST(KeyProfile, KeepsEveryValueSizeWithinItsBand) {
  const KeyProfile profile(1);
  for (unsigned phase = 0; phase < kPhaseMixes.size(); ++phase) {
    SCOPED_TRACE(fmt::format("phase {}", phase));
    std::array<std::size_t, 3> smallest{kMaxValueSize, kMaxValueSize, kMaxValueSize};
    std::array<std::size_t, 3> largest{};
    for (std::uint64_t key = 0; key < kKeys; ++key) {
      const std::size_t band = profile.size_class(key, phase);
      const std::size_t size = profile.value_size(key, phase);
      ASSERT_GE(size, kSizeClasses[band].min_bytes) << "key " << key;
      ASSERT_LT(size, kSizeClasses[band].max_bytes) << "key " << key;
      smallest[band] = std::min(smallest[band], size);
      largest[band] = std::max(largest[band], size);
    }
    // The sizes reach across each band, not only its middle (within 2 % of either end).
    for (std::size_t band = 0; band < kSizeClasses.size(); ++band) {
      EXPECT_LT(smallest[band], kSizeClasses[band].min_bytes * 1.02) << kSizeClasses[band].name;
      EXPECT_GT(largest[band], kSizeClasses[band].max_bytes * 0.98) << kSizeClasses[band].name;
    }
  }
}

TEST(KeyProfile, DrawsEachPhaseWithItsMix) {
  const KeyProfile profile(1);
  for (unsigned phase = 0; phase < kPhaseMixes.size(); ++phase) {
    SCOPED_TRACE(fmt::format("phase {} ({})", phase, kPhaseMixes[phase].name));
    const auto shares = class_shares(profile, phase);
    for (std::size_t band = 0; band < shares.size(); ++band) {
      EXPECT_NEAR(shares[band], kPhaseMixes[phase].share[band], 0.01) << kSizeClasses[band].name;
    }
  }
}

TEST(KeyProfile, ShiftsTheMixBetweenPhases) {
  const KeyProfile profile(1);
  const auto first = class_shares(profile, 0);
  const auto second = class_shares(profile, 1);
  const auto third = class_shares(profile, 2);
  EXPECT_GT(first[0], second[0] + 0.2);   // small-heavy, then less so
  EXPECT_GT(second[2], first[2] + 0.15);  // large-heavy
  EXPECT_GT(third[1], second[1] + 0.2);   // medium-heavy
  // More phases than mixes cycle through them.
  EXPECT_EQ(&mix_of(3), &mix_of(0));
  // And a key's size is drawn afresh in every phase: most keys change.
  int changed = 0;
  for (std::uint64_t key = 0; key < 1000; ++key) {
    changed += profile.value_size(key, 0) != profile.value_size(key, 1);
  }
  EXPECT_GT(changed, 900);
}

TEST(KeyProfile, GivesAKeyTheSameAnswersWithinAPhaseAndSeed) {
  const KeyProfile profile(5);
  const KeyProfile same_seed(5);
  const KeyProfile other_seed(6);
  int differences = 0;
  for (std::uint64_t key = 0; key < 1000; ++key) {
    EXPECT_EQ(profile.value_size(key, 1), profile.value_size(key, 1));
    EXPECT_EQ(profile.value_size(key, 1), same_seed.value_size(key, 1));
    EXPECT_EQ(profile.ttl_seconds(key), same_seed.ttl_seconds(key));
    differences += profile.value_size(key, 1) != other_seed.value_size(key, 1);
  }
  EXPECT_GT(differences, 900);
}

TEST(KeyProfile, GivesATenthOfTheKeysATtlOfAFewSeconds) {
  const KeyProfile profile(1);
  std::uint64_t with_ttl = 0;
  std::set<std::int32_t> ttls;
  for (std::uint64_t key = 0; key < kKeys; ++key) {
    const std::int32_t ttl = profile.ttl_seconds(key);
    if (ttl == 0) continue;
    ++with_ttl;
    ttls.insert(ttl);
    ASSERT_GE(ttl, kMinTtlSeconds);
    ASSERT_LE(ttl, kMaxTtlSeconds);
  }
  EXPECT_NEAR(static_cast<double>(with_ttl) / kKeys, kTtlShare, 0.005);
  EXPECT_EQ(ttls, (std::set<std::int32_t>{2, 3, 4, 5}));
}

// The share of kKeys that expire under `profile`, checking every TTL against `rule` meanwhile.
double expiring_share(const KeyProfile& profile, const TtlRule& rule,
                      std::set<std::int32_t>* seen = nullptr) {
  std::uint64_t with_ttl = 0;
  for (std::uint64_t key = 0; key < kKeys; ++key) {
    const std::int32_t ttl = profile.ttl_seconds(key);
    if (ttl == 0) continue;
    ++with_ttl;
    if (seen != nullptr) seen->insert(ttl);
    EXPECT_GE(ttl, rule.min_seconds) << "key " << key;
    EXPECT_LE(ttl, rule.max_seconds) << "key " << key;
  }
  return static_cast<double>(with_ttl) / kKeys;
}

TEST(KeyProfile, GivesTheRuleShareOfTheKeysATtlWithinItsRange) {
  const std::array<TtlRule, 5> rules{{
      {0.5, 2, 2},
      {0.25, 1, 10},
      {0.9, 3, 7},
      {0.0, 2, 5},
      {1.0, 60, 60},
  }};
  for (const TtlRule& rule : rules) {
    SCOPED_TRACE(
        fmt::format("share {}, {} to {} s", rule.share, rule.min_seconds, rule.max_seconds));
    const KeyProfile profile(1, rule);
    std::set<std::int32_t> seen;
    // 200,000 draws: the share is off by more than 0.005 about once in 10^12 runs.
    EXPECT_NEAR(expiring_share(profile, rule, &seen), rule.share, 0.005);
    // Every whole second of the range is given to some key (none is, with a share of 0).
    if (rule.share > 0) {
      EXPECT_EQ(seen.size(), static_cast<std::size_t>(rule.max_seconds - rule.min_seconds + 1));
    }
  }
}

TEST(KeyProfile, GivesTheSameTtlsAsBeforeTheRuleWasAnOption) {
  // Figures from the code that had the tenth and 2-5 s built in: the default rule keeps them,
  // so results measured then stay comparable.
  const KeyProfile profile(1);
  std::uint64_t with_ttl = 0;
  std::int64_t sum = 0;
  for (std::uint64_t key = 0; key < kKeys; ++key) {
    with_ttl += profile.ttl_seconds(key) != 0;
    sum += profile.ttl_seconds(key);
  }
  EXPECT_EQ(with_ttl, 19'948u);
  EXPECT_EQ(sum, 69'674);
  const std::array<std::pair<std::uint64_t, std::int32_t>, 8> first{
      {{1, 3}, {9, 3}, {17, 3}, {19, 5}, {40, 5}, {42, 2}, {43, 4}, {50, 4}}};
  for (const auto& [key, ttl] : first) EXPECT_EQ(profile.ttl_seconds(key), ttl) << "key " << key;
  EXPECT_EQ(profile.ttl_seconds(0), 0);
}

TEST(KeyProfile, ChoosesTheSameKeysToExpireWhateverTheRange) {
  // A wider share only adds keys, and the range decides how long, not which.
  const KeyProfile narrow(3, TtlRule{0.2, 2, 2});
  const KeyProfile other_range(3, TtlRule{0.2, 10, 20});
  const KeyProfile wider(3, TtlRule{0.5, 2, 2});
  for (std::uint64_t key = 0; key < kKeys; ++key) {
    const bool expires = narrow.ttl_seconds(key) != 0;
    ASSERT_EQ(expires, other_range.ttl_seconds(key) != 0) << "key " << key;
    if (expires) {
      ASSERT_NE(wider.ttl_seconds(key), 0) << "key " << key;
    }
  }
}

TEST(KeyProfile, GivesTheSameTtlsForTheSameSeedAndRule) {
  const TtlRule rule{0.5, 1, 30};
  const KeyProfile profile(7, rule);
  const KeyProfile same_seed(7, rule);
  const KeyProfile other_seed(8, rule);
  int differences = 0;
  for (std::uint64_t key = 0; key < 10'000; ++key) {
    ASSERT_EQ(profile.ttl_seconds(key), same_seed.ttl_seconds(key)) << "key " << key;
    differences += profile.ttl_seconds(key) != other_seed.ttl_seconds(key);
  }
  // Two independent draws agree when both keys have no TTL (a quarter of the time) or the same
  // one of 30 (about 1 in 120): some 74 % differ.
  EXPECT_GT(differences, 7000);
}

TEST(KeyProfile, RejectsATtlRuleThatCannotBeFollowed) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const TtlRule& rule :
       {TtlRule{-0.1, 2, 5}, TtlRule{1.1, 2, 5}, TtlRule{nan, 2, 5}, TtlRule{0.5, 0, 5},
        TtlRule{0.5, 5, 2}, TtlRule{0.5, 2, 60 * 60 * 24 * 30 + 1}}) {
    SCOPED_TRACE(
        fmt::format("share {}, {} to {} s", rule.share, rule.min_seconds, rule.max_seconds));
    EXPECT_THROW(KeyProfile(1, rule), std::invalid_argument);
  }
  // 30 days is still a relative time for memcached.
  EXPECT_NO_THROW(KeyProfile(1, TtlRule{0.5, 1, 60 * 60 * 24 * 30}));
}

TEST(PhaseAt, SplitsARunIntoEqualPhases) {
  EXPECT_EQ(phase_at(0, 300, 3), 0u);
  EXPECT_EQ(phase_at(99, 300, 3), 0u);
  EXPECT_EQ(phase_at(100, 300, 3), 1u);
  EXPECT_EQ(phase_at(299, 300, 3), 2u);
  EXPECT_EQ(phase_at(300, 300, 3), 2u);   // the end belongs to the last phase
  EXPECT_EQ(phase_at(1000, 300, 3), 2u);  // and so does anything past it
  EXPECT_EQ(phase_at(150, 300, 1), 0u);
  EXPECT_EQ(phase_at(5, 0, 3), 0u);  // no total: no phases
}

}  // namespace
