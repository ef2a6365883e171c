// Server lists as a user types them (spaces after commas, bracketed IPv6, host names, weights
// after ':' or ' ', weight 0), parsed by libmemcached's memcached_servers_parse and by our
// parse_server_list; then every distribution both offer, placing 20,000 random binary keys.
// Nothing here connects anywhere.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libmemcached/memcached.h>

#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "mc/client/locator.hpp"
#include "mc/client/server_address.hpp"

namespace {

using mc::client::Distribution;
using mc::client::Locator;
using mc::client::parse_server_list;
using mc::client::ServerAddress;

constexpr std::size_t kKeys = 20000;

using ServerList = std::unique_ptr<memcached_server_st, void (*)(memcached_server_st*)>;
using Client = std::unique_ptr<memcached_st, void (*)(memcached_st*)>;

ServerList libmemcached_parse(const std::string& list) {
  return {memcached_servers_parse(list.c_str()), memcached_server_list_free};
}

// A libmemcached client over `list`, configured the way each of our distributions names.
Client libmemcached_client(const std::string& list, Distribution distribution) {
  Client memc(memcached_create(nullptr), memcached_free);
  const auto servers = libmemcached_parse(list);
  if (distribution == Distribution::kKetama) {
    memcached_behavior_set(memc.get(), MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED, 1);
  }
  memcached_server_push(memc.get(), servers.get());
  if (distribution == Distribution::kKetamaUnweighted) {
    // After the push: pushing a server of weight > 1 turns weighting back on in libmemcached,
    // and setting this behaviour turns it off again.
    memcached_behavior_set(memc.get(), MEMCACHED_BEHAVIOR_KETAMA, 1);
  }  // kModulo: the defaults, MEMCACHED_DISTRIBUTION_MODULA with one-at-a-time
  return memc;
}

// Any byte at all, NUL, space and CR LF included: placement hashes bytes, not text.
std::vector<std::string> binary_keys(std::size_t count, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> length(1, 250);
  std::uniform_int_distribution<int> byte(0, 255);
  std::vector<std::string> keys(count);
  for (auto& key : keys) {
    key.resize(static_cast<std::size_t>(length(random)));
    for (auto& c : key) c = static_cast<char>(byte(random));
  }
  return keys;
}

struct Case {
  std::string name;
  std::string list;
};

void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

std::vector<Case> cases() {
  // fmt rather than `"literal" + std::string`, in which g++ 12 at -O3 sees a false overlap.
  std::string twenty_five;
  for (int i = 1; i <= 25; ++i) twenty_five += fmt::format("{}10.1.0.{}", i > 1 ? "," : "", i);
  std::string sixty_four;
  for (int i = 0; i < 64; ++i) {
    sixty_four +=
        fmt::format("{}mc-{}.internal:{}:{}", i > 0 ? ", " : "", i, 11211 + i % 3, (i * 7) % 13);
  }
  return {
      {"FixtureWithSpaces",
       "10.0.1.1:11211:600, 10.0.1.2:11211:300, 10.0.1.3:11211:200,10.0.1.4:11211:350, "
       "10.0.1.5:11211:1000,10.0.1.6:11211:800, 10.0.1.7:11211:950,10.0.1.8:11211:100"},
      {"Ipv6AndNames", "[::1]:11311:2, [fe80::1]:11211, 127.0.0.1:11212:3, localhost:22122"},
      {"WeightAfterSpaceAndWeightZero",
       "cache-a.example.net, cache-b.example.net:11212:5,cache-c.example.net:11213 2,"
       "\t[2001:db8::7]:11211:0"},
      {"TwentyFiveEqual", twenty_five},
      {"SixtyFourMixed", sixty_four},
      {"TwoServers", "[::1]:11211:1,127.0.0.1:11211:1"},
      {"Single", "only:11212:3"},
  };
}

class ServerListInterop : public ::testing::TestWithParam<Case> {};

TEST_P(ServerListInterop, ParsesEachEntryAsLibmemcachedDoes) {
  const auto theirs = libmemcached_parse(GetParam().list);
  std::string why;
  const auto ours = parse_server_list(GetParam().list, &why);
  ASSERT_TRUE(theirs);
  ASSERT_TRUE(ours) << why;
  ASSERT_EQ(ours->size(), memcached_server_list_count(theirs.get()));
  for (std::size_t i = 0; i < ours->size(); ++i) {
    const memcached_server_st& server = theirs.get()[i];
    EXPECT_EQ((*ours)[i].host, std::string(server.hostname)) << "entry " << i;
    EXPECT_EQ((*ours)[i].port, server.port) << "entry " << i;
    EXPECT_EQ((*ours)[i].weight, server.weight) << "entry " << i;
  }
}

TEST_P(ServerListInterop, PlacesEveryKeyAsLibmemcachedDoesInEachDistribution) {
  const auto servers = parse_server_list(GetParam().list);
  ASSERT_TRUE(servers);
  const auto keys = binary_keys(kKeys, 14);
  for (const auto distribution :
       {Distribution::kKetama, Distribution::kKetamaUnweighted, Distribution::kModulo}) {
    SCOPED_TRACE(std::string(to_string(distribution)));
    const auto memc = libmemcached_client(GetParam().list, distribution);
    const Locator locator(*servers, distribution);
    std::size_t differ = 0;
    for (const auto& key : keys) {
      const auto ours = locator.locate(key);
      const auto theirs = memcached_generate_hash(memc.get(), key.data(), key.size());
      if (!ours || *ours != theirs) ++differ;
    }
    EXPECT_EQ(differ, 0u) << "of " << keys.size() << " keys";
  }
}

INSTANTIATE_TEST_SUITE_P(Lists, ServerListInterop, ::testing::ValuesIn(cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
