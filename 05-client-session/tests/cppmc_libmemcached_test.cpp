// `cppmc locate` against libmemcached itself: 100,000 keys over a weighted server list, every
// one placed on the same server. libmemcached only records the names; nothing connects.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <libmemcached/memcached.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "mc/client/server_address.hpp"
#include "mc/testing/process.hpp"

namespace {

using mc::client::ServerAddress;
using namespace std::chrono_literals;

TEST(CppmcLocate, AgreesWithLibmemcachedOnAHundredThousandKeys) {
  const std::vector<ServerAddress> servers = {{"10.0.1.1", 11211, 600},
                                              {"10.0.1.2", 11211, 300},
                                              {"10.0.1.3", 11212, 200},
                                              {"cache-a.example", 11211, 350},
                                              {"cache-b.example", 22122, 1000}};
  std::unique_ptr<memcached_st, void (*)(memcached_st*)> memc(memcached_create(nullptr),
                                                              memcached_free);
  ASSERT_EQ(memcached_behavior_set(memc.get(), MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED, 1),
            MEMCACHED_SUCCESS);
  std::string list;
  for (const auto& s : servers) {
    ASSERT_EQ(memcached_server_add_with_weight(memc.get(), s.host.c_str(), s.port, s.weight),
              MEMCACHED_SUCCESS);
    list += fmt::format("{}{}:{}:{}", list.empty() ? "" : ",", s.host, s.port, s.weight);
  }

  std::mt19937 random(20240611);
  std::uniform_int_distribution<int> length(1, 60);
  std::uniform_int_distribution<int> printable(0x21, 0x7e);
  std::size_t compared = 0;
  for (int batch = 0; batch < 10; ++batch) {  // 10,000 keys per command line
    // After `--` every word is a key, even `-h` or `[a,b]`.
    std::vector<std::string> args = {"--servers", list, "locate", "--", "first"};
    std::string expected = fmt::format(
        "first {}\n", servers[memcached_generate_hash(memc.get(), "first", 5)].to_string());
    for (int k = 0; k < 10'000; ++k) {
      std::string key(static_cast<std::size_t>(length(random)), ' ');
      for (auto& c : key) c = static_cast<char>(printable(random));
      const auto server = memcached_generate_hash(memc.get(), key.data(), key.size());
      expected += fmt::format("{} {}\n", key, servers[server].to_string());
      args.push_back(std::move(key));
    }
    const auto result = mc::testing::run(CPPMC_PATH, args, {}, 60s);
    ASSERT_EQ(result.status, 0) << result.err;
    ASSERT_EQ(result.out, expected) << "batch " << batch;
    compared += 10'000;
  }
  EXPECT_EQ(compared, 100'000u);
}

}  // namespace
