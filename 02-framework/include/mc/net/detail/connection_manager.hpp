/// \file
/// \brief The live connections of one io_context thread, so that a stop can close them all.

#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "mc/net/connection.hpp"

namespace mc::net::detail {

/// \brief Owns the live connections of one io_context. Every member function runs on that
/// io_context's thread only, so the list needs no lock; other threads post to it.
template <Codec C>
class ConnectionManager {
 public:
  /// \brief Connections as the manager holds them.
  using Pointer = typename Connection<C>::Pointer;

  /// \brief A manager for connections living on `io`, putting idle ones to sleep every
  /// `sleep_after` (zero: never).
  ConnectionManager(asio::io_context& io, std::chrono::milliseconds sleep_after,
                    const Callbacks<C>& callbacks)
      : callbacks_(std::make_shared<const Callbacks<C>>(forgetting_on_close(callbacks))),
        deadline_(io),
        sweep_(io),
        sleep_after_(sleep_after) {}

  /// \brief The callbacks this thread's connections get: the application's, and on_close
  /// also makes the manager forget the connection.
  const std::shared_ptr<const Callbacks<C>>& callbacks() const { return callbacks_; }

  /// \brief Takes a new connection and starts it; once stopping, closes it instead.
  void add(const Pointer& connection) {
    if (stopping_) return;  // never started: no callbacks, the socket closes with it
    connection->manager_slot_ = static_cast<std::uint32_t>(live_.size());
    live_.push_back(connection);
    connection->start();
    if (!sweeping_) sweep_later();
  }

  /// \brief Graceful stop: every connection flushes what it has queued and closes; whatever
  /// is still open after `flush_timeout` is closed at once.
  // [stop-all]
  void stop(std::chrono::milliseconds flush_timeout) {
    stopping_ = true;
    sweep_.cancel();
    if (live_.empty()) return;
    // Safe to loop over live_: connections end later, as handlers, so remove() cannot run now.
    for (const auto& connection : live_) connection->close_after_flush();
    deadline_.expires_after(flush_timeout);
    deadline_.async_wait([this](std::error_code error) {
      if (error) return;  // cancelled: every connection closed in time
      for (const auto& connection : live_) connection->close();
    });
  }
  // [stop-all]

  /// \brief Number of live connections.
  std::size_t size() const { return live_.size(); }

 private:
  Callbacks<C> forgetting_on_close(Callbacks<C> callbacks) {
    callbacks.on_close = [this, on_close = std::move(callbacks.on_close)](Connection<C>& connection,
                                                                          std::error_code reason) {
      if (on_close) on_close(connection, reason);
      remove(connection);
    };
    return callbacks;
  }

  void remove(Connection<C>& connection) {
    // The last connection moves into the leaving one's slot. (The leaving one is in its
    // on_close, and the handler running that still holds it.)
    const std::uint32_t slot = connection.manager_slot_;
    if (slot + 1 != live_.size()) {
      live_[slot] = std::move(live_.back());
      live_[slot]->manager_slot_ = slot;
    }
    live_.pop_back();
    if (stopping_ && live_.empty()) deadline_.cancel();  // nothing left to wait for
  }

  // [sweep]
  void sweep_later() {
    if (sleep_after_.count() <= 0) return;
    sweeping_ = true;
    sweep_.expires_after(sleep_after_);
    sweep_.async_wait([this](std::error_code error) {
      sweeping_ = false;
      // The sweep stops with the last connection, so that an idle thread holds no timer.
      if (error || stopping_ || live_.empty()) return;
      for (const auto& connection : live_) connection->sleep_if_idle();
      sweep_later();
    });
  }
  // [sweep]

  const std::shared_ptr<const Callbacks<C>> callbacks_;
  // Each knows its index (Connection::manager_slot_): adding and removing are O(1), and a
  // connection costs one pointer here, not a hash node.
  std::vector<Pointer> live_;
  asio::steady_timer deadline_;
  asio::steady_timer sweep_;  // puts idle connections to sleep
  const std::chrono::milliseconds sleep_after_;
  bool sweeping_ = false;
  bool stopping_ = false;
};

}  // namespace mc::net::detail
