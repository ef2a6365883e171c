// cppmc_lookaside end to end: against cppmemcached with little memory, and against no server.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "json_number.hpp"
#include "mc/testing/net.hpp"
#include "mc/testing/process.hpp"

namespace {

using namespace std::chrono_literals;
using mc::bench::testing::json_number;

mc::testing::RunResult run_lookaside(std::uint16_t port, std::vector<std::string> extra) {
  std::vector<std::string> args = {"--port", std::to_string(port)};
  args.insert(args.end(), extra.begin(), extra.end());
  return mc::testing::run(CPPMC_LOOKASIDE_PATH, args, {}, 120s);
}

TEST(CppmcLookaside, CountsALookAsideLoopAgainstCppmemcached) {
  auto [server, port] = mc::testing::start_server(CPPMEMCACHED_PATH, {"-t", "1", "-m", "8"});
  // A generous deadline per call: a slow machine must not turn replies into errors.
  const auto result =
      run_lookaside(port, {"--requests", "20000", "--warmup-requests", "2000", "--keys", "5000",
                           "--connections", "4", "--timeout", "20000"});
  ASSERT_EQ(result.status, 0) << result.err;
  const auto& json = result.out;
  const double gets = json_number(json, "gets");
  const double misses = json_number(json, "misses");
  EXPECT_EQ(gets + json_number(json, "get_errors"), 18000);  // the warm-up's 2,000 are apart
  EXPECT_EQ(json_number(json, "warmup_gets"), 2000);
  EXPECT_EQ(gets, json_number(json, "hits") + misses);
  // Zipf popularity repeats keys, so even a small cache hits sometimes.
  EXPECT_GT(json_number(json, "hit_ratio"), 0);
  EXPECT_LE(json_number(json, "hit_ratio"), 1);
  EXPECT_EQ(json_number(json, "sets"), misses);  // look-aside: every miss is followed by a set
  EXPECT_GE(json_number(json, "set_errors"), 0);
  EXPECT_EQ(json_number(json, "bad_values"), 0);
  // The server's own figures, read with `stats` at the end.
  EXPECT_GT(json_number(json, "total_items"), 0);
  EXPECT_GE(json_number(json, "curr_items"), 0);
  EXPECT_GT(json_number(json, "bytes"), 0);
  EXPECT_GE(json_number(json, "evictions"), 0);
  EXPECT_GE(json_number(json, "reclaimed"), 0);
  EXPECT_GE(json_number(json, "crawler_reclaimed"), 0);
  EXPECT_GE(json_number(json, "get_expired"), 0);
  EXPECT_GE(json_number(json, "expired_unfetched"), 0);
  EXPECT_GE(json_number(json, "evicted_unfetched"), 0);
  EXPECT_EQ(json_number(json, "limit_maxbytes"), 8 * 1024 * 1024);
  server.stop();
}

TEST(CppmcLookaside, RunsWithTheTtlRuleItIsGiven) {
  auto [server, port] = mc::testing::start_server(CPPMEMCACHED_PATH, {"-t", "1", "-m", "8"});
  const auto result =
      run_lookaside(port, {"--requests", "2000", "--keys", "500", "--connections", "2", "--timeout",
                           "20000", "--ttl-share", "0.5", "--ttl-min", "1", "--ttl-max", "3"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(json_number(result.out, "ttl_share"), 0.5);
  EXPECT_EQ(json_number(result.out, "ttl_min"), 1);
  EXPECT_EQ(json_number(result.out, "ttl_max"), 3);
  EXPECT_EQ(json_number(result.out, "bad_values"), 0);
  server.stop();
}

TEST(CppmcLookaside, RefusesATtlRangeThatCannotBeFollowed) {
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--ttl-min", "5", "--ttl-max", "3"},
        std::vector<std::string>{"--ttl-min", "0"},
        std::vector<std::string>{"--ttl-max", "2592001"},
        std::vector<std::string>{"--ttl-share", "1.5"}}) {
    SCOPED_TRACE(flags[0] + " " + flags[1]);
    std::vector<std::string> args = {"--requests", "100", "--timeout", "500"};
    args.insert(args.end(), flags.begin(), flags.end());
    const auto result = run_lookaside(mc::testing::free_port(), args);
    EXPECT_NE(result.status, 0);
    EXPECT_NE(result.status, -1) << "cppmc_lookaside had to be killed: it hung";
    // "--ttl-share: Value 1.5 not in range ..." or "TTLs must be 1 s to 30 days, ...".
    EXPECT_TRUE(result.err.find("ttl") != std::string::npos ||
                result.err.find("TTL") != std::string::npos)
        << result.err;
  }
}

TEST(CppmcLookaside, SaysSoWhenNoServerIsListening) {
  const auto result =
      run_lookaside(mc::testing::free_port(), {"--requests", "100", "--timeout", "500"});
  ASSERT_NE(result.status, -1) << "cppmc_lookaside had to be killed: it hung";
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("cannot connect to 127.0.0.1"), std::string::npos) << result.err;
}

TEST(CppmcLookaside, RefusesToRunWithoutAnEnd) {
  const auto result = run_lookaside(mc::testing::free_port(), {});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("--requests"), std::string::npos) << result.err;
}

}  // namespace
