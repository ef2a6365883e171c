// The client over TLS: Session and cppmc against cppmemcached -Z and memcached -Z, with the
// server's certificate and name checked, and a client certificate where the server wants one.

#include "mc/client/tls.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "mc/client/session.hpp"
#include "mc/testing/process.hpp"
#include "mc/testing/tls_files.hpp"
#include "support.hpp"

namespace mc::client {
namespace {

using testing::Backend;
using namespace std::chrono_literals;

// Trust the CA in `ca_file`; present `cert` and `key` if given.
TlsOptions trusting(const std::string& ca_file, const std::string& cert = {},
                    const std::string& key = {}) {
  TlsOptions options;
  options.ca_file = ca_file;
  options.cert_file = cert;
  options.key_file = key;
  return options;
}

class TlsSessionTest : public ::testing::TestWithParam<Backend> {
 protected:
  // The backend with -Z and the test CA's server certificate, plus `extra` -o options.
  void start_server(const std::string& extra = {}) {
    std::string tls = "ssl_chain_cert=" + files_.server_cert() + ",ssl_key=" + files_.server_key();
    if (!extra.empty()) tls += "," + extra;
    server_.emplace(testing::start_backend(GetParam(), 0, {"-Z", "-o", tls}));
  }

  // Sets then gets one key through a Session to `host` with `tls`; the get's result.
  Result<std::optional<Item>> set_and_get(const std::string& host, TlsOptions tls) {
    SessionOptions options;
    options.tls = make_tls_context(tls);
    Session session(io_.io(), ServerAddress{host, server_->port}, options);
    auto got = io_.run([&]() -> asio::awaitable<Result<std::optional<Item>>> {
      const auto stored = co_await session.set("tls:key", "over TLS");
      if (!stored) co_return stored.error();
      co_return co_await session.get("tls:key");
    }());
    session.close();
    return got;
  }

  mc::testing::TlsFiles files_;
  testing::IoThread io_;
  std::optional<testing::RunningServer> server_;
};

TEST_P(TlsSessionTest, StoresAndReadsWithTheCertificateAndNameChecked) {
  start_server();
  for (const char* host : {"localhost", "127.0.0.1"}) {
    const auto got = set_and_get(host, trusting(files_.ca()));
    ASSERT_TRUE(got) << host << ": " << got.error().message();
    ASSERT_TRUE(got->has_value()) << host;
    EXPECT_EQ((*got)->value, "over TLS") << host;
  }
}

TEST_P(TlsSessionTest, FailsAgainstACertificateFromAnUntrustedCa) {
  start_server();
  const auto got = set_and_get("127.0.0.1", trusting(files_.stranger_ca()));
  EXPECT_FALSE(got);
}

TEST_P(TlsSessionTest, PresentsAClientCertificateWhenTheServerRequiresOne) {
  start_server("ssl_verify_mode=2,ssl_ca_cert=" + files_.ca());
  EXPECT_FALSE(set_and_get("127.0.0.1", trusting(files_.ca())));
  const auto got =
      set_and_get("127.0.0.1", trusting(files_.ca(), files_.client_cert(), files_.client_key()));
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_TRUE(got->has_value());
}

TEST_P(TlsSessionTest, CppmcSpeaksTlsWithTlsAndTlsCa) {
  start_server("ssl_verify_mode=2,ssl_ca_cert=" + files_.ca());
  const std::string servers = "localhost:" + std::to_string(server_->port);
  const std::vector<std::string> tls{
      "--servers",          servers,     "--tls-ca",         files_.ca(), "--tls-cert",
      files_.client_cert(), "--tls-key", files_.client_key()};
  auto cppmc = [&](std::vector<std::string> args) {
    args.insert(args.begin(), tls.begin(), tls.end());
    return mc::testing::run(CPPMC_PATH, args, {}, 30s);
  };
  EXPECT_EQ(cppmc({"--tls", "set", "greeting", "hello"}).status, 0);
  const auto got = cppmc({"--tls", "get", "greeting"});
  EXPECT_EQ(got.status, 0) << got.err;
  EXPECT_EQ(got.out, "hello\n");
  // Without a client certificate the server refuses; cppmc says so and exits 2.
  const auto refused = mc::testing::run(
      CPPMC_PATH, {"--servers", servers, "--tls", "--tls-ca", files_.ca(), "get", "greeting"}, {},
      30s);
  EXPECT_EQ(refused.status, 2) << refused.out;
  EXPECT_FALSE(refused.err.empty());
}

INSTANTIATE_TEST_SUITE_P(Servers, TlsSessionTest, ::testing::ValuesIn(testing::backends()),
                         [](const auto& info) { return testing::backend_name(info.param); });

}  // namespace
}  // namespace mc::client
