// The cppmc binary: every subcommand, its output and its exit status, against real servers;
// and `locate`, which must agree with the Locator and connect to nothing.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "mc/client/locator.hpp"
#include "mc/client/server_address.hpp"
#include "mc/testing/net.hpp"
#include "mc/testing/process.hpp"
#include "support.hpp"

namespace mc::client {
namespace {

using namespace std::chrono_literals;
using mc::testing::RunResult;

RunResult cppmc(const std::string& servers, std::vector<std::string> args) {
  args.insert(args.begin(), {"--servers", servers});
  return mc::testing::run(CPPMC_PATH, args, {}, 30s);
}

class CppmcTest : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    server_.emplace(testing::start_backend(GetParam()));
    servers_ = fmt::format("127.0.0.1:{}", server_->port);
  }

  RunResult run(std::vector<std::string> args) { return cppmc(servers_, std::move(args)); }

  std::optional<testing::RunningServer> server_;
  std::string servers_;
};

TEST_P(CppmcTest, SetThenGetPrintsTheRawValue) {
  EXPECT_EQ(run({"set", "greeting", "hello world", "--flags", "3", "--exptime", "100"}).status, 0);
  const auto got = run({"get", "greeting"});
  EXPECT_EQ(got.status, 0) << got.err;
  EXPECT_EQ(got.out, "hello world\n");
}

TEST_P(CppmcTest, GetOfSeveralKeysPrintsOneLinePerHitAndExitsOneOnAMiss) {
  run({"set", "a", "1"});
  run({"set", "b", "2"});
  const auto both = run({"get", "a", "b"});
  EXPECT_EQ(both.status, 0);
  EXPECT_EQ(both.out, "a 1\nb 2\n");
  const auto some = run({"get", "a", "missing"});
  EXPECT_EQ(some.status, 1);
  EXPECT_EQ(some.out, "a 1\n");
  const auto none = run({"get", "missing"});
  EXPECT_EQ(none.status, 1);
  EXPECT_EQ(none.out, "");
  EXPECT_NE(none.err.find("not found"), std::string::npos);
}

TEST_P(CppmcTest, IncrDecrPrintTheNewValue) {
  run({"set", "n", "10"});
  EXPECT_EQ(run({"incr", "n", "5"}).out, "15\n");
  EXPECT_EQ(run({"decr", "n"}).out, "14\n");
  EXPECT_EQ(run({"incr", "absent"}).status, 1);
  run({"set", "word", "x"});
  const auto bad = run({"incr", "word"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("non-numeric"), std::string::npos) << bad.err;
}

TEST_P(CppmcTest, DeleteAndTouchExitOneForAMissingKey) {
  run({"set", "k", "v"});
  EXPECT_EQ(run({"touch", "k", "100"}).status, 0);
  EXPECT_EQ(run({"delete", "k"}).status, 0);
  EXPECT_EQ(run({"delete", "k"}).status, 1);
  EXPECT_EQ(run({"touch", "k", "100"}).status, 1);
}

TEST_P(CppmcTest, FlushEmptiesTheServer) {
  run({"set", "k", "v"});
  EXPECT_EQ(run({"flush"}).status, 0);
  EXPECT_EQ(run({"get", "k"}).status, 1);
}

TEST_P(CppmcTest, VersionAndStatsPrintOneLinePerServerAndValue) {
  const auto version = run({"version"});
  EXPECT_EQ(version.status, 0);
  EXPECT_TRUE(version.out.starts_with(servers_ + " ")) << version.out;
  const auto stats = run({"stats"});
  EXPECT_EQ(stats.status, 0);
  EXPECT_NE(stats.out.find(fmt::format("{} pid {}\n", servers_, server_->process.pid())),
            std::string::npos)
      << stats.out;
  const auto settings = run({"stats", "settings"});
  EXPECT_EQ(settings.status, 0);
  EXPECT_NE(settings.out.find(servers_ + " maxbytes "), std::string::npos);
}

TEST_P(CppmcTest, BadKeysAndBadArgumentsExitTwoWithAReason) {
  const auto long_key = run({"get", std::string(251, 'k')});
  EXPECT_EQ(long_key.status, 2);
  EXPECT_NE(long_key.err.find("invalid key"), std::string::npos) << long_key.err;
  EXPECT_EQ(run({"set", "two words", "v"}).status, 2);
  EXPECT_EQ(run({"frobnicate"}).status, 2);
  EXPECT_EQ(run({}).status, 2);
  EXPECT_EQ(cppmc("not a list:x", {"get", "k"}).status, 2);
}

TEST_P(CppmcTest, OptionsMayComeAfterTheKeys) {
  run({"set", "k", "v"});
  const auto got = run({"get", "k", "--timeout", "100"});
  EXPECT_EQ(got.status, 0) << got.err;
  EXPECT_EQ(got.out, "v\n");
  EXPECT_EQ(run({"set", "--exptime=100", "k2", "--flags", "3", "w"}).status, 0);
  EXPECT_EQ(run({"get", "--flags", "k2"}).out.substr(0, 5), "k2 3 ");
}

TEST_P(CppmcTest, DoubleDashEndsTheOptionsAndKeysStayWhole) {
  EXPECT_EQ(run({"set", "--", "-h", "dash"}).status, 0);
  const auto dash = run({"get", "--", "-h"});
  EXPECT_EQ(dash.status, 0) << dash.err;
  EXPECT_EQ(dash.out, "dash\n");
  // CLI11 would have split this into two keys, a and b.
  const auto list = run({"get", "[a,b]"});
  EXPECT_EQ(list.status, 1);
  EXPECT_EQ(list.err, "cppmc: [a,b]: not found\n");
}

TEST_P(CppmcTest, GetFlagsShowsFlagsAndCas) {
  run({"set", "k", "hello world", "--flags", "7"});
  const auto got = run({"get", "--flags", "k", "missing"});
  EXPECT_EQ(got.status, 1);
  unsigned flags = 0;
  unsigned long long cas = 0;
  char value[32] = {};
  ASSERT_EQ(std::sscanf(got.out.c_str(), "k %u %llu %31[^\n]", &flags, &cas, value), 3) << got.out;
  EXPECT_EQ(flags, 7u);
  EXPECT_GT(cas, 0u);
  EXPECT_STREQ(value, "hello world");
}

TEST_P(CppmcTest, SetReadsABinaryValueFromStdin) {
  using namespace std::string_literals;
  const std::string binary = "line one\r\n\0\xff end"s;  // a NUL, a CR LF, a byte >= 0x80
  for (auto args : std::vector<std::vector<std::string>>{{"set", "bin"}, {"set", "bin", "-"}}) {
    args.insert(args.begin(), {"--servers", servers_});
    const auto stored = mc::testing::run(CPPMC_PATH, args, binary, 30s);
    EXPECT_EQ(stored.status, 0) << stored.err;
    const auto got = run({"get", "bin"});
    EXPECT_EQ(got.out, binary + "\n");
  }
}

TEST_P(CppmcTest, IncrRefusesNegativeAndOutOfRangeDeltasAsMemcachedDoes) {
  run({"set", "n", "0"});
  for (const std::string delta : {"-3", "18446744073709551616", "1x", "+1"}) {
    const auto result = run({"incr", "n", delta});
    EXPECT_EQ(result.status, 2) << delta;
    EXPECT_EQ(result.err, "cppmc: " + delta + ": CLIENT_ERROR invalid numeric delta argument\n");
  }
  EXPECT_EQ(run({"incr", "n", "18446744073709551615"}).out, "18446744073709551615\n");
  EXPECT_EQ(run({"get", "n"}).out, "18446744073709551615\n");
}

TEST_P(CppmcTest, ExistsExitsZeroOnlyWhenEveryKeyExists) {
  run({"set", "a", "1"});
  const auto yes = run({"exists", "a"});
  EXPECT_EQ(yes.status, 0);
  EXPECT_EQ(yes.out, "");
  const auto no = run({"exists", "a", "b"});
  EXPECT_EQ(no.status, 1);
  EXPECT_EQ(no.err, "cppmc: b: not found\n");
}

TEST_P(CppmcTest, PingSaysOkForEveryServer) {
  const auto ping = run({"ping"});
  EXPECT_EQ(ping.status, 0) << ping.err;
  EXPECT_EQ(ping.out, servers_ + " ok\n");
}

TEST_P(CppmcTest, ReadsMemcachedServersWhenNoServersOptionIsGiven) {
  run({"set", "k", "from env"});
  const auto got =
      mc::testing::run("/usr/bin/env", {"MEMCACHED_SERVERS=" + servers_, CPPMC_PATH, "get", "k"});
  EXPECT_EQ(got.status, 0) << got.err;
  EXPECT_EQ(got.out, "from env\n");
}

// The dead server's keys are errors, each on its own line; the live server's are printed.
TEST_P(CppmcTest, MultiGetReportsEachKeyOfADeadServerAndExitsTwo) {
  const std::string list = fmt::format("{},127.0.0.1:{}", servers_, mc::testing::free_port());
  const Locator locator(*parse_server_list(list));
  std::vector<std::string> args = {"get"};
  std::string expected_out;
  std::string expected_err;
  // Where a key lands depends on the servers' ports, which are chosen at random: all of ten keys
  // on one server happens (about once in 500 runs), so take keys until each server has some.
  for (int n = 0; n < 1000 && (n < 10 || expected_out.empty() || expected_err.empty()); ++n) {
    const std::string key = fmt::format("k{}", n);
    args.push_back(key);
    if (locator.locate(key) == 0u) {
      cppmc(servers_, {"set", key, "v"});
      expected_out += key + " v\n";
    } else {
      expected_err += fmt::format("cppmc: {}: not connected to the server\n", key);
    }
  }
  ASSERT_FALSE(expected_out.empty());
  ASSERT_FALSE(expected_err.empty());
  const auto got = cppmc(list, args);
  EXPECT_EQ(got.status, 2);
  EXPECT_EQ(got.out, expected_out);
  EXPECT_EQ(got.err, expected_err);
}

INSTANTIATE_TEST_SUITE_P(Servers, CppmcTest, ::testing::ValuesIn(testing::backends()),
                         [](const auto& info) { return testing::backend_name(info.param); });

TEST(Cppmc, UnreachableServerExitsTwoWithTheReason) {
  const auto result = cppmc(fmt::format("127.0.0.1:{}", mc::testing::free_port()), {"get", "k"});
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.err.find("not connected"), std::string::npos) << result.err;
}

TEST(Cppmc, BadNumbersAndUnknownSubcommandsGetAOneLineReason) {
  const std::string servers = fmt::format("127.0.0.1:{}", mc::testing::free_port());
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"--timeout", "0", "get", "k"},
       "cppmc: --timeout: '0' is not a number of milliseconds from 1 to 3600000\n"},
      {{"get", "k", "--timeout", "abc"},
       "cppmc: --timeout: 'abc' is not a number of milliseconds from 1 to 3600000\n"},
      {{"set", "k", "v", "--flags", "-1"},
       "cppmc: --flags: '-1' is not a number from 0 to 4294967295\n"},
      {{"touch", "k", "soon"}, "cppmc: EXPTIME: 'soon' is not a number of seconds\n"},
      {{"--distribution", "crc32", "locate", "k"},
       "cppmc: --distribution: 'crc32' is not ketama, ketama-unweighted or modulo\n"},
      {{"bogus"}, "cppmc: unknown subcommand 'bogus' (see cppmc --help)\n"},
      {{"get", "k", "--bogus"},
       "cppmc: unknown option '--bogus' for get (a key that starts with '-' goes after --)\n"},
      {{"get"}, "cppmc: usage: cppmc get KEY...\n"},
      {{"incr", "k", "1", "2"}, "cppmc: usage: cppmc incr KEY [DELTA]\n"},
  };
  for (const auto& [args, message] : cases) {
    const auto result = cppmc(servers, args);
    EXPECT_EQ(result.status, 2) << message;
    EXPECT_EQ(result.err, message);
  }
}

TEST(Cppmc, PingOfADeadServerExitsTwo) {
  const auto result = cppmc(fmt::format("127.0.0.1:{}", mc::testing::free_port()), {"ping"});
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.err.find("not connected"), std::string::npos) << result.err;
}

//! [locate-test]
TEST(Cppmc, LocateAgreesWithTheLocatorAndConnectsToNothing) {
  // Real listeners, so that a connection attempt would be seen.
  std::vector<testing::FakeServer> listeners(5);
  std::string list;
  std::vector<ServerAddress> servers;
  for (std::size_t i = 0; i < listeners.size(); ++i) {
    const auto weight = static_cast<std::uint32_t>(i + 1);
    servers.push_back({"127.0.0.1", listeners[i].port(), weight});
    list += fmt::format("{}127.0.0.1:{}:{}", i == 0 ? "" : ",", listeners[i].port(), weight);
  }
  for (const auto distribution : {Distribution::kKetama, Distribution::kModulo}) {
    const Locator locator(servers, distribution);
    std::vector<std::string> args = {
        "--distribution", distribution == Distribution::kKetama ? "ketama" : "modulo", "locate"};
    std::string expected;
    for (int n = 0; n < 5000; ++n) {
      const std::string key = fmt::format("user:{}:profile", n);
      args.push_back(key);
      expected += fmt::format("{} {}\n", key, servers[*locator.locate(key)].to_string());
    }
    const auto result = cppmc(list, args);
    EXPECT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.out, expected);
  }
  for (auto& listener : listeners) EXPECT_FALSE(listener.accept(0ms));
}
//! [locate-test]

}  // namespace
}  // namespace mc::client
