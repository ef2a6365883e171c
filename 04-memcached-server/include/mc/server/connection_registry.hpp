/// \file
/// \brief Every open client connection, for `stats`, `stats conns` and the `-c` limit.

#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include <asio/ip/tcp.hpp>

#include "mc/net/connection_stats.hpp"
#include "mc/server/clock.hpp"
#include "mc/server/command_stats.hpp"

namespace mc::server {

/// \brief What the registry knows about one connection. It lives inside the connection's own
/// state and is linked into the registry's list, so registering a connection allocates
/// nothing (an idle connection is mostly bookkeeping; chapter 2 counts its bytes).
struct ConnectionInfo {
  int fd = -1;                                    ///< the socket's descriptor (memcached's conn id)
  std::atomic<RelTime> last_command{0};           ///< clock time of the last request
  const asio::ip::tcp::endpoint* peer = nullptr;  ///< the client's address
  const net::ConnectionStats* io = nullptr;       ///< the connection's own byte counters

 private:
  friend class ConnectionRegistry;
  ConnectionInfo* previous_ = nullptr;  // the registry's list: older, and newer, connections
  ConnectionInfo* next_ = nullptr;
};

/// \brief The registry. Connections come and go on every I/O thread and `stats` reads them
/// from any thread; that happens once per connection, not per request, so a mutex is the
/// simple and cheap choice here.
class ConnectionRegistry {
 public:
  /// \brief A registry for a server with `threads` I/O threads.
  explicit ConnectionRegistry(std::size_t threads);

  /// \brief The command counters of I/O thread `thread` (0 ... threads - 1), which only that
  /// thread writes.
  CommandStats& commands(std::size_t thread) {
    assert(thread < threads_);
    return commands_[thread].stats;
  }

  /// \brief Registers a connection, whose `info` must stay where it is until remove(). Returns
  /// false (and counts a rejection) when `limit` connections are open already.
  bool add(ConnectionInfo& info, RelTime now, std::size_t limit);

  /// \brief Unregisters a connection, keeping its byte counts in the totals; `idle_kick`:
  /// it was closed for being idle too long (`-o idle_timeout`).
  void remove(ConnectionInfo& info, bool idle_kick = false);

  /// \brief Calls `visit(const ConnectionInfo&)` for each open connection, oldest first,
  /// under the lock.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    std::lock_guard lock(mutex_);
    for (const ConnectionInfo* info = oldest_; info != nullptr; info = info->next_) visit(*info);
  }

  /// \brief Zeroes the counters `stats reset` resets (not the connection counts).
  void reset();

  /// \brief Totals for `stats`.
  struct Totals {
    std::uint64_t current = 0;        ///< curr_connections
    std::uint64_t total = 0;          ///< total_connections
    std::uint64_t rejected = 0;       ///< rejected_connections
    std::uint64_t idle_kicks = 0;     ///< idle_kicks
    std::uint64_t bytes_read = 0;     ///< bytes_read, open and closed connections
    std::uint64_t bytes_written = 0;  ///< bytes_written, open and closed connections
    std::uint64_t yields = 0;         ///< conn_yields: turns given up for `-R`
    CommandTotals commands;           ///< command counters of every thread
  };

  /// \brief The totals now.
  Totals totals() const;

 private:
  // Per thread, as memcached keeps them, each on its own cache line; per connection, they
  // would cost every idle connection 32 bytes.
  struct alignas(64) ThreadCommands {
    CommandStats stats;
  };
  const std::size_t threads_;
  const std::unique_ptr<ThreadCommands[]> commands_;

  mutable std::mutex mutex_;
  ConnectionInfo* oldest_ = nullptr;  // a doubly linked list through the entries themselves
  ConnectionInfo* newest_ = nullptr;
  std::size_t open_ = 0;
  std::uint64_t total_ = 0;
  std::uint64_t rejected_ = 0;
  std::uint64_t idle_kicks_ = 0;
  std::uint64_t closed_bytes_read_ = 0;
  std::uint64_t closed_bytes_written_ = 0;
  std::uint64_t closed_yields_ = 0;
};

}  // namespace mc::server
