#include "mc/server/connection_registry.hpp"

#include <algorithm>

namespace mc::server {

ConnectionRegistry::ConnectionRegistry(std::size_t threads)
    : threads_(std::max<std::size_t>(threads, 1)),
      commands_(std::make_unique<ThreadCommands[]>(threads_)) {}

bool ConnectionRegistry::add(ConnectionInfo& info, RelTime now, std::size_t limit) {
  std::lock_guard lock(mutex_);
  if (open_ >= limit) {
    ++rejected_;
    return false;
  }
  ++total_;
  ++open_;
  info.last_command.store(now, std::memory_order_relaxed);
  info.previous_ = newest_;
  info.next_ = nullptr;
  if (newest_ != nullptr) {
    newest_->next_ = &info;
  } else {
    oldest_ = &info;
  }
  newest_ = &info;
  return true;
}

void ConnectionRegistry::remove(ConnectionInfo& info, bool idle_kick) {
  std::lock_guard lock(mutex_);
  if (idle_kick) ++idle_kicks_;
  closed_bytes_read_ += info.io->bytes_read.load(std::memory_order_relaxed);
  closed_bytes_written_ += info.io->bytes_written.load(std::memory_order_relaxed);
  closed_yields_ += info.io->yields.load(std::memory_order_relaxed);
  if (info.previous_ != nullptr) {
    info.previous_->next_ = info.next_;
  } else {
    oldest_ = info.next_;
  }
  if (info.next_ != nullptr) {
    info.next_->previous_ = info.previous_;
  } else {
    newest_ = info.previous_;
  }
  info.previous_ = info.next_ = nullptr;
  --open_;
}

ConnectionRegistry::Totals ConnectionRegistry::totals() const {
  std::lock_guard lock(mutex_);
  Totals totals{.current = open_,
                .total = total_,
                .rejected = rejected_,
                .idle_kicks = idle_kicks_,
                .bytes_read = closed_bytes_read_,
                .bytes_written = closed_bytes_written_,
                .yields = closed_yields_,
                .commands = {}};
  for (const ConnectionInfo* info = oldest_; info != nullptr; info = info->next_) {
    totals.bytes_read += info->io->bytes_read.load(std::memory_order_relaxed);
    totals.bytes_written += info->io->bytes_written.load(std::memory_order_relaxed);
    totals.yields += info->io->yields.load(std::memory_order_relaxed);
  }
  for (std::size_t thread = 0; thread < threads_; ++thread)
    totals.commands += commands_[thread].stats;
  return totals;
}

void ConnectionRegistry::reset() {
  std::lock_guard lock(mutex_);
  idle_kicks_ = 0;  // a per-thread counter in memcached, and those are reset
  for (std::size_t thread = 0; thread < threads_; ++thread) {
    // Owned by the I/O threads; a bump racing with this may survive, as in memcached.
    CommandStats& stats = commands_[thread].stats;
    stats.cmd_flush.store(0, std::memory_order_relaxed);
    stats.cmd_meta.store(0, std::memory_order_relaxed);
    stats.store_too_large.store(0, std::memory_order_relaxed);
    stats.store_no_memory.store(0, std::memory_order_relaxed);
  }
}

}  // namespace mc::server
