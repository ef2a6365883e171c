// The cppmc binary: every subcommand, its output and its exit status, against real servers;
// and `locate`, which must agree with the Locator and connect to nothing.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "mc/client/locator.hpp"
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

INSTANTIATE_TEST_SUITE_P(Servers, CppmcTest, ::testing::ValuesIn(testing::backends()),
                         [](const auto& info) { return testing::backend_name(info.param); });

TEST(Cppmc, UnreachableServerExitsTwoWithTheReason) {
  const auto result = cppmc(fmt::format("127.0.0.1:{}", mc::testing::free_port()), {"get", "k"});
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
