/// \file
/// \brief Every open client connection, for `stats`, `stats conns` and the `-c` limit.

#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>

#include "mc/net/connection_stats.hpp"
#include "mc/server/clock.hpp"
#include "mc/server/command_stats.hpp"

namespace mc::server {

/// \brief What the registry knows about one connection.
struct ConnectionInfo {
  int fd = -1;                               ///< the socket's descriptor (memcached's conn id)
  std::string peer;                          ///< `127.0.0.1:PORT`
  const net::ConnectionStats* io = nullptr;  ///< the connection's own byte counters
  std::atomic<RelTime> last_command{0};      ///< clock time of the last request
  CommandStats commands;                     ///< the connection's command counters
};

/// \brief The registry. Connections come and go on every I/O thread and `stats` reads them
/// from any thread; that happens once per connection, not per request, so a mutex is the
/// simple and cheap choice here.
class ConnectionRegistry {
 public:
  /// \brief A registered connection; keep the iterator to remove it.
  using Entry = std::list<ConnectionInfo>::iterator;

  /// \brief Registers a connection. Returns nothing (and counts a rejection) when `limit`
  /// connections are open already.
  std::optional<Entry> add(int fd, std::string peer, const net::ConnectionStats& io, RelTime now,
                           std::size_t limit);

  /// \brief Unregisters a connection, keeping its byte counts in the totals; `idle_kick`:
  /// it was closed for being idle too long (`-o idle_timeout`).
  void remove(Entry entry, bool idle_kick = false);

  /// \brief Calls `visit(const ConnectionInfo&)` for each open connection, under the lock.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    std::lock_guard lock(mutex_);
    for (const auto& info : open_) visit(info);
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
    CommandTotals commands;           ///< command counters, open and closed connections
  };

  /// \brief The totals now.
  Totals totals() const;

 private:
  mutable std::mutex mutex_;
  std::list<ConnectionInfo> open_;
  std::uint64_t total_ = 0;
  std::uint64_t rejected_ = 0;
  std::uint64_t idle_kicks_ = 0;
  std::uint64_t closed_bytes_read_ = 0;
  std::uint64_t closed_bytes_written_ = 0;
  std::uint64_t closed_yields_ = 0;
  CommandTotals closed_commands_;
};

}  // namespace mc::server
