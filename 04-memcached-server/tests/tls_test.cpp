// cppmemcached with -Z: real TLS clients (pymemcache, openssl s_client), plain clients on TLS
// ports, TLS and plain listeners side by side, client certificates, and bad configuration.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "mc/testing/net.hpp"
#include "mc/testing/process.hpp"
#include "mc/testing/tls_files.hpp"

namespace {

using namespace std::chrono_literals;
using mc::testing::LineClient;
using mc::testing::Process;
using mc::testing::TlsFiles;

class TlsTest : public ::testing::Test {
 protected:
  // cppmemcached with -Z and the test CA's server certificate, plus `args`.
  std::pair<Process, std::uint16_t> start(std::vector<std::string> args = {}) {
    std::string tls = "ssl_chain_cert=" + files_.server_cert() + ",ssl_key=" + files_.server_key();
    args.insert(args.begin(), {"-Z", "-o", tls});
    return mc::testing::start_server(CPPMEMCACHED_PATH, args);
  }

  // `openssl s_client` connected to `port`, trusting the test CA and nothing else.
  Process s_client(std::uint16_t port) {
    return Process::start("/usr/bin/openssl",
                          {"s_client", "-connect", "127.0.0.1:" + std::to_string(port), "-quiet",
                           "-verify_return_error", "-CAfile", files_.ca()});
  }

  mc::testing::RunResult pymemcache(const std::string& host, std::uint16_t port,
                                    std::vector<std::string> client_files = {}) {
    std::vector<std::string> args{PYMEMCACHE_TLS, host, std::to_string(port), files_.ca()};
    args.insert(args.end(), client_files.begin(), client_files.end());
    return mc::testing::run("/usr/bin/python3", args, {}, 60s);
  }

  TlsFiles files_;
};

TEST_F(TlsTest, PymemcacheWithATlsContextStoresAndReads) {
  auto [server, port] = start();
  for (const char* host : {"localhost", "127.0.0.1"}) {  // the certificate names both
    const auto result = pymemcache(host, port);
    EXPECT_EQ(result.status, 0) << host << ": " << result.out << result.err;
  }
  EXPECT_EQ(server.stop(), 0) << server.stderr_text();
}

TEST_F(TlsTest, OpensslSClientGetsTheVersion) {
  auto [server, port] = start();
  auto client = s_client(port);
  client.write_stdin("version\r\n");
  std::optional<std::string> line;
  do {
    line = client.read_line(10s);
  } while (line && !line->starts_with("VERSION "));
  ASSERT_TRUE(line.has_value()) << client.stderr_text();
  EXPECT_EQ(*line, "VERSION 1.6.18-cppmc\r");
  client.stop();
  EXPECT_EQ(server.stop(), 0) << server.stderr_text();
}

TEST_F(TlsTest, APlainClientOnATlsPortIsClosedWithoutAReply) {
  auto [server, port] = start();
  LineClient plain(port);
  plain.send("version\r\n");  // not a TLS record: the handshake fails at once
  EXPECT_TRUE(plain.wait_closed(5s));
  // And the server goes on serving TLS clients.
  const auto result = pymemcache("127.0.0.1", port);
  EXPECT_EQ(result.status, 0) << result.out << result.err;
  EXPECT_EQ(server.stop(), 0) << server.stderr_text();
}

TEST_F(TlsTest, AClientThatNeverHandshakesIsClosedByTheIdleTimeout) {
  auto [server, port] = start({"-o", "idle_timeout=1"});
  LineClient silent(port);
  EXPECT_TRUE(silent.wait_closed(10s));
  EXPECT_EQ(server.stop(), 0) << server.stderr_text();
}

TEST_F(TlsTest, TlsAndNotlsListenersServeTogetherAndCountInStats) {
  const std::uint16_t tls_port = mc::testing::free_port();
  const std::uint16_t plain_port = mc::testing::free_port();
  auto [server, first_port] = start({"-l", "127.0.0.1:" + std::to_string(tls_port) +
                                               ",notls:127.0.0.1:" + std::to_string(plain_port)});
  EXPECT_EQ(first_port, tls_port);  // the first listener is announced
  ASSERT_TRUE(mc::testing::wait_until_accepting(plain_port));
  const auto result = pymemcache("127.0.0.1", tls_port);
  EXPECT_EQ(result.status, 0) << result.out << result.err;

  // What the TLS client stored, a plain client reads: one store behind both listeners.
  LineClient plain(plain_port);
  plain.send("get tls:big\r\n");
  EXPECT_EQ(plain.read_line(), "VALUE tls:big 0 300000\r\n");

  // `stats settings` shows TLS on, under memcached's names.
  LineClient settings(plain_port);
  settings.send("stats settings\r\n");
  std::vector<std::string> tls_lines;
  for (std::string line = settings.read_line(); line != "END\r\n"; line = settings.read_line()) {
    if (line.starts_with("STAT ssl_enabled") || line.starts_with("STAT ssl_min_version")) {
      tls_lines.push_back(line);
    }
  }
  const std::vector<std::string> expected{"STAT ssl_enabled yes\r\n",
                                          "STAT ssl_min_version tlsv1.2\r\n"};
  EXPECT_EQ(tls_lines, expected);

  // A TLS connection counts in curr_connections like a plain one, and leaves it on close.
  // Counted on one connection: a new one per question would count the last one while the
  // server is still closing it.
  LineClient counter(plain_port);
  const auto connections = [&counter] {
    counter.send("stats\r\n");
    int count = -1;
    for (std::string line = counter.read_line(); line != "END\r\n"; line = counter.read_line()) {
      if (line.starts_with("STAT curr_connections ")) count = std::stoi(line.substr(22));
    }
    return count;
  };
  // The readiness probes and pymemcache's connection may still be closing: wait until only
  // this test's three clients (plain, settings, counter) are counted.
  const auto settled = std::chrono::steady_clock::now() + 10s;
  while (connections() != 3 && std::chrono::steady_clock::now() < settled) {
    std::this_thread::yield();
  }
  const int before = connections();
  EXPECT_EQ(before, 3);
  auto client = s_client(tls_port);
  client.write_stdin("version\r\n");
  while (auto line = client.read_line(10s)) {
    if (line->starts_with("VERSION ")) break;
  }
  EXPECT_EQ(connections(), before + 1);
  client.stop();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (connections() != before && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(connections(), before);
  EXPECT_EQ(server.stop(), 0) << server.stderr_text();
}

TEST_F(TlsTest, VerifyModeTwoRequiresAClientCertificateFromTheCa) {
  auto [server, port] = start({"-o", "ssl_verify_mode=2,ssl_ca_cert=" + files_.ca()});
  const auto without = pymemcache("127.0.0.1", port);
  EXPECT_EQ(without.status, 3) << without.out << without.err;
  const auto with = pymemcache("127.0.0.1", port, {files_.client_cert(), files_.client_key()});
  EXPECT_EQ(with.status, 0) << with.out << with.err;
  EXPECT_EQ(server.stop(), 0) << server.stderr_text();
}

TEST_F(TlsTest, RefusesToStartWithoutUsableCertificates) {
  const auto no_chain = mc::testing::run(CPPMEMCACHED_PATH, {"-p", "0", "-Z"}, {}, 10s);
  EXPECT_EQ(no_chain.status, 1);
  EXPECT_NE(no_chain.err.find("ssl_chain_cert"), std::string::npos) << no_chain.err;
  const auto missing = mc::testing::run(
      CPPMEMCACHED_PATH, {"-p", "0", "-Z", "-o", "ssl_chain_cert=/nonexistent.pem"}, {}, 10s);
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("Error loading the certificate chain: /nonexistent.pem"),
            std::string::npos)
      << missing.err;
  // memcached's own words for a verify mode it does not have.
  const auto bad_mode =
      mc::testing::run(CPPMEMCACHED_PATH, {"-p", "0", "-Z", "-o", "ssl_verify_mode=4"}, {}, 10s);
  EXPECT_EQ(bad_mode.status, 1);
  EXPECT_NE(bad_mode.err.find("Invalid ssl_verify_mode. Use help to see valid options."),
            std::string::npos)
      << bad_mode.err;
}

}  // namespace
