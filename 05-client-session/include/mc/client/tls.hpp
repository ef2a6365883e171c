/// \file
/// \brief TLS for a client: the OpenSSL context a Session or Cluster speaks TLS with.

#pragma once

#include <memory>
#include <string>

#include <asio/ssl/context.hpp>

namespace mc::client {

/// \brief What a client needs to speak TLS to a memcached started with `-Z`.
struct TlsOptions {
  /// PEM file of the CAs the server's certificate must chain to; empty: the system's CAs.
  std::string ca_file;
  /// The client's certificate chain (PEM), for a server with `ssl_verify_mode` 2 or 3.
  std::string cert_file;
  /// The client's private key (PEM); empty: it is in `cert_file`.
  std::string key_file;
  /// Check the server's certificate, and that it names the host connected to. Turning it
  /// off leaves the connection open to anyone in the middle; tests and nothing else.
  bool verify = true;
};

/// \brief Builds the context to put in SessionOptions::tls.
/// \throws std::runtime_error naming the file OpenSSL could not load, and why
std::shared_ptr<asio::ssl::context> make_tls_context(const TlsOptions& options);

}  // namespace mc::client
