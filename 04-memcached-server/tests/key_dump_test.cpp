// The key dumps against real tools and real memcached. Their times are absolute and their
// order follows each server's LRU or hash table, so instead of bytes we compare structure:
// the same keys, expiry times within a second or two, the same fetched marks.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <ctime>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "mc/testing/net.hpp"
#include "mc/testing/process.hpp"

namespace {

using namespace std::chrono_literals;
using mc::testing::LineClient;
using mc::testing::Process;

constexpr std::string_view kMemcached = "/usr/bin/memcached";
constexpr std::string_view kMemcachedTool = "/usr/share/memcached/scripts/memcached-tool";
constexpr std::string_view kMemcdump = "/usr/bin/memcdump";

// Keys that need URL-encoding in a metadump, and one with a TTL.
const std::vector<std::string> kKeys = {"plain", "with:colon", "slash/and%percent", "tilde~ok",
                                        "ttl"};

struct MetadumpLine {
  std::string exp;    // "-1", or "~" + the seconds left, rounded to tolerate a clock tick
  std::string fetch;  // yes or no
};

std::pair<Process, std::uint16_t> start_memcached() {
  const std::uint16_t port = mc::testing::free_port();
  std::vector<std::string> args = {"-p", std::to_string(port), "-l", "127.0.0.1", "-U", "0"};
  if (::geteuid() == 0) args.insert(args.end(), {"-u", "nobody"});
  Process process = Process::start(std::string(kMemcached), args);
  if (!mc::testing::wait_until_accepting(port)) throw std::runtime_error("memcached did not start");
  return {std::move(process), port};
}

// Stores kKeys, then reads two of them so that their fetched mark is set.
void fill(std::uint16_t port) {
  LineClient client(port);
  for (const std::string& key : kKeys) {
    client.send(fmt::format("set {} 0 {} 1\r\nv\r\n", key, key == "ttl" ? 1000 : 0));
    EXPECT_EQ(client.read_line(), "STORED\r\n");
  }
  client.send("get plain\r\nget ttl\r\n");
  for (int i = 0; i < 6; ++i) client.read_line();
}

// Runs `lru_crawler metadump all` and parses every line up to END.
std::map<std::string, MetadumpLine> metadump(std::uint16_t port) {
  static const std::regex kLine(
      R"(key=(\S+) exp=(-?\d+) la=(\d+) cas=(\d+) fetch=(yes|no) cls=(\d+) size=(\d+)\n)");
  LineClient client(port);
  client.send("lru_crawler metadump all\r\n");
  std::map<std::string, MetadumpLine> lines;
  const auto now = static_cast<long long>(std::time(nullptr));
  std::string first = client.read_line();
  // memcached runs one crawl at a time; its LRU maintainer may be crawling right now.
  if (first.starts_with("BUSY")) return lines;
  for (std::string line = std::move(first); line != "END\r\n"; line = client.read_line()) {
    std::smatch match;
    if (!std::regex_match(line, match, kLine)) {
      ADD_FAILURE() << "unexpected metadump line: " << line;
      continue;
    }
    EXPECT_NEAR(std::stoll(match[3]), now, 5) << line;  // last access: just now
    EXPECT_GT(std::stoll(match[6]), 0) << line;         // classes count from 1
    const long long exp = std::stoll(match[2]);
    const std::string rounded = exp == -1 ? "-1" : fmt::format("~{}", (exp - now + 5) / 10 * 10);
    lines[match[1]] = {rounded, match[5]};
  }
  return lines;
}

class KeyDump : public ::testing::Test {
 protected:
  void SetUp() override {
    auto [ours, port] = mc::testing::start_server(CPPMEMCACHED_PATH, {"-t", "2"});
    ours_.emplace(std::move(ours));
    ours_port_ = port;
    fill(ours_port_);
  }
  void TearDown() override { EXPECT_EQ(ours_->stop(), 0) << ours_->stderr_text(); }

  std::optional<Process> ours_;
  std::uint16_t ours_port_ = 0;
};

TEST_F(KeyDump, MetadumpMatchesMemcachedInStructure) {
  auto [memcached, memcached_port] = start_memcached();
  fill(memcached_port);
  // memcached's crawler skips an item its LRU maintainer is moving at that moment, and answers
  // BUSY while another crawl runs, so a dump taken right after the stores can miss items or
  // be refused: ask again, a bounded number of times.
  auto expected = metadump(memcached_port);
  for (int attempt = 0; attempt < 100 && expected.size() < kKeys.size(); ++attempt) {
    std::this_thread::sleep_for(50ms);
    expected = metadump(memcached_port);
  }
  const auto actual = metadump(ours_port_);
  ASSERT_EQ(actual.size(), kKeys.size());
  ASSERT_EQ(expected.size(), actual.size());
  for (const auto& [key, line] : expected) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(actual.contains(key));
    EXPECT_EQ(actual.at(key).exp, line.exp);
    EXPECT_EQ(actual.at(key).fetch, line.fetch);
  }
  EXPECT_EQ(actual.at("with%3Acolon").fetch, "no");
  EXPECT_EQ(actual.at("ttl").exp, "~1000");
  memcached.stop(0ms);
}

TEST_F(KeyDump, MetadumpRefusesBadClassesLikeMemcached) {
  LineClient client(ours_port_);
  for (const char* classes : {"0", "64", "x", "1,x"}) {
    client.send(fmt::format("lru_crawler metadump {}\r\n", classes));
    EXPECT_EQ(client.read_line(), "BADCLASS invalid class id\r\n") << classes;
  }
  client.send("lru_crawler metadump 63\r\n");
  EXPECT_EQ(client.read_line(), "END\r\n");
}

TEST_F(KeyDump, CachedumpListsEveryKeyOnceWithinItsLimit) {
  LineClient client(ours_port_);
  static const std::regex kItem(R"(ITEM (\S+) \[1 b; (\d+) s\]\r\n)");
  // Our classes are 8 bytes apart, so keys of different lengths land in different ones.
  std::multiset<std::string> keys;
  for (int cls = 1; cls < 64; ++cls) {
    client.send(fmt::format("stats cachedump {} 0\r\n", cls));
    for (std::string line = client.read_line(); line != "END\r\n"; line = client.read_line()) {
      std::smatch match;
      ASSERT_TRUE(std::regex_match(line, match, kItem)) << line;
      keys.insert(match[1]);
      if (match[1] != "ttl") {
        EXPECT_EQ(match[2], "0");
      }
    }
  }
  EXPECT_EQ(keys, std::multiset<std::string>(kKeys.begin(), kKeys.end()));
  // "plain" and "ttl" share the first class; a limit of 1 lists one of them.
  client.send("stats cachedump 1 1\r\n");
  EXPECT_TRUE(std::regex_match(client.read_line(), kItem));
  EXPECT_EQ(client.read_line(), "END\r\n");
  client.send("stats cachedump 64 0\r\n");
  EXPECT_EQ(client.read_line(), "CLIENT_ERROR Illegal slab id\r\n");
}

// memcdump asks `stats items` for the classes, then `stats cachedump <class> 0` for each. (On
// memcached it lists only items that reached the COLD LRU, so fresh keys would be missing
// there; we list every live item.)
TEST_F(KeyDump, MemcdumpListsEveryKey) {
  const auto result =
      mc::testing::run(std::string(kMemcdump), {fmt::format("--servers=127.0.0.1:{}", ours_port_)});
  ASSERT_EQ(result.status, 0) << result.err;
  std::set<std::string> keys;
  std::size_t start = 0;
  for (std::size_t end; (end = result.out.find('\n', start)) != std::string::npos;
       start = end + 1) {
    keys.insert(result.out.substr(start, end - start));
  }
  EXPECT_EQ(keys, std::set<std::string>(kKeys.begin(), kKeys.end()));
}

// memcached-tool's dump: metadump for the keys, then a get for each value; it prints `add`
// commands. Same records from both servers once absolute expiry times are masked.
TEST_F(KeyDump, MemcachedToolDumpMatchesMemcached) {
  auto [memcached, memcached_port] = start_memcached();
  fill(memcached_port);
  const auto dump = [](std::uint16_t port) {
    const auto result =
        mc::testing::run(std::string(kMemcachedTool), {fmt::format("127.0.0.1:{}", port), "dump"});
    EXPECT_EQ(result.status, 0) << result.err;
    static const std::regex kAbsoluteTime(R"( \d{9,} )");
    std::multiset<std::string> records;
    std::size_t start = 0;
    for (std::size_t end; (end = result.out.find("\r\n", start)) != std::string::npos;
         start = end + 2) {
      records.insert(
          std::regex_replace(result.out.substr(start, end - start), kAbsoluteTime, " <time> "));
    }
    return records;
  };
  auto expected = dump(memcached_port);  // retried like its metadump above
  for (int attempt = 0; attempt < 20 && expected.size() < 2 * kKeys.size(); ++attempt) {
    expected = dump(memcached_port);
  }
  EXPECT_EQ(expected.size(), 2 * kKeys.size());  // an add line and a value line per key
  EXPECT_EQ(dump(ours_port_), expected);
  memcached.stop(0ms);
}

}  // namespace
