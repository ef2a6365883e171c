// Integration tests of chapter 2: the real framework_echo_server and framework_echo_client
// binaries, and the client against chapter 1's echo_server.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <csignal>
#include <thread>
#include <vector>

#include "mc/net/raw_codec.hpp"
#include "mc/net/server.hpp"
#include "mc/testing/net.hpp"
#include "mc/testing/process.hpp"
#include "mc/testing/server_fixture.hpp"

namespace {

using namespace std::chrono_literals;
using mc::testing::LineClient;

class FrameworkEchoServerTest : public mc::testing::ServerFixture {
 protected:
  void SetUp() override { start(FRAMEWORK_ECHO_SERVER_PATH, {"-t", "2"}); }

  mc::testing::RunResult run_client(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"-p", std::to_string(port_)};
    args.insert(args.end(), flags.begin(), flags.end());
    return mc::testing::run(FRAMEWORK_ECHO_CLIENT_PATH, args);
  }
};

TEST_F(FrameworkEchoServerTest, EchoesALine) {
  LineClient client(port_);
  client.send("hello\n");
  EXPECT_EQ(client.read_line(), "hello\n");
}

TEST_F(FrameworkEchoServerTest, EchoesAOneMebibyteMessageWhole) {
  std::string message(1 << 20, '\0');
  for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<char>('a' + i % 26);
  LineClient client(port_);
  std::jthread sender([&] { client.send(message); });
  EXPECT_EQ(client.read_exact(message.size()), message);
}

TEST_F(FrameworkEchoServerTest, ClientBinaryVerifiesPipelinedEchoes) {
  const auto result = run_client({"-c", "50", "-n", "200", "-d", "16"});
  ASSERT_EQ(result.status, 0) << result.err;
  EXPECT_NE(result.out.find("50 connections x 200 messages of 32 bytes, 16 in flight"),
            std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("messages/s"), std::string::npos) << result.out;
}

TEST_F(FrameworkEchoServerTest, ClientBinaryHandlesAThousandConnections) {
  const auto result = run_client({"-c", "1000", "-n", "100", "-d", "4", "-t", "2"});
  EXPECT_EQ(result.status, 0) << result.err;
}

TEST_F(FrameworkEchoServerTest, ClientBinaryVerifiesLargeMessages) {
  const auto result = run_client({"-c", "4", "-n", "20", "-s", "300000", "-d", "3"});
  EXPECT_EQ(result.status, 0) << result.err;
}

TEST_F(FrameworkEchoServerTest, SigtermStopsGracefullyWithClientsConnected) {
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

TEST(FrameworkEchoClient, WorksAgainstTheChapterOneServer) {
  auto [server, port] = mc::testing::start_server(ECHO_SERVER_PATH);
  const auto result = mc::testing::run(
      FRAMEWORK_ECHO_CLIENT_PATH, {"-p", std::to_string(port), "-c", "20", "-n", "100", "-d", "8"});
  EXPECT_EQ(result.status, 0) << result.err;
  EXPECT_EQ(server.stop(), 0);
}

TEST(FrameworkEchoClient, FailsWhenTheEchoDiffers) {
  // An in-process "echo" server that changes the first byte of everything it returns.
  using Connection = mc::net::Connection<mc::net::RawCodec>;
  mc::net::Server<mc::net::RawCodec> liar(
      {}, {.on_message = [](Connection& connection, std::string_view bytes) {
        std::string reply(bytes);
        reply[0] = static_cast<char>(reply[0] ^ 1);
        connection.send(std::move(reply));
      }});
  const auto result = mc::testing::run(
      FRAMEWORK_ECHO_CLIENT_PATH, {"-p", std::to_string(liar.local_endpoint().port()), "-n", "5"});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("byte 0 differs"), std::string::npos) << result.err;
}

TEST(FrameworkEchoClient, FailsWhenTheServerHangsUp) {
  using Connection = mc::net::Connection<mc::net::RawCodec>;
  mc::net::Server<mc::net::RawCodec> rude(
      {}, {.on_message = [](Connection& connection, std::string_view) { connection.close(); }});
  const auto result = mc::testing::run(FRAMEWORK_ECHO_CLIENT_PATH,
                                       {"-p", std::to_string(rude.local_endpoint().port())});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find("closed after 0 of 32000 bytes"), std::string::npos) << result.err;
}

TEST(FrameworkEchoClient, ReportsAnUnreachableServer) {
  const auto port = mc::testing::free_port();
  const auto result = mc::testing::run(FRAMEWORK_ECHO_CLIENT_PATH, {"-p", std::to_string(port)});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.err.find(fmt::format("cannot connect to 127.0.0.1:{}", port)), std::string::npos)
      << result.err;
}

TEST(FrameworkEchoServer, RejectsAnUnknownFlag) {
  const auto result = mc::testing::run(FRAMEWORK_ECHO_SERVER_PATH, {"--no-such-flag"});
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.err.find("--no-such-flag"), std::string::npos) << result.err;
}

}  // namespace
