/// \file
/// \brief cppmemcached as a library: the store, the handler and mc::net's server, wired up.

#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "mc/codec/memcached_codec.hpp"
#include "mc/net/server.hpp"
#include "mc/server/metrics_listener.hpp"
#include "mc/server/server_context.hpp"

namespace mc::server {

/// \brief The codec of every client connection: requests in, zero-copy replies out.
using ServerCodec = codec::MemcachedServerCodec<ItemHandle>;

/// \brief A running memcached-compatible server.
///
/// The constructor binds and starts serving on `settings.net.threads` I/O threads, plus a
/// maintenance thread that ticks the clock once a second and expires items in the background.
/// With `-o metrics_port`, the first I/O thread also serves HTTP metrics.
class MemcachedServer {
 public:
  /// \brief Starts serving. `on_shutdown` runs (on an I/O thread) when a client sends
  /// `shutdown` to a server started with `-A`; it should arrange for stop() to be called.
  /// Throws asio::system_error if an address cannot be bound, std::runtime_error if the TLS
  /// files cannot be loaded (the message names the file and OpenSSL's reason).
  explicit MemcachedServer(const Settings& settings, std::function<void()> on_shutdown = {});

  /// \brief Stops, as stop() does.
  ~MemcachedServer();

  MemcachedServer(const MemcachedServer&) = delete;
  MemcachedServer& operator=(const MemcachedServer&) = delete;

  /// \brief Where the server listens (with the port picked for `-p 0`).
  asio::ip::tcp::endpoint local_endpoint() const { return server_->local_endpoint(); }

  /// \brief Where the metrics listener listens, if `-o metrics_port` asked for one.
  std::optional<asio::ip::tcp::endpoint> metrics_endpoint() const {
    if (!metrics_) return std::nullopt;
    return metrics_->local_endpoint();
  }

  /// \brief Every listener's address, in `-l`'s order.
  const std::vector<asio::ip::tcp::endpoint>& local_endpoints() const {
    return server_->local_endpoints();
  }

  /// \brief Stops accepting, lets replies already queued go out, closes every connection and
  /// joins the threads. Idempotent; call it from outside the server's threads.
  void stop();

  /// \brief The shared state (tests look at the store and the counters).
  ServerContext& context() { return *context_; }

 private:
  net::Callbacks<ServerCodec> callbacks();
  void start_maintenance();

  std::atomic<std::uint64_t> accept_pauses_{0};  // listen_disabled_num; outlives server_
  std::unique_ptr<ServerContext> context_;
  std::unique_ptr<net::Server<ServerCodec>> server_;
  std::unique_ptr<MetricsListener> metrics_;  // on server_'s first io_context
  asio::io_context maintenance_io_{1};
  asio::steady_timer maintenance_timer_{maintenance_io_};
  bool maintenance_stopping_ = false;  // the maintenance thread's own: set by stop()'s handler
  std::thread maintenance_thread_;
};

}  // namespace mc::server
