#include "mc/client/locator.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mc/client/hash.hpp"

namespace {

using mc::client::Distribution;
using mc::client::Locator;
using mc::client::ServerAddress;

std::vector<ServerAddress> servers(std::size_t count) {
  std::vector<ServerAddress> list;
  for (std::size_t i = 0; i < count; ++i) list.push_back({fmt::format("10.0.0.{}", i + 1)});
  return list;
}

std::string key(std::size_t i) { return fmt::format("key:{}", i); }

// Fraction of `keys` keys placed differently by the two locators.
double moved_fraction(const Locator& before, const Locator& after, std::size_t keys) {
  std::size_t moved = 0;
  for (std::size_t i = 0; i < keys; ++i) {
    if (before.locate(key(i)) != after.locate(key(i))) ++moved;
  }
  return static_cast<double>(moved) / static_cast<double>(keys);
}

TEST(Locator, RejectsEmptyServerList) { EXPECT_THROW(Locator({}), std::invalid_argument); }

TEST(Locator, ModuloIsOneAtATimeHashModuloServerCount) {
  const Locator locator(servers(3), Distribution::kModulo);
  for (std::size_t i = 0; i < 100; ++i) {
    EXPECT_EQ(locator.locate(key(i)), mc::client::one_at_a_time_hash(key(i)) % 3);
  }
  EXPECT_TRUE(locator.continuum().points().empty());
}

TEST(Locator, KetamaUsesMd5KeyHashOnTheRing) {
  const Locator locator(servers(3));
  for (std::size_t i = 0; i < 100; ++i) {
    EXPECT_EQ(locator.locate(key(i)), locator.continuum().server_for(mc::client::md5_hash(key(i))));
  }
}

TEST(Locator, SpreadsKeysByWeight) {
  const Locator locator({{"a", 11211, 1}, {"b", 11211, 3}});
  std::size_t on_b = 0;
  const std::size_t keys = 20000;
  for (std::size_t i = 0; i < keys; ++i) on_b += locator.locate(key(i)) == 1U ? 1 : 0;
  const double share = static_cast<double>(on_b) / keys;
  EXPECT_GT(share, 0.65);  // 3/4 expected; ketama is uneven by a few percent
  EXPECT_LT(share, 0.85);
}

TEST(Locator, SingleServerTakesEveryKeyUntilEjected) {
  for (const auto distribution : {Distribution::kKetama, Distribution::kModulo}) {
    Locator locator(servers(1), distribution);
    EXPECT_EQ(locator.locate("anything"), 0U);
    EXPECT_TRUE(locator.set_alive(0, false));
    EXPECT_EQ(locator.locate("anything"), std::nullopt);
  }
}

TEST(Locator, KetamaEjectionMovesOnlyTheEjectedServersKeys) {
  const Locator all(servers(5));
  Locator ejected(servers(5));
  EXPECT_TRUE(ejected.set_alive(2, false));
  EXPECT_FALSE(ejected.set_alive(2, false));  // already ejected: nothing to rebuild
  EXPECT_EQ(ejected.live_count(), 4U);
  EXPECT_FALSE(ejected.is_alive(2));
  for (std::size_t i = 0; i < 10000; ++i) {
    const auto before = all.locate(key(i));
    const auto after = ejected.locate(key(i));
    ASSERT_TRUE(after.has_value());
    EXPECT_NE(*after, 2U);
    if (before != 2U) {
      EXPECT_EQ(after, before) << key(i);
    }
  }
}

TEST(Locator, KetamaEjectionPlacesKeysAsIfTheServerWereNotListed) {
  auto list = servers(6);
  list[3].weight = 4;
  Locator ejected(list);
  ejected.set_alive(1, false);
  auto shorter = list;
  shorter.erase(shorter.begin() + 1);
  const Locator removed(shorter);
  for (std::size_t i = 0; i < 10000; ++i) {
    const auto index = removed.locate(key(i)).value();
    EXPECT_EQ(ejected.locate(key(i)), index < 1 ? index : index + 1) << key(i);
  }
}

TEST(Locator, KetamaRestoreGivesBackTheOriginalPlacement) {
  const Locator all(servers(4));
  Locator locator(servers(4));
  locator.set_alive(0, false);
  locator.set_alive(3, false);
  EXPECT_TRUE(locator.set_alive(0, true));
  EXPECT_TRUE(locator.set_alive(3, true));
  EXPECT_EQ(locator.continuum().points().size(), all.continuum().points().size());
  for (std::size_t i = 0; i < 10000; ++i) EXPECT_EQ(locator.locate(key(i)), all.locate(key(i)));
}

TEST(Locator, KetamaWithEveryServerEjectedPlacesNothing) {
  Locator locator(servers(2));
  locator.set_alive(0, false);
  locator.set_alive(1, false);
  EXPECT_EQ(locator.live_count(), 0U);
  EXPECT_EQ(locator.locate("k"), std::nullopt);
}

TEST(Locator, ModuloEjectionLeavesOtherKeysAndOrphansTheEjectedServers) {
  const Locator all(servers(4), Distribution::kModulo);
  Locator locator(servers(4), Distribution::kModulo);
  locator.set_alive(1, false);
  for (std::size_t i = 0; i < 1000; ++i) {
    const auto before = all.locate(key(i));
    EXPECT_EQ(locator.locate(key(i)), before == 1U ? std::nullopt : before) << key(i);
  }
}

TEST(Locator, RejectsOutOfRangeIndex) {
  Locator locator(servers(2));
  EXPECT_THROW(locator.set_alive(2, false), std::out_of_range);
  EXPECT_THROW((void)locator.is_alive(2), std::out_of_range);
}

// The chapter's measurement: how many of 100,000 keys move when a fifth server joins four.
// Consistent hashing moves about 1/5 (the new server's share); modulo about 4/5.
TEST(Locator, AddingAFifthServerMovesFewKeysWithKetamaAndMostWithModulo) {
  const std::size_t keys = 100000;
  const double ketama = moved_fraction(Locator(servers(4)), Locator(servers(5)), keys);
  const double modulo = moved_fraction(Locator(servers(4), Distribution::kModulo),
                                       Locator(servers(5), Distribution::kModulo), keys);
  std::cout << fmt::format(
      "keys moved adding a 5th server to 4 ({} keys): ketama {:.1f}%, "
      "modulo {:.1f}%\n",
      keys, 100 * ketama, 100 * modulo);
  RecordProperty("ketama_moved_percent", fmt::format("{:.1f}", 100 * ketama));
  RecordProperty("modulo_moved_percent", fmt::format("{:.1f}", 100 * modulo));
  EXPECT_LT(ketama, 0.30);
  EXPECT_GT(modulo, 0.60);
}

}  // namespace
