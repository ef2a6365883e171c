// What users saw the store do with memory, as integration tests: a large value that cannot
// replace a large value, replies left unread that block every store, an append among chunked
// items, threads that split the memory, out-of-memory errors once item sizes change, and items
// of tens of megabytes. Every scenario runs against cppmemcached and, where memcached gives the
// expected answer too, against memcached 1.6 with the same flags.

#include "store_behaviour.hpp"

namespace {

using namespace store_behaviour;
using mc::testing::LineClient;

// Two 900 KB items fill the two pages of -m 2. Replacing one of them with a 600 KB value must
// make room by evicting, as memcached does, not answer out of memory.
TEST_P(StoreBehaviour, ReplacesALargeItemWithASmallerOneWhenMemoryIsFull) {
  LineClient client(start({"-m", "2", "-t", "1"}));
  EXPECT_EQ(store(client, "set", "B0", pattern(900'000, 0)), "STORED\r\n");
  EXPECT_EQ(store(client, "set", "B1", pattern(900'000, 1)), "STORED\r\n");
  const std::string replacement = pattern(600'000, 2);
  EXPECT_EQ(store(client, "set", "B0", replacement), "STORED\r\n");
  expect_value(client, "B0", replacement);
}

// A client asks for the same 900 KB item twenty times and never reads: 18 MB of replies, far
// more than the socket buffers hold, so the server keeps that item in use. Other clients must
// still be able to store values of every size meanwhile.
TEST_P(StoreBehaviour, KeepsStoringWhileAClientLeavesRepliesUnread) {
  const std::uint16_t port = start({"-m", "8", "-t", "1"});
  LineClient client(port);
  std::string keys;
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(store(client, "set", fmt::format("B{}", i), pattern(900'000, 100)), "STORED\r\n");
    keys += fmt::format(" B{}", i);
  }
  // Eight of the twelve fit; the oldest one left is the next to go, so pin that one.
  client.send(fmt::format("get{}\r\n", keys));
  const auto present = read_values(client);
  ASSERT_FALSE(present.empty());
  const std::string pinned_key = present.front().key;

  LineClient stalled(port);
  std::string gets;
  for (int i = 0; i < 20; ++i) gets += fmt::format("get {}\r\n", pinned_key);
  stalled.send(gets);
  // Its first reply has started, so the item is in use; from here on the client reads nothing.
  ASSERT_EQ(stalled.read_line(), fmt::format("VALUE {} 0 900000\r\n", pinned_key));

  int refused = 0;
  for (int i = 0; i < 30; ++i) {
    SCOPED_TRACE(fmt::format("round {}", i));
    const std::string large = store(client, "set", fmt::format("L{}", i), pattern(600'000, 3));
    const std::string small = store(client, "set", fmt::format("s{}", i), pattern(100, 4));
    if ((large != "STORED\r\n" || small != "STORED\r\n") && ++refused == 1) {
      ADD_FAILURE() << "600 KB set: " << large << "100-byte set: " << small;
    }
  }
  EXPECT_EQ(refused, 0) << "rounds in which a set was refused, of 30";

  stalled.reset();
  expect_value(client, "L29", pattern(600'000, 3));
  expect_value(client, "s29", pattern(100, 4));
}

// memcached's t/chunked-items.t, in the same order with the same sizes: a pattern item,
// 400 KB items, 100 items of 576 KB read back, one item per size from 200 KB to 1 MB in 2 KB
// steps, then 8,000 appends and 8,000 prepends each read back, and finally an item appended
// (and prepended) to itself. The flags are the test's as of memcached 1.6.18, which reads
// slab_chunk_max in bytes (later versions read kilobytes, and the test says 16); cppmemcached
// accepts the option and logs that its store, having no slab classes, has nothing to change.
TEST_P(StoreBehaviour, PassesMemcachedsChunkedItemsSequence) {
  LineClient client(start({"-m", "48", "-o", "slab_chunk_max=16384"}));

  std::vector<std::string> parts;
  std::string joined;
  for (int n = 1; n <= 8000; ++n) {
    parts.push_back(std::to_string(n));
    joined += (n == 1 ? "" : ":") + parts.back();
  }
  ASSERT_EQ(store(client, "set", "pattern", joined), "STORED\r\n");
  expect_value(client, "pattern", joined);

  const std::string x400k(400 * 1024, 'x');
  for (int n = 1; n <= 5; ++n) {
    EXPECT_EQ(store(client, "set", fmt::format("foo{}", n), x400k), "STORED\r\n") << n;
  }

  std::string big = "a big value that's > .5M and < 1M. ";
  while (big.size() * 2 < 1024 * 1024) big += big;
  for (int n = 1; n <= 100; ++n) {
    SCOPED_TRACE(fmt::format("toast{}", n));
    ASSERT_EQ(store(client, "set", fmt::format("toast{}", n), big), "STORED\r\n");
    expect_value(client, fmt::format("toast{}", n), big);
  }

  int refused = 0;
  for (std::size_t size = 200 * 1024; size < 1024 * 1024; size += 2048) {
    const std::string reply =
        store(client, "set", fmt::format("foo_{}", size), std::string(size, 'B'));
    if (reply != "STORED\r\n" && ++refused == 1) {
      ADD_FAILURE() << "size " << size << ": " << reply;
    }
  }
  EXPECT_EQ(refused, 0) << "sets from 200 KB to 1 MB refused";

  // Appends, then prepends: each adds a part plus ten x to a growing value, read back each time.
  for (const std::string_view command : {"append", "prepend"}) {
    SCOPED_TRACE(command);
    const std::string key = std::string(command) + "er";
    std::string expected = "seedstring";
    ASSERT_EQ(store(client, "set", key, expected), "STORED\r\n");
    int unexpected = 0;
    for (const std::string& part : parts) {
      const std::string piece = part + std::string(10, 'x');
      expected = command == "append" ? expected + piece : piece + expected;
      const std::string reply = store(client, command, key, piece);
      if (reply != "STORED\r\n" && unexpected == 0) {
        ADD_FAILURE() << "part " << part << ": " << reply;
      }
      const auto value = get(client, key);
      if (reply != "STORED\r\n" || value != expected) ++unexpected;
    }
    EXPECT_EQ(unexpected, 0) << "of " << parts.size() << " " << command << "s";
    // A chunked item added to a chunked item.
    EXPECT_EQ(store(client, command, key, expected), "STORED\r\n") << expected.size() << " bytes";
    expect_value(client, key, expected + expected);
    client.send(fmt::format("delete {}\r\n", key));
    EXPECT_EQ(client.read_line(), "DELETED\r\n");
  }
}

// The memory limit is one pool, whatever the number of threads: after the same fill, far
// beyond what fits, four threads hold as many items as one. The values have ten sizes, from
// 100 to 550 bytes: with a single size, memory cut into four equal parts would hold as many
// items as one pool, and the fill would not tell them apart.
TEST_P(StoreBehaviour, HoldsAsManyItemsWithFourThreadsAsWithOne) {
  const std::vector<std::size_t> sizes = {100, 150, 200, 250, 300, 350, 400, 450, 500, 550};
  std::map<std::string, std::uint64_t> items;
  for (const char* threads : {"1", "4"}) {
    LineClient client(start({"-m", "16", "-t", threads}));
    EXPECT_EQ(set_many(client, "key", 0, 100'000, sizes), 0) << threads << " threads";
    EXPECT_GT(stat_value(client, "evictions"), 0u) << threads << " threads";
    items[threads] = stat_value(client, "curr_items");
  }
  EXPECT_NEAR(static_cast<double>(items["4"]), static_cast<double>(items["1"]),
              0.1 * static_cast<double>(items["1"]))
      << "curr_items with -t 1: " << items["1"] << ", with -t 4: " << items["4"];
}

// Once small items have taken every page, large ones must still be stored, and small ones
// again after them: memory follows the sizes in use.
TEST_P(StoreBehaviour, StoresAnySizeAfterSmallItemsFilledMemory) {
  LineClient client(start({"-m", "8", "-t", "1"}));
  int stored = 0;
  while (stat_value(client, "evictions") == 0) {
    ASSERT_LT(stored, 1'000'000) << "no eviction after a million 100-byte sets";
    EXPECT_EQ(set_many(client, "small", stored, 1000, {100}), 0);
    stored += 1000;
  }
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(store(client, "set", fmt::format("large{}", i), pattern(500 * 1024, 5)), "STORED\r\n")
        << "500 KB value " << i;
  }
  expect_value(client, "large19", pattern(500 * 1024, 5));
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(store(client, "set", fmt::format("again{}", i), pattern(100, 6)), "STORED\r\n")
        << "100-byte value " << i;
  }
}

// -I up to 128 MB: an item many times larger than the store's unit of memory is stored,
// read back, appended to and replaced, and a larger one than -I allows is refused.
TEST_P(StoreBehaviour, StoresItemsOfTensOfMegabytes) {
  LineClient client(start({"-m", "256", "-I", "128m", "-t", "1"}));
  const std::string big = pattern(40'000'000, 3);
  EXPECT_EQ(store(client, "set", "big", big), "STORED\r\n");
  expect_value(client, "big", big);
  EXPECT_EQ(store(client, "append", "big", "tail"), "STORED\r\n");
  expect_value(client, "big", big + "tail");
  const std::string other = pattern(30'000'000, 4);
  for (int i = 0; i < 8; ++i) {  // 240 MB more through 256 MB: the big items evict each other
    EXPECT_EQ(store(client, "set", fmt::format("other{}", i), other), "STORED\r\n");
  }
  expect_value(client, "other7", other);
  EXPECT_EQ(store(client, "set", "huge", std::string(std::size_t{130} << 20, 'h')),
            "SERVER_ERROR object too large for cache\r\n");
}

INSTANTIATE_TEST_SUITE_P(Servers, StoreBehaviour,
                         ::testing::Values(Server::kCppmemcached, Server::kMemcached),
                         [](const auto& info) { return server_name(info.param); });

}  // namespace
