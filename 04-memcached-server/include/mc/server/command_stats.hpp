/// \file
/// \brief The few `stats` counters that belong to connections rather than to the store.

#pragma once

#include <atomic>
#include <cstdint>

#include "mc/common/counter.hpp"

namespace mc::server {

/// \brief Counters one connection keeps. Only the connection's thread writes them; `stats` reads
/// them from any thread, so they are atomics, bumped with common::bump() (one writer: a
/// relaxed load and store, no locked read-modify-write).
struct CommandStats {
  std::atomic<std::uint64_t> cmd_flush{0};        ///< flush_all commands
  std::atomic<std::uint64_t> cmd_meta{0};         ///< meta commands
  std::atomic<std::uint64_t> store_too_large{0};  ///< values refused as too large
  std::atomic<std::uint64_t> store_no_memory{0};  ///< values refused for lack of memory
};

/// \brief Plain totals of CommandStats over many connections.
struct CommandTotals {
  std::uint64_t cmd_flush = 0;        ///< flush_all commands
  std::uint64_t cmd_meta = 0;         ///< meta commands
  std::uint64_t store_too_large = 0;  ///< values refused as too large
  std::uint64_t store_no_memory = 0;  ///< values refused for lack of memory

  /// \brief Adds one connection's counters.
  CommandTotals& operator+=(const CommandStats& stats) {
    cmd_flush += stats.cmd_flush.load(std::memory_order_relaxed);
    cmd_meta += stats.cmd_meta.load(std::memory_order_relaxed);
    store_too_large += stats.store_too_large.load(std::memory_order_relaxed);
    store_no_memory += stats.store_no_memory.load(std::memory_order_relaxed);
    return *this;
  }
};

}  // namespace mc::server
