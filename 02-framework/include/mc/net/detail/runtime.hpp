/// \file
/// \brief What Server and Client share: the I/O threads and the connections living on them.

#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include <asio/dispatch.hpp>
#include <asio/post.hpp>

#include "mc/net/connection.hpp"
#include "mc/net/detail/connection_manager.hpp"
#include "mc/net/io_context_pool.hpp"

namespace mc::net::detail {

/// \brief An IoContextPool with one ConnectionManager per io_context: turns connected
/// sockets into started connections and stops them all gracefully.
template <Codec C>
class Runtime {
 public:
  /// \brief Connections as the runtime hands them out.
  using Pointer = typename Connection<C>::Pointer;

  /// \brief `threads` io_contexts; every connection gets a copy of `prototype` as its codec.
  Runtime(unsigned threads, const ConnectionOptions& options, Callbacks<C> callbacks, C prototype)
      : pool_(threads),
        options_(std::make_shared<const ConnectionOptions>(options)),
        prototype_(std::move(prototype)) {
    for (std::size_t i = 0; i < pool_.size(); ++i) {
      managers_.push_back(
          std::make_unique<ConnectionManager<C>>(pool_.context(i), options.sleep_after, callbacks));
    }
  }

  /// \brief Stops without a flush window if stop() was not called.
  ~Runtime() { stop(std::chrono::milliseconds(0)); }

  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  /// \brief The I/O threads.
  IoContextPool& pool() { return pool_; }

  /// \brief Wraps a connected transport (or socket) in a Connection and starts it on the
  /// socket's own io_context, which must be one of the pool's. Callable from any thread.
  Pointer adopt(Transport transport) {
    ConnectionManager<C>* manager = manager_of(transport.get_executor().context());
    auto connection = std::make_shared<Connection<C>>(std::move(transport), prototype_, options_,
                                                      manager->callbacks());
    asio::dispatch(connection->get_executor(), [manager, connection] { manager->add(connection); });
    return connection;
  }

  /// \brief Whether stop() has begun.
  bool stopping() const { return stopping_.load(); }

  /// \brief Flushes and closes every connection (see ConnectionManager::stop), then joins the
  /// threads. Returns within `flush_timeout` plus one second. Idempotent; not callable from
  /// one of the pool's threads.
  // [runtime-stop]
  void stop(std::chrono::milliseconds flush_timeout) {
    if (stopping_.exchange(true)) return;
    for (std::size_t i = 0; i < pool_.size(); ++i) {
      asio::post(pool_.context(i),
                 [manager = managers_[i].get(), flush_timeout] { manager->stop(flush_timeout); });
    }
    // Every run() returns once its connections are gone; the margin covers closing them
    // after the flush window. Only past it does the pool stop an io_context by force.
    pool_.join(std::chrono::steady_clock::now() + flush_timeout + std::chrono::seconds(1));
  }
  // [runtime-stop]

 private:
  ConnectionManager<C>* manager_of(const asio::io_context& io) {
    // A linear search over at most a few hundred threads, once per connection.
    for (std::size_t i = 0; i < pool_.size(); ++i) {
      if (&pool_.context(i) == &io) return managers_[i].get();
    }
    assert(false && "the socket does not belong to this pool");
    return managers_.front().get();
  }

  IoContextPool pool_;  // first: destroyed last, after everything that uses its io_contexts
  std::vector<std::unique_ptr<ConnectionManager<C>>> managers_;
  const std::shared_ptr<const ConnectionOptions> options_;
  const C prototype_;  // copied for each connection (the copy is the only access)
  std::atomic<bool> stopping_{false};
};

}  // namespace mc::net::detail
