// Integration tests of chapter 1: the real echo_server and echo_client binaries.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <thread>
#include <vector>

#include "mc/testing/net.hpp"
#include "mc/testing/process.hpp"
#include "mc/testing/server_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using mc::testing::LineClient;

class EchoServerTest : public mc::testing::ServerFixture {
 protected:
  void SetUp() override { start(ECHO_SERVER_PATH, {"-t", "2"}); }
};

TEST_F(EchoServerTest, EchoesALine) {
  LineClient client(port_);
  client.send("hello\n");
  EXPECT_EQ(client.read_line(), "hello\n");
}

TEST_F(EchoServerTest, EchoesEveryLineOfManyConcurrentClientsInOrder) {
  constexpr int kClients = 200;
  constexpr int kLines = 100;
  std::atomic<int> failures = 0;
  std::vector<std::jthread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      try {
        LineClient client(port_);
        for (int i = 0; i < kLines; ++i) {
          const std::string line = fmt::format("client {} line {}\n", c, i);
          client.send(line);
          if (client.read_line() != line) ++failures;
        }
      } catch (const std::exception& error) {
        ADD_FAILURE() << "client " << c << ": " << error.what();
        ++failures;
      }
    });
  }
  clients.clear();  // joins
  EXPECT_EQ(failures, 0);
}

TEST_F(EchoServerTest, EchoesAOneMebibyteMessageWhole) {
  std::string message(1 << 20, '\0');
  for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<char>('a' + i % 26);
  LineClient client(port_);
  // Send from another thread: the echo starts before we finish writing.
  std::jthread sender([&] { client.send(message); });
  EXPECT_EQ(client.read_exact(message.size()), message);
}

TEST_F(EchoServerTest, ClientVanishingMidMessageDoesNotDisturbOthers) {
  LineClient steady(port_);
  steady.send("before\n");
  EXPECT_EQ(steady.read_line(), "before\n");
  {
    LineClient quitter(port_);
    quitter.send("half a line without its end");
    quitter.reset();
  }
  LineClient newcomer(port_);
  steady.send("after\n");
  newcomer.send("new\n");
  EXPECT_EQ(steady.read_line(), "after\n");
  EXPECT_EQ(newcomer.read_line(), "new\n");
}

TEST_F(EchoServerTest, SigtermStopsGracefullyWithClientsConnected) {
  std::vector<LineClient> clients;
  for (int i = 0; i < 10; ++i) {
    clients.emplace_back(port_).send("ping\n");
    EXPECT_EQ(clients.back().read_line(), "ping\n");
  }
  server_->signal(SIGTERM);
  EXPECT_EQ(server_->wait(5s), 0);
  for (auto& client : clients) EXPECT_TRUE(client.wait_closed(5s));
  forget();
}

TEST_F(EchoServerTest, ClientBinaryEchoesRepeatedMessages) {
  const auto result = mc::testing::run(
      ECHO_CLIENT_PATH, {"-p", std::to_string(port_), "-m", "hi there", "-n", "1000"});
  ASSERT_EQ(result.status, 0) << result.err;
  std::string expected;
  for (int i = 0; i < 1000; ++i) expected += "hi there\n";
  EXPECT_EQ(result.out, expected);
}

TEST_F(EchoServerTest, ClientBinaryEchoesStdin) {
  const std::string input = "one\ntwo\nthree\n";
  const auto result = mc::testing::run(ECHO_CLIENT_PATH, {"-p", std::to_string(port_)}, input);
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(result.out, input);
}

TEST(EchoClient, ReportsAnUnreachableServer) {
  const auto port = mc::testing::free_port();
  const auto result =
      mc::testing::run(ECHO_CLIENT_PATH, {"-p", std::to_string(port), "-m", "hello"});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find(fmt::format("cannot connect to 127.0.0.1:{}", port)), std::string::npos)
      << result.err;
}

TEST(EchoServer, RejectsAnUnknownFlag) {
  const auto result = mc::testing::run(ECHO_SERVER_PATH, {"--no-such-flag"});
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.err.find("--no-such-flag"), std::string::npos) << result.err;
}

}  // namespace
