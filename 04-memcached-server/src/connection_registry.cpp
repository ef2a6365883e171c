#include "mc/server/connection_registry.hpp"

namespace mc::server {

std::optional<ConnectionRegistry::Entry> ConnectionRegistry::add(int fd, std::string peer,
                                                                 const net::ConnectionStats& io,
                                                                 RelTime now, std::size_t limit) {
  std::lock_guard lock(mutex_);
  if (open_.size() >= limit) {
    ++rejected_;
    return std::nullopt;
  }
  ++total_;
  auto& info = open_.emplace_back();
  info.fd = fd;
  info.peer = std::move(peer);
  info.io = &io;
  info.last_command.store(now, std::memory_order_relaxed);
  return std::prev(open_.end());
}

void ConnectionRegistry::remove(Entry entry, bool idle_kick) {
  std::lock_guard lock(mutex_);
  if (idle_kick) ++idle_kicks_;
  closed_bytes_read_ += entry->io->bytes_read.load(std::memory_order_relaxed);
  closed_bytes_written_ += entry->io->bytes_written.load(std::memory_order_relaxed);
  closed_yields_ += entry->io->yields.load(std::memory_order_relaxed);
  closed_commands_ += entry->commands;
  open_.erase(entry);
}

ConnectionRegistry::Totals ConnectionRegistry::totals() const {
  std::lock_guard lock(mutex_);
  Totals totals{.current = open_.size(),
                .total = total_,
                .rejected = rejected_,
                .idle_kicks = idle_kicks_,
                .bytes_read = closed_bytes_read_,
                .bytes_written = closed_bytes_written_,
                .yields = closed_yields_,
                .commands = closed_commands_};
  for (const auto& info : open_) {
    totals.bytes_read += info.io->bytes_read.load(std::memory_order_relaxed);
    totals.bytes_written += info.io->bytes_written.load(std::memory_order_relaxed);
    totals.yields += info.io->yields.load(std::memory_order_relaxed);
    totals.commands += info.commands;
  }
  return totals;
}

void ConnectionRegistry::reset() {
  std::lock_guard lock(mutex_);
  closed_commands_ = {};
  idle_kicks_ = 0;  // a per-thread counter in memcached, and those are reset
  for (auto& info : open_) {
    // Owned by the connections' threads; a bump racing with this may survive, as in memcached.
    info.commands.cmd_flush.store(0, std::memory_order_relaxed);
    info.commands.cmd_meta.store(0, std::memory_order_relaxed);
    info.commands.store_too_large.store(0, std::memory_order_relaxed);
    info.commands.store_no_memory.store(0, std::memory_order_relaxed);
  }
}

}  // namespace mc::server
