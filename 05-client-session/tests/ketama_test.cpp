#include "mc/client/ketama.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "mc/client/hash.hpp"

namespace {

using mc::client::Continuum;
using mc::client::ContinuumPoint;
using mc::client::ketama_label;
using mc::client::ketama_points_for;
using mc::client::ServerAddress;

TEST(KetamaPointsFor, GivesEqualServers160Points) {
  EXPECT_EQ(ketama_points_for(1, 1, 1), 160U);
  EXPECT_EQ(ketama_points_for(1, 4, 4), 160U);
  EXPECT_EQ(ketama_points_for(5, 40, 8), 160U);
}

// Single-precision rounding, as libmemcached computes it (checked against its ring sizes in
// the interop test): 1/25 * 40 * 25 is 39.9999962f, so each of 25 equal servers gets 39 digests;
// 1/7 * 40 * 7 is exactly 40 in float but 39.99999999999999 in double.
TEST(KetamaPointsFor, RoundsInSinglePrecisionLikeLibmemcached) {
  EXPECT_EQ(ketama_points_for(1, 25, 25), 156U);
  EXPECT_EQ(ketama_points_for(1, 7, 7), 160U);
}

TEST(KetamaPointsFor, ScalesWithWeight) {
  // Fixture weights: 1000 of 4300 over 8 servers is 74.4 digests, floored to 74.
  EXPECT_EQ(ketama_points_for(1000, 4300, 8), 296U);
  EXPECT_EQ(ketama_points_for(100, 4300, 8), 28U);
  // A tiny share rounds down to nothing: that server gets no points at all.
  EXPECT_EQ(ketama_points_for(1, 1000, 2), 0U);
}

TEST(KetamaLabel, OmitsTheDefaultPort) {
  EXPECT_EQ(ketama_label({"10.0.1.1", 11211, 1}, 0), "10.0.1.1-0");
  EXPECT_EQ(ketama_label({"cache", 11212, 1}, 39), "cache:11212-39");
}

TEST(Continuum, PlacesFourPointsPerDigestOfEachLabel) {
  const std::vector<ServerAddress> one = {{"cache", 11211, 1}};
  const auto ring = Continuum::build(one);
  ASSERT_EQ(ring.points().size(), 160U);
  // The four words of MD5("cache-0") are all on the ring, owned by server 0.
  const auto digest = mc::client::md5("cache-0");
  for (std::size_t word = 0; word < 4; ++word) {
    const ContinuumPoint point{mc::client::digest_word(digest, word), 0};
    EXPECT_TRUE(std::ranges::binary_search(ring.points(), point)) << word;
  }
  // ... and the 40th label is the last one used.
  const ContinuumPoint last{mc::client::digest_word(mc::client::md5("cache-39"), 0), 0};
  const ContinuumPoint past{mc::client::digest_word(mc::client::md5("cache-40"), 0), 0};
  EXPECT_TRUE(std::ranges::binary_search(ring.points(), last));
  EXPECT_FALSE(std::ranges::binary_search(ring.points(), past));
}

TEST(Continuum, IsSortedByValueThenServer) {
  const std::vector<ServerAddress> servers = {{"a", 11211, 1}, {"b", 11300, 2}, {"c", 11211, 3}};
  const auto ring = Continuum::build(servers);
  EXPECT_TRUE(std::ranges::is_sorted(ring.points()));
}

TEST(Continuum, LookupTakesFirstPointAtOrAfterHashAndWraps) {
  const std::vector<ServerAddress> servers = {{"a", 11211, 1}, {"b", 11211, 1}};
  const auto ring = Continuum::build(servers);
  const auto points = ring.points();
  ASSERT_GE(points.size(), 3U);
  EXPECT_EQ(ring.point_for(points[1].value), points[1]);          // exactly on a point
  EXPECT_EQ(ring.point_for(points[1].value + 1), points[2]);      // just after it
  EXPECT_EQ(ring.point_for(0), points[0]);                        // before the first
  EXPECT_EQ(ring.point_for(points.back().value), points.back());  // on the last
  if (points.back().value != UINT32_MAX) {
    EXPECT_EQ(ring.point_for(points.back().value + 1), points[0]);  // past the last: wrap
  }
}

TEST(Continuum, SkipsDeadServersButKeepsTheirIndices) {
  const std::vector<ServerAddress> servers = {{"a", 11211, 1}, {"b", 11211, 1}, {"c", 11211, 1}};
  const auto ring = Continuum::build(servers, {true, false, true});
  std::map<std::uint32_t, std::size_t> per_server;
  for (const auto& p : ring.points()) ++per_server[p.server];
  EXPECT_EQ(per_server, (std::map<std::uint32_t, std::size_t>{{0, 160}, {2, 160}}));
}

TEST(Continuum, DeadServerRingEqualsRingWithoutIt) {
  const std::vector<ServerAddress> all = {{"a", 11211, 5}, {"b", 11212, 1}, {"c", 11211, 9}};
  const std::vector<ServerAddress> without_b = {all[0], all[2]};
  const auto ejected = Continuum::build(all, {true, false, true});
  const auto removed = Continuum::build(without_b);
  ASSERT_EQ(ejected.points().size(), removed.points().size());
  for (std::size_t i = 0; i < ejected.points().size(); ++i) {
    EXPECT_EQ(ejected.points()[i].value, removed.points()[i].value);
    EXPECT_EQ(ejected.points()[i].server, removed.points()[i].server == 0 ? 0U : 2U);
  }
}

TEST(Continuum, EmptyWhenNoServerIsAlive) {
  const std::vector<ServerAddress> servers = {{"a", 11211, 1}};
  const auto ring = Continuum::build(servers, {false});
  EXPECT_TRUE(ring.points().empty());
  EXPECT_EQ(ring.server_for(12345), std::nullopt);
  EXPECT_EQ(Continuum{}.point_for(0), std::nullopt);
}

TEST(Continuum, RejectsAliveMaskOfWrongSize) {
  const std::vector<ServerAddress> servers = {{"a", 11211, 1}, {"b", 11211, 1}};
  EXPECT_THROW((void)Continuum::build(servers, {true}), std::invalid_argument);
}

}  // namespace
