#include "mc/server/stats_report.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <iterator>
#include <map>

#include "mc/server/version.hpp"

namespace mc::server {
namespace {

// Appends "STAT <name> <value>\r\n".
template <typename Value>
void stat(std::string& out, std::string_view name, const Value& value) {
  fmt::format_to(std::back_inserter(out), "STAT {} {}\r\n", name, value);
}

std::string seconds_and_micros(const timeval& time) {
  return fmt::format("{}.{:06}", time.tv_sec, time.tv_usec);
}

StoreStats sum_store_stats(ServerContext& context) {
  StoreStats sum;
  context.store.for_each([&](const Store& store) { sum += store.stats(); });
  return sum;
}

// Per memcached size class, summed over shards.
std::map<std::size_t, SlabClassStats> sum_slab_stats(ServerContext& context) {
  std::map<std::size_t, SlabClassStats> classes;
  context.store.for_each([&](const Store& store) {
    const auto per_class = store.slab_stats();
    for (std::size_t id = 0; id < per_class.size(); ++id) {
      const auto& s = per_class[id];
      if (s.number == 0 && s.evicted == 0 && s.outofmemory == 0) continue;
      auto& sum = classes[id + 1];  // memcached numbers its classes from 1
      sum.slab.chunk_size = s.slab.chunk_size;
      sum.slab.chunks_per_page = s.slab.chunks_per_page;
      sum.number += s.number;
      sum.mem_requested += s.mem_requested;
      sum.evicted += s.evicted;
      sum.evicted_unfetched += s.evicted_unfetched;
      sum.expired_unfetched += s.expired_unfetched;
      sum.reclaimed += s.reclaimed;
      sum.crawler_reclaimed += s.crawler_reclaimed;
      sum.outofmemory += s.outofmemory;
    }
  });
  return classes;
}

}  // namespace

std::string general_stats(ServerContext& context) {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto connections = context.connections.totals();
  const StoreStats store = sum_store_stats(context);
  std::size_t hash_bytes = 0;
  context.store.for_each([&](const Store& s) { hash_bytes += s.hash_table_bytes(); });

  std::string out;
  stat(out, "pid", ::getpid());
  stat(out, "uptime", context.clock.now() - context.started);
  stat(out, "time", context.clock.unix_time());
  stat(out, "version", kVersion);
  stat(out, "pointer_size", sizeof(void*) * 8);
  stat(out, "rusage_user", seconds_and_micros(usage.ru_utime));
  stat(out, "rusage_system", seconds_and_micros(usage.ru_stime));
  stat(out, "max_connections", context.settings.max_connections);
  stat(out, "curr_connections", connections.current);
  stat(out, "total_connections", connections.total);
  stat(out, "rejected_connections", connections.rejected);
  stat(out, "connection_structures", connections.current);
  stat(out, "cmd_get", store.cmd_get);
  stat(out, "cmd_set", store.cmd_set);
  stat(out, "cmd_flush", connections.commands.cmd_flush);
  stat(out, "cmd_touch", store.cmd_touch);
  stat(out, "cmd_meta", connections.commands.cmd_meta);
  stat(out, "get_hits", store.get_hits);
  stat(out, "get_misses", store.get_misses);
  stat(out, "get_expired", store.get_expired);
  stat(out, "get_flushed", store.get_flushed);
  stat(out, "delete_misses", store.delete_misses);
  stat(out, "delete_hits", store.delete_hits);
  stat(out, "incr_misses", store.incr_misses);
  stat(out, "incr_hits", store.incr_hits);
  stat(out, "decr_misses", store.decr_misses);
  stat(out, "decr_hits", store.decr_hits);
  stat(out, "cas_misses", store.cas_misses);
  stat(out, "cas_hits", store.cas_hits);
  stat(out, "cas_badval", store.cas_badval);
  stat(out, "touch_hits", store.touch_hits);
  stat(out, "touch_misses", store.touch_misses);
  stat(out, "store_too_large", connections.commands.store_too_large);
  stat(out, "store_no_memory", connections.commands.store_no_memory);
  stat(out, "auth_cmds", 0);
  stat(out, "auth_errors", 0);
  stat(out, "bytes_read", connections.bytes_read);
  stat(out, "bytes_written", connections.bytes_written);
  stat(out, "limit_maxbytes", context.memory_limit.load(std::memory_order_relaxed));
  stat(out, "accepting_conns", 1);
  stat(out, "listen_disabled_num", 0);
  stat(out, "time_in_listen_disabled_us", 0);
  stat(out, "threads", context.settings.net.threads);
  stat(out, "conn_yields", 0);
  stat(out, "hash_power_level", 0);
  stat(out, "hash_bytes", hash_bytes);
  stat(out, "hash_is_expanding", 0);
  stat(out, "slabs_moved", store.slabs_moved);
  stat(out, "segments_evicted", store.segments_evicted);
  stat(out, "items_kept", store.items_kept);
  stat(out, "malloc_fails", 0);
  stat(out, "bytes", store.bytes);
  stat(out, "curr_items", store.curr_items);
  stat(out, "total_items", store.total_items);
  stat(out, "expired_unfetched", store.expired_unfetched);
  stat(out, "evicted_unfetched", store.evicted_unfetched);
  stat(out, "evicted_active", 0);
  stat(out, "evictions", store.evictions);
  stat(out, "reclaimed", store.reclaimed);
  stat(out, "crawler_reclaimed", store.crawler_reclaimed);
  stat(out, "crawler_items_checked", store.crawler_items_checked);
  out += "END\r\n";
  return out;
}

std::string settings_stats(ServerContext& context) {
  const Settings& s = context.settings;
  const auto yes_no = [](bool on) { return on ? "yes" : "no"; };
  std::string out;
  stat(out, "maxbytes", context.memory_limit.load(std::memory_order_relaxed));
  stat(out, "maxconns", s.max_connections);
  stat(out, "tcpport", context.port.load(std::memory_order_relaxed));  // the real one for -p 0
  stat(out, "udpport", 0);
  stat(out, "inter", s.net.listen);
  stat(out, "verbosity", s.net.verbosity);
  stat(out, "oldest", 0);
  stat(out, "evictions", s.evictions ? "on" : "off");
  stat(out, "domain_socket", "NULL");
  stat(out, "umask", 700);
  stat(out, "shutdown_command", yes_no(s.shutdown_enabled));
  stat(out, "growth_factor", "1.125");
  stat(out, "chunk_size", 8);
  stat(out, "num_threads", s.net.threads);
  stat(out, "num_threads_per_udp", s.net.threads);
  stat(out, "stat_key_prefix", ":");
  stat(out, "detail_enabled", "no");
  stat(out, "reqs_per_event", s.reqs_per_event);
  stat(out, "cas_enabled", yes_no(s.cas_enabled));
  stat(out, "tcp_backlog", s.listen_backlog);
  stat(out, "binding_protocol", "ascii");
  stat(out, "auth_enabled_sasl", "no");
  stat(out, "auth_enabled_ascii", "no");
  stat(out, "item_size_max", s.item_size_max);
  stat(out, "maxconns_fast", "yes");
  stat(out, "hashpower_init", 0);
  stat(out, "flush_enabled", yes_no(s.flush_enabled));
  stat(out, "idle_timeout", s.idle_timeout.count());
  stat(out, "shards", context.store.size());
  out += "END\r\n";
  return out;
}

std::string items_stats(ServerContext& context) {
  std::string out;
  for (const auto& [id, s] : sum_slab_stats(context)) {
    if (s.number == 0) continue;
    const auto field = [&](std::string_view name, std::uint64_t value) {
      fmt::format_to(std::back_inserter(out), "STAT items:{}:{} {}\r\n", id, name, value);
    };
    field("number", s.number);
    field("mem_requested", s.mem_requested);
    field("evicted", s.evicted);
    field("outofmemory", s.outofmemory);
    field("reclaimed", s.reclaimed);
    field("expired_unfetched", s.expired_unfetched);
    field("evicted_unfetched", s.evicted_unfetched);
    field("crawler_reclaimed", s.crawler_reclaimed);
  }
  out += "END\r\n";
  return out;
}

std::string slabs_stats(ServerContext& context) {
  // The segment store has no pages per class: each class shows its items as memcached would
  // hold them (whole chunks, pages rounded up), and total_malloced the memory really in use.
  std::string out;
  std::size_t active = 0;
  for (const auto& [id, s] : sum_slab_stats(context)) {
    if (s.number == 0) continue;
    ++active;
    const std::uint64_t pages = (s.number + s.slab.chunks_per_page - 1) / s.slab.chunks_per_page;
    const std::uint64_t total_chunks = pages * s.slab.chunks_per_page;
    const auto field = [&](std::string_view name, std::uint64_t value) {
      fmt::format_to(std::back_inserter(out), "STAT {}:{} {}\r\n", id, name, value);
    };
    field("chunk_size", s.slab.chunk_size);
    field("chunks_per_page", s.slab.chunks_per_page);
    field("total_pages", pages);
    field("total_chunks", total_chunks);
    field("used_chunks", s.number);
    field("free_chunks", total_chunks - s.number);
    field("free_chunks_end", 0);
  }
  stat(out, "active_slabs", active);
  stat(out, "total_malloced", context.store.pool().memory_in_use());
  out += "END\r\n";
  return out;
}

std::string conns_stats(ServerContext& context) {
  std::string out;
  const RelTime now = context.clock.now();
  context.connections.for_each([&](const ConnectionInfo& info) {
    fmt::format_to(std::back_inserter(out), "STAT {}:addr tcp:{}\r\n", info.fd, info.peer);
    fmt::format_to(std::back_inserter(out), "STAT {}:listen_addr tcp:{}:{}\r\n", info.fd,
                   context.settings.net.listen, context.port.load(std::memory_order_relaxed));
    fmt::format_to(std::back_inserter(out), "STAT {}:state conn_parse_cmd\r\n", info.fd);
    fmt::format_to(std::back_inserter(out), "STAT {}:secs_since_last_cmd {}\r\n", info.fd,
                   now - info.last_command.load(std::memory_order_relaxed));
  });
  out += "END\r\n";
  return out;
}

void reset_stats(ServerContext& context) {
  context.store.for_each([](Store& store) { store.reset_stats(); });
  context.connections.reset();
}

}  // namespace mc::server
