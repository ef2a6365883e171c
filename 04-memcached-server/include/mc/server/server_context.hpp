/// \file
/// \brief What every connection of one server shares: settings, clock, store and counters.

#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include "mc/server/clock.hpp"
#include "mc/server/command_latency.hpp"
#include "mc/server/connection_registry.hpp"
#include "mc/server/settings.hpp"
#include "mc/server/sharded_store.hpp"

namespace mc::server {

/// \brief The state of one running server, shared by the handlers of all its connections.
///
/// Built before the server's threads start, and read-only after: what changes at run time
/// guards itself (the clock and the memory limit are atomic, the store's shards and the
/// connection registry have their own locks).
class ServerContext {
 public:
  /// \brief Builds the store from `settings`, for a server listening on `port` (the port
  /// actually bound, which `-p 0` leaves to the kernel). `shutdown` asks the server to stop;
  /// `accept_pauses`, if given, is where the accept loop counts its pauses.
  ServerContext(const Settings& settings, std::uint16_t port, std::function<void()> shutdown = {},
                const std::atomic<std::uint64_t>* accept_pauses = nullptr);

  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  /// \brief What the command line asked for.
  const Settings& settings() const { return settings_; }
  /// \brief The port listened on (`stats settings`, `stats conns`).
  std::uint16_t port() const { return port_; }
  /// \brief Clock time at startup, for `uptime`.
  RelTime started() const { return started_; }
  /// \brief The clock, ticked once a second by the server.
  Clock& clock() { return clock_; }
  /// \brief The clock, for reading.
  const Clock& clock() const { return clock_; }
  /// \brief The cache: the handler reaches the engine through it (see ShardedStore).
  ShardedStore& store() { return store_; }
  /// \brief Every open connection, for `stats` and `stats conns`.
  ConnectionRegistry& connections() { return connections_; }
  /// \brief `limit_maxbytes`, in bytes.
  std::size_t memory_limit() const { return memory_limit_.load(std::memory_order_relaxed); }
  /// \brief `cache_memlimit`: applies a new memory limit to the store; false if it cannot.
  bool set_memory_limit(std::size_t bytes);
  /// \brief Times accepting paused for lack of file descriptors (`listen_disabled_num`).
  std::uint64_t accept_pauses() const {
    return accept_pauses_ != nullptr ? accept_pauses_->load(std::memory_order_relaxed) : 0;
  }
  /// \brief The per-command latency histograms, kept only when metrics are served
  /// (`-o metrics_port`); null otherwise, so that a server without them reads no clock.
  LatencyRecorder* latencies() { return latencies_.get(); }
  /// \brief The `shutdown` command: asks the server to stop (if it was given a way to).
  void request_shutdown() const {
    if (shutdown_) shutdown_();
  }

 private:
  const Settings settings_;
  const std::uint16_t port_;
  Clock clock_;
  const RelTime started_;
  ShardedStore store_;
  ConnectionRegistry connections_;
  std::atomic<std::size_t> memory_limit_;  // cache_memlimit changes it
  const std::function<void()> shutdown_;
  const std::atomic<std::uint64_t>* const accept_pauses_;
  const std::unique_ptr<LatencyRecorder> latencies_;
};

}  // namespace mc::server
