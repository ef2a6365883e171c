/// \file
/// \brief memcached's `-Z` settings turned into an OpenSSL context for the TLS listeners.

#pragma once

#include <memory>

#include <asio/ssl/context.hpp>

#include "mc/server/settings.hpp"

namespace mc::server {

/// \brief Builds the server's TLS context: certificate chain and key, verification of client
/// certificates, the lowest protocol version, ciphers and the session cache, as memcached
/// 1.6.18 sets them from `-o ssl_*`.
/// \throws std::runtime_error naming the file or setting OpenSSL refused, with its reason
std::shared_ptr<asio::ssl::context> make_tls_context(const TlsSettings& settings);

}  // namespace mc::server
