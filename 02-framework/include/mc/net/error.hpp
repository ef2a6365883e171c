/// \file
/// \brief Why a connection closed, when the reason is ours and not the operating system's.

#pragma once

#include <system_error>

namespace mc::net {

/// \brief Close reasons that come from the framework itself. The peer's reasons (end of
/// stream, a reset, a broken pipe) arrive as the `asio::error` codes the socket reported.
enum class Error {
  kClosed = 1,      ///< close() was called, by the application or because a task ended
  kIdleTimeout,     ///< nothing was read or written for ConnectionOptions::idle_timeout
  kBadMessage,      ///< the codec's decode() answered DecodeStatus::kError
  kStopped,         ///< the server or client is stopping and the connection was flushed
  kConnectTimeout,  ///< Client::connect() gave up after ClientOptions::connect_timeout
  /// The TLS handshake did not finish within ConnectionOptions::handshake_timeout.
  kHandshakeTimeout,
};

/// \brief The category of mc::net::Error codes (its name is "mc::net").
const std::error_category& error_category() noexcept;

/// \brief Makes `std::error_code ec = Error::kIdleTimeout;` work.
std::error_code make_error_code(Error error) noexcept;

}  // namespace mc::net

/// \brief Marks mc::net::Error as an error code enum, so it converts to std::error_code.
template <>
struct std::is_error_code_enum<mc::net::Error> : std::true_type {};
