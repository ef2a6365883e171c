// Our placement against libmemcached's, linked in: 100,000 random keys per server list, with
// weighted ketama, with modulo, and with a server ejected. Adding servers to a memcached_st only
// records their names; nothing here connects anywhere.

#include <gtest/gtest.h>
#include <libmemcached/memcached.h>

#include <ctime>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "mc/client/locator.hpp"

namespace {

using mc::client::Distribution;
using mc::client::Locator;
using mc::client::ServerAddress;

constexpr std::size_t kKeys = 100000;

// A libmemcached client that places keys the way `distribution` asks.
class Libmemcached {
 public:
  Libmemcached(const std::vector<ServerAddress>& servers, Distribution distribution)
      : memc_(memcached_create(nullptr), memcached_free) {
    if (distribution == Distribution::kKetama) {
      // The one behaviour weighted ketama needs: it also makes MD5 the key hash. (Setting
      // MEMCACHED_BEHAVIOR_DISTRIBUTION afterwards would clear the weighted flag again.)
      check(memcached_behavior_set(memc_.get(), MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED, 1));
      // Lets next_retry eject a server, as a real client does after repeated failures.
      check(memcached_behavior_set(memc_.get(), MEMCACHED_BEHAVIOR_AUTO_EJECT_HOSTS, 1));
    }  // else: the defaults are MEMCACHED_DISTRIBUTION_MODULA with MEMCACHED_HASH_DEFAULT
    for (const auto& s : servers) {
      check(memcached_server_add_with_weight(memc_.get(), s.host.c_str(), s.port, s.weight));
    }
  }

  std::size_t locate(const std::string& key) const {
    return memcached_generate_hash(memc_.get(), key.data(), key.size());
  }

  std::uint32_t ring_size() const { return memc_->ketama.continuum_points_counter; }

  // libmemcached's auto-eject: a server whose retry time lies ahead is left out when the
  // ring is next rebuilt. Setting a behaviour (here SORT_HOSTS to its default) rebuilds it now.
  void set_alive(std::size_t index, bool alive) {
    const auto* instance =
        memcached_server_instance_by_position(memc_.get(), static_cast<std::uint32_t>(index));
    memcached_instance_next_retry(instance, alive ? 0 : std::time(nullptr) + 3600);
    check(memcached_behavior_set(memc_.get(), MEMCACHED_BEHAVIOR_SORT_HOSTS, 0));
  }

 private:
  static void check(memcached_return_t rc) {
    ASSERT_EQ(rc, MEMCACHED_SUCCESS) << memcached_strerror(nullptr, rc);
  }

  std::unique_ptr<memcached_st, void (*)(memcached_st*)> memc_;
};

// Keys of 1..250 bytes: printable ASCII, with some bytes >= 0x80 (as in UTF-8 keys) because
// libhashkit's one-at-a-time hash treats those specially.
std::vector<std::string> random_keys(std::size_t count, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> length(1, 40);
  std::uniform_int_distribution<int> long_length(41, 250);
  std::uniform_int_distribution<int> printable(0x21, 0x7e);
  std::uniform_int_distribution<int> high(0x80, 0xff);
  std::uniform_int_distribution<int> percent(0, 99);
  std::vector<std::string> keys(count);
  for (auto& key : keys) {
    const int size = percent(random) < 5 ? long_length(random) : length(random);
    for (int i = 0; i < size; ++i) {
      key += static_cast<char>(percent(random) < 3 ? high(random) : printable(random));
    }
  }
  return keys;
}

struct ServerList {
  std::string name;
  std::vector<ServerAddress> servers;
};

// GoogleTest prints parameters in test names and failures; a name beats a byte dump.
void PrintTo(const ServerList& list, std::ostream* out) { *out << list.name; }

std::vector<ServerList> server_lists() {
  std::vector<ServerList> lists;
  std::vector<ServerAddress> fixture;
  const std::uint32_t weights[] = {600, 300, 200, 350, 1000, 800, 950, 100};
  for (std::uint32_t i = 0; i < 8; ++i) {
    fixture.push_back({"10.0.1." + std::to_string(i + 1), 11211, weights[i]});
  }
  lists.push_back({"LibmemcachedFixture", fixture});
  lists.push_back({"ThreeEqual", {{"cache1"}, {"cache2"}, {"cache3"}}});
  lists.push_back({"MixedPortsAndNames",
                   {{"127.0.0.1", 11211, 1},
                    {"127.0.0.1", 11212, 2},
                    {"127.0.0.1", 11213, 3},
                    {"localhost", 22122, 1},
                    {"cache.example.net", 11211, 7},
                    {"::1", 11311, 2}}});
  // 25 equal servers: float rounding gives each 156 points, not 160.
  std::vector<ServerAddress> twenty_five;
  for (int i = 1; i <= 25; ++i) twenty_five.push_back({"10.1.0." + std::to_string(i)});
  lists.push_back({"TwentyFiveEqual", twenty_five});
  std::vector<ServerAddress> sixty_four;
  for (std::uint32_t i = 0; i < 64; ++i) {
    sixty_four.push_back({"mc-" + std::to_string(i) + ".internal",
                          static_cast<std::uint16_t>(11211 + i % 3), 1 + (i * 7) % 13});
  }
  lists.push_back({"SixtyFourWeighted", sixty_four});
  // The light server's share rounds down to zero points: it gets no keys at all.
  lists.push_back({"LopsidedWeights", {{"light", 11211, 1}, {"heavy", 11211, 1000000}}});
  lists.push_back({"Single", {{"only", 11212, 3}}});
  return lists;
}

class LibmemcachedInterop : public ::testing::TestWithParam<ServerList> {
 protected:
  static const std::vector<std::string>& keys() {
    static const auto keys = random_keys(kKeys, 20240611);
    return keys;
  }
};

// Compares every key; stops after a few mismatches so a bug does not print 100,000 lines.
void expect_same_placement(const Libmemcached& theirs, const Locator& ours,
                           const std::vector<std::string>& keys) {
  int mismatches = 0;
  for (const auto& key : keys) {
    const auto index = ours.locate(key);
    ASSERT_TRUE(index.has_value()) << key;
    if (*index != theirs.locate(key)) {
      ADD_FAILURE() << "key \"" << key << "\": ours " << *index << ", libmemcached "
                    << theirs.locate(key);
      if (++mismatches == 5) return;
    }
  }
}

TEST_P(LibmemcachedInterop, KetamaPlacesEveryKeyLikeLibmemcached) {
  const Libmemcached theirs(GetParam().servers, Distribution::kKetama);
  const Locator ours(GetParam().servers, Distribution::kKetama);
  if (GetParam().servers.size() > 1) {  // one server: libmemcached builds but never reads a ring
    EXPECT_EQ(ours.continuum().points().size(), theirs.ring_size());
  }
  expect_same_placement(theirs, ours, keys());
}

TEST_P(LibmemcachedInterop, ModuloPlacesEveryKeyLikeLibmemcached) {
  const Libmemcached theirs(GetParam().servers, Distribution::kModulo);
  const Locator ours(GetParam().servers, Distribution::kModulo);
  expect_same_placement(theirs, ours, keys());
}

// Ejection needs a second server to take over the keys, so these run on the longer lists.
class LibmemcachedEjection : public LibmemcachedInterop {};

TEST_P(LibmemcachedEjection, KetamaEjectionAndRestoreMatchLibmemcachedAutoEject) {
  const auto& servers = GetParam().servers;
  const std::size_t victim = servers.size() / 2;
  Libmemcached theirs(servers, Distribution::kKetama);
  Locator ours(servers, Distribution::kKetama);

  theirs.set_alive(victim, false);
  ours.set_alive(victim, false);
  EXPECT_EQ(ours.continuum().points().size(), theirs.ring_size());
  expect_same_placement(theirs, ours, keys());

  theirs.set_alive(victim, true);
  ours.set_alive(victim, true);
  expect_same_placement(theirs, ours, keys());
}

TEST_P(LibmemcachedEjection, KetamaEjectionMatchesLibmemcachedWithoutThatServer) {
  const auto& servers = GetParam().servers;
  const std::size_t victim = 0;
  auto shorter = servers;
  shorter.erase(shorter.begin());
  const Libmemcached theirs(shorter, Distribution::kKetama);
  Locator ours(servers, Distribution::kKetama);
  ours.set_alive(victim, false);
  int mismatches = 0;
  for (const auto& key : keys()) {
    const auto index = ours.locate(key);
    ASSERT_TRUE(index.has_value());
    if (*index != theirs.locate(key) + 1 && ++mismatches <= 5) {
      ADD_FAILURE() << "key \"" << key << "\": ours " << *index << ", libmemcached "
                    << theirs.locate(key) + 1;
    }
  }
}

TEST_P(LibmemcachedInterop, ModuloEjectionOrphansOnlyTheEjectedServersKeys) {
  const auto& servers = GetParam().servers;
  const Libmemcached theirs(servers, Distribution::kModulo);
  Locator ours(servers, Distribution::kModulo);
  ours.set_alive(0, false);
  for (const auto& key : keys()) {
    const auto expected = theirs.locate(key);
    ASSERT_EQ(ours.locate(key), expected == 0 ? std::nullopt : std::optional(expected)) << key;
  }
}

INSTANTIATE_TEST_SUITE_P(ServerLists, LibmemcachedInterop, ::testing::ValuesIn(server_lists()),
                         [](const auto& info) { return info.param.name; });

std::vector<ServerList> lists_of_several() {
  auto lists = server_lists();
  std::erase_if(lists, [](const ServerList& list) { return list.servers.size() < 2; });
  return lists;
}

INSTANTIATE_TEST_SUITE_P(ServerLists, LibmemcachedEjection, ::testing::ValuesIn(lists_of_several()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
