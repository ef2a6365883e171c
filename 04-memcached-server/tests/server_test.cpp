// Integration tests of the cppmemcached binary: limits, shutdown, real clients (memccapable,
// pymemcache) and many concurrent connections.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <deque>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mc/testing/net.hpp"
#include "mc/testing/process.hpp"
#include "mc/testing/server_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using mc::testing::LineClient;

class ServerTest : public mc::testing::ServerFixture {
 protected:
  void start(std::vector<std::string> args = {}) {
    ServerFixture::start(CPPMEMCACHED_PATH, std::move(args));
  }
};

TEST_F(ServerTest, PassesMemccapable) {
  start({"-t", "2"});
  const auto result = mc::testing::run("/usr/bin/memccapable",
                                       {"-h", "127.0.0.1", "-p", std::to_string(port_), "-a"});
  EXPECT_EQ(result.status, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("All tests passed"), std::string::npos) << result.out;
}

TEST_F(ServerTest, PassesThePymemcacheScenario) {
  start();
  const auto result =
      mc::testing::run("/usr/bin/python3", {PYMEMCACHE_SCENARIO, std::to_string(port_)});
  EXPECT_EQ(result.status, 0) << result.out << result.err;
}

TEST_F(ServerTest, TellsConnectionsBeyondTheLimitAndClosesThem) {
  start({"-c", "2"});
  LineClient first(port_);
  LineClient second(port_);
  first.send("version\r\n");
  ASSERT_TRUE(first.read_line().starts_with("VERSION "));
  second.send("version\r\n");
  ASSERT_TRUE(second.read_line().starts_with("VERSION "));
  LineClient third(port_);
  EXPECT_EQ(third.read_line(), "ERROR Too many open connections\r\n");
  EXPECT_TRUE(third.wait_closed());
}

TEST_F(ServerTest, StatsSettingsShowsThePortChosenForPortZero) {
  start();  // the fixture starts the server with -p 0
  LineClient client(port_);
  client.send("stats settings\r\n");
  std::string tcpport;
  for (std::string line = client.read_line(); line != "END\r\n"; line = client.read_line()) {
    if (line.starts_with("STAT tcpport ")) tcpport = line;
  }
  EXPECT_EQ(tcpport, fmt::format("STAT tcpport {}\r\n", port_));
}

// The listen queue's length, as the kernel reports it for a listening socket (`ss`'s Send-Q).
int listen_backlog_of(std::uint16_t port) {
  const std::string command = fmt::format("ss -Hltn 'sport = :{}'", port);
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  char line[512] = {};
  const bool read = std::fgets(line, sizeof line, pipe) != nullptr;
  ::pclose(pipe);
  if (!read) return -1;
  std::istringstream fields(line);
  std::string state;
  int queued = 0;
  int backlog = -1;
  fields >> state >> queued >> backlog;
  return backlog;
}

TEST_F(ServerTest, ListenBacklogReachesListen) {
  start({"-b", "37"});
  EXPECT_EQ(listen_backlog_of(port_), 37);
  LineClient client(port_);
  client.send("stats settings\r\n");
  std::string backlog;
  for (std::string line = client.read_line(); line != "END\r\n"; line = client.read_line()) {
    if (line.starts_with("STAT tcp_backlog ")) backlog = line;
  }
  EXPECT_EQ(backlog, "STAT tcp_backlog 37\r\n");
}

TEST_F(ServerTest, IdleConnectionsAreClosedAndCountedAsIdleKicks) {
  start({"-o", "idle_timeout=1"});
  LineClient idle(port_);
  EXPECT_TRUE(idle.wait_closed());  // bounded: a few seconds at most
  // The server counts the kick once the connection's tasks have ended, a moment after the
  // close the client saw: ask a bounded number of times.
  std::string kicks;
  for (int attempt = 0; attempt < 100 && kicks != "STAT idle_kicks 1\r\n"; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(10ms);
    LineClient client(port_);
    client.send("stats\r\n");
    for (std::string line = client.read_line(); line != "END\r\n"; line = client.read_line()) {
      if (line.starts_with("STAT idle_kicks ")) kicks = line;
    }
  }
  EXPECT_EQ(kicks, "STAT idle_kicks 1\r\n");
}

TEST(ServerLimits, OutOfFileDescriptorsPausesAcceptingAndResumes) {
#ifdef MC_SANITIZE_UNDEFINED
  // UBSan checks a virtual call's vtable by writing it into a pipe; at the descriptor limit
  // the pipe cannot be opened and it reports a false "invalid vptr" and stops the server.
  GTEST_SKIP() << "UBSan's runtime needs free file descriptors, which this test uses up";
#endif
  // 48 descriptors: the server itself uses about 17, so some 30 connections are accepted,
  // then accept fails with EMFILE while the rest wait in the listen queue.
  auto server = mc::testing::Process::start(
      "/usr/bin/prlimit", {"--nofile=48", CPPMEMCACHED_PATH, "-p", "0", "-t", "1"});
  const std::uint16_t port = mc::testing::wait_for_listening(server);
  std::deque<LineClient> clients;
  for (int i = 0; i < 60; ++i) clients.emplace_back(port);
  // The first connection was accepted; ask it until the server has run out (bounded).
  const auto disabled = [&clients] {
    clients.front().send("stats\r\n");
    std::string found;
    for (std::string line = clients.front().read_line(); line != "END\r\n";
         line = clients.front().read_line()) {
      if (line.starts_with("STAT listen_disabled_num ")) found = line;
    }
    return found;
  };
  std::string pauses = disabled();
  for (int attempt = 0; attempt < 500 && pauses == "STAT listen_disabled_num 0\r\n"; ++attempt) {
    std::this_thread::sleep_for(10ms);
    pauses = disabled();
  }
  EXPECT_EQ(pauses, "STAT listen_disabled_num 1\r\n");
  // Free descriptors: the server accepts the 20 connections left, and serves them.
  for (int i = 0; i < 40; ++i) clients.pop_front();
  for (LineClient& client : clients) {
    client.send("version\r\n");
    ASSERT_TRUE(client.read_line().starts_with("VERSION "));
  }
  clients.clear();
  EXPECT_EQ(server.stop(), 0);
  // Said once per pause, not once per failed accept.
  const std::string log = server.stderr_text();
  std::size_t warnings = 0;
  for (std::size_t at = log.find("accept failed"); at != std::string::npos;
       at = log.find("accept failed", at + 1)) {
    ++warnings;
  }
  EXPECT_GE(warnings, 1u);
  EXPECT_LE(warnings, 3u) << log;
}

TEST_F(ServerTest, ShutdownCommandStopsTheServerWhenEnabled) {
  start({"-A"});
  LineClient client(port_);
  client.send("shutdown\r\n");
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(server_->wait(5s), 0);
  forget();
}

TEST_F(ServerTest, SigtermStopsTheServerWithClientsConnected) {
  start({"-t", "2"});
  std::vector<LineClient> clients;
  for (int i = 0; i < 20; ++i) {
    clients.emplace_back(port_).send("version\r\n");
    ASSERT_TRUE(clients.back().read_line().starts_with("VERSION "));
  }
  server_->signal(SIGTERM);
  EXPECT_EQ(server_->wait(5s), 0);
  for (auto& client : clients) EXPECT_TRUE(client.wait_closed());
  forget();
}

TEST_F(ServerTest, AClientVanishingMidValueLosesOnlyItsOwnRequest) {
  start();
  LineClient steady(port_);
  {
    LineClient quitter(port_);
    quitter.send("set half 0 0 10\r\nabc");
    quitter.reset();
  }
  steady.send("set whole 0 0 3\r\nabc\r\nget half whole\r\n");
  EXPECT_EQ(steady.read_line(), "STORED\r\n");
  EXPECT_EQ(steady.read_line(), "VALUE whole 0 3\r\n");
  EXPECT_EQ(steady.read_line(), "abc\r\n");
  EXPECT_EQ(steady.read_line(), "END\r\n");
}

TEST_F(ServerTest, AClientThatSendsHalfAValueAndShutsDownIsClosed) {
  // Its last bytes and its end of stream arrive together, as one report from epoll: the read
  // that takes the bytes must not be mistaken for one that emptied the socket, or the end is
  // never read and the connection stays open for ever.
  start();
  for (int i = 0; i < 10; ++i) {
    LineClient client(port_);
    client.send("version\r\n");  // the connection is awake and has read once
    ASSERT_TRUE(client.read_line().starts_with("VERSION "));
    client.send("set half 0 0 10\r\nabc");
    client.shutdown_send();
    EXPECT_TRUE(client.wait_closed(5s)) << "connection " << i << " was never closed";
  }
}

TEST_F(ServerTest, AnswersAGetOfEighteenThousandKeys) {
  start();
  LineClient client(port_);
  std::string line = "get";
  for (int i = 0; i < 18725; ++i) line += fmt::format(" item:{:05}", i);
  ASSERT_GT(line.size(), 190'000u);
  client.send("set item:00007 0 0 5\r\nseven\r\nset item:18724 3 0 4\r\nlast\r\n");
  EXPECT_EQ(client.read_line(), "STORED\r\n");
  EXPECT_EQ(client.read_line(), "STORED\r\n");
  client.send(line + "\r\n");
  EXPECT_EQ(client.read_line(), "VALUE item:00007 0 5\r\n");
  EXPECT_EQ(client.read_line(), "seven\r\n");
  EXPECT_EQ(client.read_line(), "VALUE item:18724 3 4\r\n");
  EXPECT_EQ(client.read_line(), "last\r\n");
  EXPECT_EQ(client.read_line(), "END\r\n");
}

TEST_F(ServerTest, ServesAThousandConcurrentClientsCorrectly) {
  start({"-t", "2"});
  constexpr int kThreads = 50;
  constexpr int kConnectionsPerThread = 20;  // 1,000 connections in all
  constexpr int kRounds = 20;
  std::atomic<int> wrong = 0;
  std::vector<std::jthread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      try {
        std::vector<LineClient> connections;
        for (int c = 0; c < kConnectionsPerThread; ++c) connections.emplace_back(port_);
        std::mt19937 random(static_cast<unsigned>(t));
        for (int round = 0; round < kRounds; ++round) {
          for (int c = 0; c < kConnectionsPerThread; ++c) {
            // Keys are private to a connection, so every read has one right answer.
            const std::string key = fmt::format("t{}c{}k{}", t, c, random() % 4);
            const std::string value = fmt::format("v{}-{}", round, random());
            auto& connection = connections[static_cast<std::size_t>(c)];
            connection.send(
                fmt::format("set {} 0 0 {}\r\n{}\r\nget {}\r\n", key, value.size(), value, key));
            if (connection.read_line() != "STORED\r\n") ++wrong;
            if (connection.read_line() != fmt::format("VALUE {} 0 {}\r\n", key, value.size()))
              ++wrong;
            if (connection.read_line() != value + "\r\n") ++wrong;
            if (connection.read_line() != "END\r\n") ++wrong;
          }
        }
      } catch (const std::exception& error) {
        ADD_FAILURE() << "thread " << t << ": " << error.what();
      }
    });
  }
  threads.clear();
  EXPECT_EQ(wrong, 0);
}

TEST(ServerFlags, RefusesDaemonModeUdpAndUnknownFlags) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"-d"}, {"-U", "11211"}, {"--no-such-flag"}, {"-I", "512"}, {"-m", "1", "-I", "1m"}}) {
    const auto result = mc::testing::run(CPPMEMCACHED_PATH, args);
    EXPECT_NE(result.status, 0) << args.front();
    EXPECT_FALSE(result.err.empty()) << args.front();
  }
}

// --help lists what works, with memcached's letters; -d (refused) and -U (0 only, so that stock
// command lines start) are accepted but not listed.
TEST(ServerFlags, HelpListsMemcachedsFlagsThatWork) {
  const auto result = mc::testing::run(CPPMEMCACHED_PATH, {"-h"});
  EXPECT_EQ(result.status, 0);
  for (const char* flag :
       {"-p", "-l", "-t", "-m", "-c", "-I", "-A", "-C", "-F", "-M", "-b", "-u", "-R", "-o"}) {
    EXPECT_NE(result.out.find(std::string(flag) + ","), std::string::npos) << flag;
  }
  for (const char* flag : {"-d,", "-U,"}) {
    EXPECT_EQ(result.out.find(flag), std::string::npos) << flag;
  }
  EXPECT_EQ(mc::testing::run(CPPMEMCACHED_PATH, {"-U", "0", "-V"}).status, 0);
}

}  // namespace
