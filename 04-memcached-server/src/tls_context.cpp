#include "mc/server/tls_context.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <stdexcept>
#include <string>

namespace mc::server {
namespace {

// OpenSSL's reason for the last failure, as memcached prints it after the file name.
std::string openssl_reason() {
  std::array<char, 256> text{};
  ERR_error_string_n(ERR_peek_last_error(), text.data(), text.size());
  ERR_clear_error();
  return text.data();
}

[[noreturn]] void fail(std::string_view what, const std::string& file) {
  throw std::runtime_error(fmt::format("Error {}: {} : {}", what, file, openssl_reason()));
}

// memcached's ssl_verify_mode numbers.
int verify_flags(int mode) {
  switch (mode) {
    case 1:  // ask for a certificate; a client without one still gets in
      return SSL_VERIFY_PEER;
    case 2:
      return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    case 3:  // a resumed session is not asked again
      return SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT | SSL_VERIFY_CLIENT_ONCE;
    default:
      return SSL_VERIFY_NONE;
  }
}

// memcached's ssl_min_version numbers.
int protocol_version(int min_version) {
  constexpr std::array kVersions{TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION};
  return kVersions.at(static_cast<std::size_t>(min_version));
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_tls_context(const TlsSettings& settings) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, protocol_version(settings.min_version));
  if (SSL_CTX_use_certificate_chain_file(native, settings.chain_cert.c_str()) != 1) {
    fail("loading the certificate chain", settings.chain_cert);
  }
  const std::string& key = settings.key.empty() ? settings.chain_cert : settings.key;
  if (SSL_CTX_use_PrivateKey_file(native, key.c_str(), settings.key_format) != 1) {
    fail("loading the private key", key);
  }
  if (SSL_CTX_check_private_key(native) != 1) fail("matching the key to the certificate", key);
  if (!settings.ca_cert.empty()) {
    if (SSL_CTX_load_verify_locations(native, settings.ca_cert.c_str(), nullptr) != 1) {
      fail("loading the CA certificate", settings.ca_cert);
    }
    // The CAs a client may choose its certificate from, sent in the certificate request.
    SSL_CTX_set_client_CA_list(native, SSL_load_client_CA_file(settings.ca_cert.c_str()));
  }
  SSL_CTX_set_verify(native, verify_flags(settings.verify_mode), nullptr);
  if (!settings.ciphers.empty() && SSL_CTX_set_cipher_list(native, settings.ciphers.c_str()) != 1) {
    fail("setting the ciphers", settings.ciphers);
  }
  if (settings.session_cache) {
    // Resumption needs a context id; with verification it must be set or handshakes fail.
    static constexpr unsigned char kSessionId[] = "cppmemcached";
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_id_context(native, kSessionId, sizeof(kSessionId) - 1);
  } else {
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
  }
  return context;
}

}  // namespace mc::server
