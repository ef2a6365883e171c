/// \file
/// \brief What every connection of one server shares: settings, clock, store and counters.

#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "mc/server/clock.hpp"
#include "mc/server/connection_registry.hpp"
#include "mc/server/settings.hpp"
#include "mc/server/sharded_store.hpp"

namespace mc::server {

/// \brief The state of one running server, shared by the handlers of all its connections.
struct ServerContext {
  /// \brief Builds the store from `settings`.
  explicit ServerContext(const Settings& settings);

  const Settings settings;  ///< what the command line asked for
  Clock clock;              ///< ticked once a second by the server
  const RelTime started;    ///< clock time at startup, for `uptime`
  /// \brief The port actually listened on: known only once the listener is bound, after
  /// the I/O threads have started, and read by them (`stats settings`, `stats conns`).
  std::atomic<std::uint16_t> port = 0;
  ShardedStore store;                     ///< the cache
  ConnectionRegistry connections;         ///< every open connection, for `stats` and `stats conns`
  std::atomic<std::size_t> memory_limit;  ///< `limit_maxbytes`; cache_memlimit changes it
  std::function<void()> shutdown;         ///< asks the server to stop (the `shutdown` command)
};

}  // namespace mc::server
