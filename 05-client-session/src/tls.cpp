#include "mc/client/tls.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace mc::client {
namespace {

// Runs one of asio's loading calls, turning its error into a message that names the file.
template <typename Load>
void load(const char* what, const std::string& file, Load&& call) {
  asio::error_code error;
  call(error);
  if (error) throw std::runtime_error(fmt::format("{} {}: {}", what, file, error.message()));
}

}  // namespace

std::shared_ptr<asio::ssl::context> make_tls_context(const TlsOptions& options) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  // memcached's own default floor (ssl_min_version=2).
  context->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                       asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  if (options.ca_file.empty()) {
    load("loading the system's CAs", "", [&](auto& e) { context->set_default_verify_paths(e); });
  } else {
    load("loading the CA file", options.ca_file,
         [&](auto& e) { context->load_verify_file(options.ca_file, e); });
  }
  if (!options.cert_file.empty()) {
    load("loading the certificate", options.cert_file,
         [&](auto& e) { context->use_certificate_chain_file(options.cert_file, e); });
    const std::string& key = options.key_file.empty() ? options.cert_file : options.key_file;
    load("loading the private key", key,
         [&](auto& e) { context->use_private_key_file(key, asio::ssl::context::pem, e); });
  }
  context->set_verify_mode(options.verify ? asio::ssl::verify_peer : asio::ssl::verify_none);
  return context;
}

}  // namespace mc::client
