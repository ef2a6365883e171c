/// \file
/// \brief A TCP server: an acceptor that spreads connections over N io_context threads.

#pragma once

#include <functional>
#include <utility>

#include <asio/ip/address.hpp>

#include "mc/net/acceptor.hpp"
#include "mc/net/detail/runtime.hpp"
#include "mc/net/options.hpp"

namespace mc::net {

/// \brief Listens, accepts, and runs every connection with the given callbacks and codec.
///
/// The constructor binds and starts serving at once; stop() (or the destructor) stops
/// accepting, lets writers flush for ServerOptions::flush_timeout, closes what is left and
/// joins the threads.
template <Codec C>
class Server {
 public:
  /// \brief Called once with the bound address, on the constructing thread, before any server
  /// thread runs: what it sets up is visible to every connection without a lock or an atomic.
  using OnListening = std::function<void(const asio::ip::tcp::endpoint&)>;

  /// \brief Binds to `options.listen`:`options.port` and starts `options.threads` threads.
  /// Throws asio::system_error if the address cannot be bound.
  /// \param options where to listen, threads, connection limits, flush timeout
  /// \param callbacks called for every connection, on that connection's thread
  /// \param prototype copied for each new connection (a codec may keep per-connection state)
  /// \param on_listening told the bound address (the port picked for port 0) before the
  /// threads start
  Server(const ServerOptions& options, Callbacks<C> callbacks, C prototype = C{},
         const OnListening& on_listening = {})
      : options_(options),
        runtime_(options.threads, options.connection, std::move(callbacks), std::move(prototype)),
        acceptor_(runtime_.pool().context(0),
                  {asio::ip::make_address(options.listen), options.port}, options.backlog),
        endpoint_(acceptor_.local_endpoint()) {
    // [server-start]
    if (on_listening) on_listening(endpoint_);  // no thread runs yet: nothing to race with
    auto& pool = runtime_.pool();
    acceptor_.start([&pool]() -> asio::io_context& { return pool.context(pool.next()); },
                    [this](Socket socket) { runtime_.adopt(std::move(socket)); },
                    options.accept_pauses);
    pool.start();
    // [server-start]
  }

  /// \brief Stops, as stop() does.
  ~Server() { stop(); }

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// \brief The address the server listens on (with the port picked for port 0).
  asio::ip::tcp::endpoint local_endpoint() const { return endpoint_; }

  /// \brief The I/O threads, for work that should share them (a second listener, say).
  IoContextPool& pool() { return runtime_.pool(); }

  /// \brief Stops accepting, flushes and closes every connection (each gets on_close), and
  /// joins the threads. Idempotent. Call it from outside the server's threads.
  void stop() {
    if (runtime_.stopping()) return;
    acceptor_.close();
    runtime_.stop(options_.flush_timeout);
  }

 private:
  const ServerOptions options_;
  detail::Runtime<C> runtime_;
  Acceptor acceptor_;  // destroyed before runtime_, whose first io_context it uses
  const asio::ip::tcp::endpoint endpoint_;
};

}  // namespace mc::net
