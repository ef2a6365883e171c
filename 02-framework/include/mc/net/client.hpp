/// \file
/// \brief A TCP client: opens connections that run on the client's own I/O threads.

#pragma once

#include <cstdint>
#include <string>
#include <system_error>

#include "mc/net/connector.hpp"
#include "mc/net/detail/runtime.hpp"
#include "mc/net/options.hpp"
#include "mc/net/transport.hpp"

namespace mc::net {

/// \brief Opens connections to servers and runs them with the given callbacks and codec, on
/// ClientOptions::threads threads of its own (connections spread round-robin).
template <Codec C>
class Client {
 public:
  /// \brief Connection type this client hands out.
  using Pointer = typename Connection<C>::Pointer;

  /// \brief Starts the client's threads; no connection is opened yet.
  /// \param options threads, connection limits and timeouts
  /// \param callbacks called for every connection, on that connection's thread
  /// \param prototype copied for each new connection
  Client(const ClientOptions& options, Callbacks<C> callbacks, C prototype = C{})
      : options_(options),
        runtime_(options.threads, options.connection, std::move(callbacks), std::move(prototype)) {
    runtime_.pool().start();
  }

  /// \brief Stops, as stop() does.
  ~Client() { stop(); }

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// \brief Connects to `host`:`port`, waiting at most ClientOptions::connect_timeout, and
  /// starts the connection. on_connect runs on the connection's thread, possibly before this
  /// returns. Blocks: call it from outside the client's threads.
  /// \param host a name or an address
  /// \param port the TCP port
  /// \param error set on failure (a resolver or socket error, or Error::kConnectTimeout)
  /// \return the started connection, or nullptr on failure
  Pointer connect(const std::string& host, std::uint16_t port, std::error_code& error) {
    if (runtime_.stopping()) {
      error = Error::kStopped;
      return nullptr;
    }
    auto& pool = runtime_.pool();
    Socket socket =
        connect_socket(pool.context(pool.next()), host, port, options_.connect_timeout, error);
    if (error) return nullptr;
    if (options_.tls)
      return runtime_.adopt(Transport(std::move(socket), options_.tls, TlsRole::kClient, host));
    return runtime_.adopt(std::move(socket));
  }

  /// \brief Flushes and closes every connection (each gets on_close) and joins the threads.
  /// Idempotent. Call it from outside the client's threads.
  void stop() { runtime_.stop(options_.flush_timeout); }

 private:
  const ClientOptions options_;
  detail::Runtime<C> runtime_;
};

}  // namespace mc::net
