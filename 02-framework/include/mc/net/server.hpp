/// \file
/// \brief A TCP server: acceptors that spread connections over N io_context threads.

#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

#include <asio/ip/address.hpp>

#include "mc/net/acceptor.hpp"
#include "mc/net/detail/runtime.hpp"
#include "mc/net/options.hpp"
#include "mc/net/transport.hpp"

namespace mc::net {

/// \brief Listens, accepts, and runs every connection with the given callbacks and codec.
///
/// The constructor binds and starts serving at once; stop() (or the destructor) stops
/// accepting, lets writers flush for ServerOptions::flush_timeout, closes what is left and
/// joins the threads.
template <Codec C>
class Server {
 public:
  /// \brief Called once with the main listener's bound address, on the constructing thread,
  /// before any server thread runs: what it sets up is visible to every connection without a
  /// lock or an atomic.
  using OnListening = std::function<void(const asio::ip::tcp::endpoint&)>;

  /// \brief Binds to `options.listen`:`options.port` (or to each of `options.listeners`) and
  /// starts `options.threads` threads. Throws asio::system_error if an address cannot be
  /// bound, std::invalid_argument for a TLS listener without ServerOptions::tls.
  /// \param options where to listen, TLS, threads, connection limits, flush timeout
  /// \param callbacks called for every connection, on that connection's thread
  /// \param prototype copied for each new connection (a codec may keep per-connection state)
  /// \param on_listening told the bound address (the port picked for port 0) before the
  /// threads start
  Server(const ServerOptions& options, Callbacks<C> callbacks, C prototype = C{},
         const OnListening& on_listening = {})
      : options_(options),
        runtime_(options.threads, options.connection, std::move(callbacks), std::move(prototype)) {
    for (const Listener& listener : listeners_of(options)) {
      if (listener.tls && !options.tls)
        throw std::invalid_argument("a TLS listener needs a context");
      auto& acceptor = acceptors_.emplace_back(std::make_unique<Acceptor>(
          runtime_.pool().context(0),
          asio::ip::tcp::endpoint{asio::ip::make_address(listener.address), listener.port},
          options.backlog));
      endpoints_.push_back(acceptor->local_endpoint());
      tls_.push_back(listener.tls ? options.tls : nullptr);
    }
    // [server-start]
    if (on_listening) on_listening(endpoints_.front());  // no thread runs yet: no race
    auto& pool = runtime_.pool();
    for (std::size_t i = 0; i < acceptors_.size(); ++i) {
      // A TLS listener wraps each socket in a TLS transport; the connection is the same.
      acceptors_[i]->start([&pool]() -> asio::io_context& { return pool.context(pool.next()); },
                           [this, tls = tls_[i]](Socket socket) {
                             if (tls) {
                               runtime_.adopt(Transport(std::move(socket), tls, TlsRole::kServer));
                             } else {
                               runtime_.adopt(std::move(socket));
                             }
                           },
                           options.accept_pauses);
    }
    pool.start();
    // [server-start]
  }

  /// \brief Stops, as stop() does.
  ~Server() { stop(); }

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// \brief The address the main listener listens on (with the port picked for port 0).
  asio::ip::tcp::endpoint local_endpoint() const { return endpoints_.front(); }

  /// \brief Every listener's address, in the order of ServerOptions::listeners.
  const std::vector<asio::ip::tcp::endpoint>& local_endpoints() const { return endpoints_; }

  /// \brief The I/O threads, for work that should share them (a second listener, say).
  IoContextPool& pool() { return runtime_.pool(); }

  /// \brief Stops accepting, flushes and closes every connection (each gets on_close), and
  /// joins the threads. Idempotent. Call it from outside the server's threads.
  void stop() {
    if (runtime_.stopping()) return;
    for (auto& acceptor : acceptors_) acceptor->close();
    runtime_.stop(options_.flush_timeout);
  }

 private:
  static std::vector<Listener> listeners_of(const ServerOptions& options) {
    if (!options.listeners.empty()) return options.listeners;
    return {Listener{options.listen, options.port, options.tls != nullptr}};
  }

  const ServerOptions options_;
  detail::Runtime<C> runtime_;
  // Destroyed before runtime_, whose first io_context they use.
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::vector<asio::ip::tcp::endpoint> endpoints_;
  std::vector<std::shared_ptr<asio::ssl::context>> tls_;  // per acceptor; null: plain TCP
};

}  // namespace mc::net
