// TLS through the framework: a Server with a TLS listener and a plain one, a Client with TLS,
// and the handshake deadline, all with the same LineCodec connection as the plain tests.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <asio/ssl/context.hpp>

#include "mc/net/client.hpp"
#include "mc/net/server.hpp"
#include "mc/testing/net.hpp"
#include "mc/testing/tls_files.hpp"
#include "test_support.hpp"

namespace mc::net {
namespace {

using mc::testing::LineClient;
using testing::EventLog;
using testing::LineCodec;
using testing::wait_until;
using LineConnection = Connection<LineCodec>;
using namespace std::chrono_literals;

std::shared_ptr<asio::ssl::context> server_context(const mc::testing::TlsFiles& files) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  context->use_certificate_chain_file(files.server_cert());
  context->use_private_key_file(files.server_key(), asio::ssl::context::pem);
  return context;
}

std::shared_ptr<asio::ssl::context> client_context(const std::string& ca_file) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  context->load_verify_file(ca_file);
  context->set_verify_mode(asio::ssl::verify_peer);
  return context;
}

// Echoes lines; logs each close reason.
Callbacks<LineCodec> echo(EventLog& closes) {
  return {
      .on_message = [](LineConnection& connection,
                       std::string_view line) { connection.send(fmt::format("{}\n", line)); },
      .on_close = [&closes](LineConnection&,
                            std::error_code reason) { closes.add(reason.message()); },
  };
}

// A TLS client connection that sends two lines on connect; what it read, then "closed" if the
// connection ended before the echo.
std::vector<std::string> exchange(std::shared_ptr<asio::ssl::context> tls, const std::string& host,
                                  std::uint16_t port, std::error_code& error) {
  EventLog got;
  ClientOptions options;
  options.tls = std::move(tls);
  Client<LineCodec> client(
      options, {
                   .on_connect = [](LineConnection& c) { c.send("one\ntwo\n"); },
                   .on_message = [&got](LineConnection&,
                                        std::string_view line) { got.add(std::string(line)); },
                   .on_close = [&got](LineConnection&, std::error_code) { got.add("closed"); },
               });
  const auto connection = client.connect(host, port, error);
  if (!connection) return {};
  wait_until([&] {
    const auto events = got.events();
    return events.size() >= 2 || (!events.empty() && events.back() == "closed");
  });
  client.stop();
  return got.events();
}

TEST(Tls, AServerServesTlsAndPlainListenersWithTheSameConnection) {
  mc::testing::TlsFiles files;
  EventLog closes;
  ServerOptions options;
  options.tls = server_context(files);
  options.listeners = {{.address = "127.0.0.1", .port = 0, .tls = true},
                       {.address = "127.0.0.1", .port = 0, .tls = false}};
  Server<LineCodec> server(options, echo(closes));
  ASSERT_EQ(server.local_endpoints().size(), 2u);

  std::error_code error;
  const auto lines =
      exchange(client_context(files.ca()), "localhost", server.local_endpoints()[0].port(), error);
  ASSERT_FALSE(error) << error.message();
  const std::vector<std::string> expected = {"one", "two"};
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(std::vector<std::string>(lines.begin(), lines.begin() + 2), expected);

  LineClient plain(server.local_endpoints()[1].port());
  plain.send("three\n");
  EXPECT_EQ(plain.read_line(), "three\n");
}

TEST(Tls, AClientRejectsACertificateItsCaDidNotSign) {
  mc::testing::TlsFiles files;
  EventLog closes;
  ServerOptions options;
  options.tls = server_context(files);
  Server<LineCodec> server(options, echo(closes));
  std::error_code error;
  const auto lines = exchange(client_context(files.stranger_ca()), "127.0.0.1",
                              server.local_endpoint().port(), error);
  // The TCP connection is made; the handshake fails, so nothing is echoed.
  const std::vector<std::string> expected = {"closed"};
  EXPECT_EQ(lines, expected);
}

TEST(Tls, APlainClientAndASilentOneAreClosedWithoutAReply) {
  mc::testing::TlsFiles files;
  EventLog closes;
  ServerOptions options;
  options.tls = server_context(files);
  options.connection.handshake_timeout = 200ms;
  Server<LineCodec> server(options, echo(closes));
  LineClient plain(server.local_endpoint().port());
  plain.send("hello\n");  // not a TLS record
  EXPECT_TRUE(plain.wait_closed(5s));
  LineClient silent(server.local_endpoint().port());
  EXPECT_TRUE(silent.wait_closed(5s));  // the handshake deadline
  ASSERT_TRUE(wait_until([&] { return closes.events().size() == 2; }));
  EXPECT_EQ(closes.events().back(), make_error_code(Error::kHandshakeTimeout).message());
}

}  // namespace
}  // namespace mc::net
