// What users saw the store report, as integration tests: CAS values shared by two keys, and
// key dumps that miss the larger items. Every scenario runs against cppmemcached and, where
// memcached gives the expected answer too, against memcached 1.6 with the same flags.

#include "store_behaviour.hpp"

namespace {

using namespace store_behaviour;
using mc::testing::LineClient;

// The same servers as StoreBehaviour's, for the tests about what the store reports.
class StoreIntrospection : public StoreBehaviour {};

// A CAS unique identifies one version of one item in the whole server, whichever thread or
// part of the store handled the set.
TEST_P(StoreIntrospection, GivesTwoKeysDifferentCasValues) {
  LineClient client(start({"-t", "4"}));
  EXPECT_EQ(store(client, "set", "foo1", "one"), "STORED\r\n");
  EXPECT_EQ(store(client, "set", "foo2", "two"), "STORED\r\n");
  client.send("gets foo1 foo2\r\n");
  const auto values = read_values(client);
  ASSERT_EQ(values.size(), 2u);
  EXPECT_NE(values[0].cas, values[1].cas) << "both have cas " << values[0].cas;
}

// The same with four clients storing at once, on four threads: 800 items, 800 CAS values.
TEST_P(StoreIntrospection, GivesConcurrentSetsDistinctCasValues) {
  const std::uint16_t port = start({"-t", "4"});
  constexpr int kClients = 4;
  constexpr int kKeysPerClient = 200;
  const auto key = [](int client, int n) { return fmt::format("c{}:k{}", client, n); };
  {
    std::vector<std::jthread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        try {
          LineClient client(port);
          std::string batch;
          for (int n = 0; n < kKeysPerClient; ++n) {
            batch += fmt::format("set {} 0 0 1\r\nv\r\n", key(c, n));
          }
          client.send(batch);
          for (int n = 0; n < kKeysPerClient; ++n) EXPECT_EQ(client.read_line(), "STORED\r\n");
        } catch (const std::exception& error) {
          ADD_FAILURE() << "client " << c << ": " << error.what();
        }
      });
    }
  }
  LineClient client(port);
  std::string gets = "gets";
  for (int c = 0; c < kClients; ++c) {
    for (int n = 0; n < kKeysPerClient; ++n) {
      gets += ' ';  // appended apart: g++ 12 -O3 warns falsely about `" " + key(c, n)`
      gets += key(c, n);
    }
  }
  client.send(gets + "\r\n");
  const auto values = read_values(client);
  ASSERT_EQ(values.size(), std::size_t{kClients * kKeysPerClient});
  std::set<std::uint64_t> cas;
  for (const auto& value : values) cas.insert(value.cas);
  EXPECT_EQ(cas.size(), values.size()) << "CAS values shared between keys";
}

// Values from 100 bytes to 1,000,000 bytes land in classes from the smallest to the largest;
// the metadump lists them all.
const std::vector<std::size_t> kSizes = {100,        1024,       10 * 1024, 50 * 1024,
                                         100 * 1024, 500 * 1024, 1'000'000};

std::multiset<std::string> store_every_size(LineClient& client) {
  std::multiset<std::string> keys;
  for (const std::size_t size : kSizes) {
    keys.insert(fmt::format("size{}", size));
    EXPECT_EQ(store(client, "set", fmt::format("size{}", size), pattern(size)), "STORED\r\n");
  }
  return keys;
}

std::multiset<std::string> metadump_keys(LineClient& client) {
  static const std::regex kLine(R"(key=(\S+) exp=.*\n)");
  client.send("lru_crawler metadump all\r\n");
  std::multiset<std::string> keys;
  for (std::string line = client.read_line(); line != "END\r\n"; line = client.read_line()) {
    std::smatch match;
    if (!std::regex_match(line, match, kLine)) throw std::runtime_error("metadump: " + line);
    keys.insert(match[1]);
  }
  return keys;
}

TEST_P(StoreIntrospection, MetadumpListsItemsOfEverySize) {
  LineClient client(start({"-m", "64"}));
  const auto expected = store_every_size(client);
  auto keys = metadump_keys(client);
  // memcached's crawler skips an item its LRU maintainer is moving at that moment (see
  // key_dump_test): ask again, a bounded number of times.
  for (int attempt = 0; GetParam() == Server::kMemcached && attempt < 20 && keys != expected;
       ++attempt) {
    keys = metadump_keys(client);
  }
  EXPECT_EQ(keys, expected);
}

// Only cppmemcached: memcached's cachedump walks only the COLD LRU, and new items reach it
// when its LRU maintainer thread gets round to moving them, so what it lists depends on time.
TEST(StoreBehaviourOfCppmemcached, CachedumpOfEveryReportedClassListsItemsOfEverySize) {
  auto server = start_server(Server::kCppmemcached, {"-m", "64"});
  LineClient client(server.port);
  const auto expected = store_every_size(client);
  std::set<int> classes;
  for (const auto& [name, value] : stats(client, "items")) {
    classes.insert(std::stoi(name.substr(name.find(':') + 1)));  // items:<class>:<field>
  }
  static const std::regex kItem(R"(ITEM (\S+) \[\d+ b; \d+ s\]\r\n)");
  std::multiset<std::string> keys;
  for (const int cls : classes) {
    client.send(fmt::format("stats cachedump {} 0\r\n", cls));
    // An error ends the reply without END.
    for (std::string line = client.read_line(); line != "END\r\n"; line = client.read_line()) {
      std::smatch match;
      if (!std::regex_match(line, match, kItem)) {
        ADD_FAILURE() << "class " << cls << ": " << line;
        break;
      }
      keys.insert(match[1]);
    }
  }
  EXPECT_EQ(keys, expected);
  server.process.stop();
}

INSTANTIATE_TEST_SUITE_P(Servers, StoreIntrospection,
                         ::testing::Values(Server::kCppmemcached, Server::kMemcached),
                         [](const auto& info) { return server_name(info.param); });

}  // namespace
