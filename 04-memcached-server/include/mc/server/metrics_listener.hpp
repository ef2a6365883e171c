/// \file
/// \brief The HTTP side door for operators: `GET /metrics` (Prometheus) and `GET /healthz`
/// (load balancers), served on one of the server's own I/O threads.

#pragma once

#include <functional>
#include <memory>
#include <string>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

namespace mc::server {

/// \brief A minimal HTTP/1.1 listener: one request per connection, answered and closed.
///
/// `GET /metrics` answers what `scrape` returns, `GET /healthz` answers `OK`; other paths get
/// 404, other methods 405, and a malformed or oversized request 400. A client that has not
/// sent a whole request within a few seconds is disconnected, so a stalled scraper holds
/// nothing. Everything runs on `io`: the scrape is computed between two client requests of
/// that thread, not beside them.
class MetricsListener {
 public:
  /// \brief Produces the body of `GET /metrics`. Called on `io`'s thread.
  using Scrape = std::function<std::string()>;

  /// \brief Binds `endpoint` (port 0: a free one) and starts accepting on `io`. Throws
  /// asio::system_error if the address cannot be bound.
  MetricsListener(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint, Scrape scrape);

  /// \brief Stops, as stop() does.
  ~MetricsListener();

  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  /// \brief Where it listens (with the port picked for port 0).
  asio::ip::tcp::endpoint local_endpoint() const { return endpoint_; }

  /// \brief Closes the listening socket and every open HTTP connection, on `io`'s thread: once
  /// that has run, the listener holds no work that would keep `io.run()` from returning.
  /// Callable from any thread; idempotent.
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
  asio::ip::tcp::endpoint endpoint_;
};

}  // namespace mc::server
