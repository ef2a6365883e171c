/// \file
/// \brief How a Session behaves (deadlines, heartbeat, reconnecting) and what it counts.

#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>

#include "mc/net/options.hpp"

namespace asio::ssl {
class context;
}  // namespace asio::ssl

namespace mc::client {

/// \brief The knobs of a Session, with their defaults.
struct SessionOptions {
  /// Deadline of a call that names none (CallOptions::timeout zero).
  std::chrono::milliseconds timeout{1000};
  /// How long one connection attempt may take.
  std::chrono::milliseconds connect_timeout{1000};
  /// Send `version` after this long without a request or a reply; zero turns the ping off.
  std::chrono::milliseconds heartbeat_interval{5000};
  /// A server that owes a reply and sends nothing for this long is dead: the session closes the
  /// connection (failing every call on it) and reconnects. Zero turns the check off.
  std::chrono::milliseconds heartbeat_timeout{2000};
  /// First wait before reconnecting; it doubles after every failed attempt...
  std::chrono::milliseconds reconnect_min{50};
  /// ...up to this bound.
  std::chrono::milliseconds reconnect_max{5000};
  /// Limits of the connection. The default lifts the framework's memory bound: a client's
  /// queue holds requests, and pausing its reader would stop it from reading the replies that
  /// let the server read on. Callers bound their own requests in flight.
  net::ConnectionOptions connection = unbounded_connection();
  /// If set, the session speaks TLS with this context (see make_tls_context() in tls.hpp);
  /// when the context verifies peers, the server's certificate must name the host given in
  /// the server's address.
  std::shared_ptr<asio::ssl::context> tls;

  /// \brief The framework's connection limits, without the memory bound.
  static net::ConnectionOptions unbounded_connection() {
    net::ConnectionOptions options;
    options.max_held_bytes = std::numeric_limits<std::size_t>::max();
    options.max_read_buffer_size = std::numeric_limits<std::size_t>::max();
    return options;
  }
};

/// \brief The wait before reconnect attempt number `failures` (0 for the first): the base
/// `reconnect_min * 2^failures`, capped at `reconnect_max`, then "equal jitter": half the base
/// plus `jitter` (0..1) times the other half. The fixed half bounds how often a client retries;
/// the random half keeps a thousand clients that lost the same server from retrying in step.
[[nodiscard]] std::chrono::milliseconds reconnect_delay(unsigned failures,
                                                        std::chrono::milliseconds reconnect_min,
                                                        std::chrono::milliseconds reconnect_max,
                                                        double jitter);

/// \brief What a Session has done so far. The session's thread writes these; any thread may
/// read them.
struct SessionCounters {
  std::atomic<std::uint64_t> requests{0};          ///< requests handed to a connection
  std::atomic<std::uint64_t> write_calls{0};       ///< the connections' gathered writes
  std::atomic<std::uint64_t> replies{0};           ///< complete replies matched to a request
  std::atomic<std::uint64_t> late_replies{0};      ///< replies to timed-out calls, discarded
  std::atomic<std::uint64_t> timeouts{0};          ///< calls that reached their deadline
  std::atomic<std::uint64_t> connects{0};          ///< connections established
  std::atomic<std::uint64_t> connect_failures{0};  ///< connection attempts that failed
  std::atomic<std::uint64_t> disconnects{0};       ///< connections lost or closed
  std::atomic<std::uint64_t> heartbeats{0};        ///< idle pings sent
};

}  // namespace mc::client
