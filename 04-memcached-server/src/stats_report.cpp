#include "mc/server/stats_report.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <map>

#include "mc/codec/reply_text.hpp"
#include "mc/server/version.hpp"

namespace mc::server {
namespace {

std::string seconds_and_micros(const timeval& time) {
  return fmt::format("{}.{:06}", time.tv_sec, time.tv_usec);
}

}  // namespace

StoreStats sum_store_stats(ServerContext& context) {
  StoreStats sum;
  context.store().for_each([&](const Store& store) { sum += store.stats(); });
  return sum;
}

std::map<std::size_t, SlabClassStats> sum_slab_stats(ServerContext& context) {
  std::map<std::size_t, SlabClassStats> classes;
  context.store().for_each([&](const Store& store) {
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

std::string general_stats(ServerContext& context) {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  const auto connections = context.connections().totals();
  const StoreStats store = sum_store_stats(context);
  std::size_t hash_bytes = 0;
  context.store().for_each([&](const Store& s) { hash_bytes += s.hash_table_bytes(); });

  codec::StatsText out;
  out.add("pid", ::getpid());
  out.add("uptime", context.clock().now() - context.started());
  out.add("time", context.clock().unix_time());
  out.add("version", kVersion);
  out.add("pointer_size", sizeof(void*) * 8);
  out.add("rusage_user", seconds_and_micros(usage.ru_utime));
  out.add("rusage_system", seconds_and_micros(usage.ru_stime));
  out.add("max_connections", context.settings().max_connections);
  out.add("curr_connections", connections.current);
  out.add("total_connections", connections.total);
  out.add("rejected_connections", connections.rejected);
  out.add("connection_structures", connections.current);
  out.add("cmd_get", store.cmd_get);
  out.add("cmd_set", store.cmd_set);
  out.add("cmd_flush", connections.commands.cmd_flush);
  out.add("cmd_touch", store.cmd_touch);
  out.add("cmd_meta", connections.commands.cmd_meta);
  out.add("get_hits", store.get_hits);
  out.add("get_misses", store.get_misses);
  out.add("get_expired", store.get_expired);
  out.add("get_flushed", store.get_flushed);
  out.add("delete_misses", store.delete_misses);
  out.add("delete_hits", store.delete_hits);
  out.add("incr_misses", store.incr_misses);
  out.add("incr_hits", store.incr_hits);
  out.add("decr_misses", store.decr_misses);
  out.add("decr_hits", store.decr_hits);
  out.add("cas_misses", store.cas_misses);
  out.add("cas_hits", store.cas_hits);
  out.add("cas_badval", store.cas_badval);
  out.add("touch_hits", store.touch_hits);
  out.add("touch_misses", store.touch_misses);
  out.add("store_too_large", connections.commands.store_too_large);
  out.add("store_no_memory", connections.commands.store_no_memory);
  out.add("auth_cmds", 0);
  out.add("auth_errors", 0);
  // memcached lists it only when idle connections are closed at all.
  if (context.settings().idle_timeout.count() > 0) out.add("idle_kicks", connections.idle_kicks);
  out.add("bytes_read", connections.bytes_read);
  out.add("bytes_written", connections.bytes_written);
  out.add("limit_maxbytes", context.memory_limit());
  out.add("accepting_conns", 1);
  out.add("listen_disabled_num", context.accept_pauses());
  out.add("time_in_listen_disabled_us", 0);
  out.add("threads", context.settings().net.threads);
  out.add("conn_yields", connections.yields);
  out.add("hash_power_level", 0);
  out.add("hash_bytes", hash_bytes);
  out.add("hash_is_expanding", 0);
  out.add("slabs_moved", store.slabs_moved);
  out.add("segments_evicted", store.segments_evicted);
  out.add("items_kept", store.items_kept);
  out.add("malloc_fails", 0);
  out.add("bytes", store.bytes);
  out.add("curr_items", store.curr_items);
  out.add("total_items", store.total_items);
  out.add("expired_unfetched", store.expired_unfetched);
  out.add("evicted_unfetched", store.evicted_unfetched);
  out.add("evicted_active", 0);
  out.add("evictions", store.evictions);
  out.add("reclaimed", store.reclaimed);
  out.add("crawler_reclaimed", store.crawler_reclaimed);
  out.add("crawler_items_checked", store.crawler_items_checked);
  return out.finish();
}

std::string settings_stats(ServerContext& context) {
  const Settings& s = context.settings();
  const auto yes_no = [](bool on) { return on ? "yes" : "no"; };
  codec::StatsText out;
  out.add("maxbytes", context.memory_limit());
  out.add("maxconns", s.max_connections);
  out.add("tcpport", context.port());  // the real one for -p 0
  out.add("udpport", 0);
  out.add("inter", s.net.listen);
  out.add("verbosity", s.net.verbosity);
  out.add("oldest", 0);
  out.add("evictions", s.evictions ? "on" : "off");
  out.add("domain_socket", "NULL");
  out.add("umask", 700);
  out.add("shutdown_command", yes_no(s.shutdown_enabled));
  out.add("growth_factor", "1.125");
  out.add("chunk_size", 8);
  out.add("num_threads", s.net.threads);
  out.add("num_threads_per_udp", s.net.threads);
  out.add("stat_key_prefix", ":");
  out.add("detail_enabled", "no");
  out.add("reqs_per_event", s.reqs_per_event);
  out.add("cas_enabled", yes_no(s.cas_enabled));
  out.add("tcp_backlog", s.listen_backlog);
  out.add("binding_protocol", "ascii");
  out.add("auth_enabled_sasl", "no");
  out.add("auth_enabled_ascii", "no");
  out.add("item_size_max", s.item_size_max);
  out.add("maxconns_fast", "yes");
  out.add("hashpower_init", 0);
  out.add("flush_enabled", yes_no(s.flush_enabled));
  out.add("idle_timeout", s.idle_timeout.count());
  // -Z and -o ssl_*, under memcached's names; "NULL" where memcached has no value either.
  const auto or_null = [](const std::string& text) -> std::string_view {
    return text.empty() ? std::string_view("NULL") : std::string_view(text);
  };
  constexpr std::array kTlsVersions{"tlsv1.0", "tlsv1.1", "tlsv1.2", "tlsv1.3"};
  out.add("ssl_enabled", yes_no(s.tls.enabled));
  out.add("ssl_chain_cert", or_null(s.tls.chain_cert));
  out.add("ssl_key", or_null(s.tls.key));
  out.add("ssl_verify_mode", s.tls.verify_mode);
  out.add("ssl_keyformat", s.tls.key_format);
  out.add("ssl_ciphers", or_null(s.tls.ciphers));
  out.add("ssl_ca_cert", or_null(s.tls.ca_cert));
  out.add("ssl_wbuf_size", 16384);  // the record buffer replies are gathered into
  out.add("ssl_session_cache", yes_no(s.tls.session_cache));
  out.add("ssl_kernel_tls", "no");
  out.add("ssl_min_version", kTlsVersions.at(static_cast<std::size_t>(s.tls.min_version)));
  out.add("shards", context.store().size());
  return out.finish();
}

std::string items_stats(ServerContext& context) {
  codec::StatsText out;
  for (const auto& [id, s] : sum_slab_stats(context)) {
    if (s.number == 0) continue;
    const auto field = [&](std::string_view name, std::uint64_t value) {
      out.add(fmt::format("items:{}:{}", id, name), value);
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
  return out.finish();
}

std::string slabs_stats(ServerContext& context) {
  // The segment store has no pages per class: each class shows its items as memcached would
  // hold them (whole chunks, pages rounded up), and total_malloced the memory really in use.
  codec::StatsText out;
  std::size_t active = 0;
  for (const auto& [id, s] : sum_slab_stats(context)) {
    if (s.number == 0) continue;
    ++active;
    const std::uint64_t pages = (s.number + s.slab.chunks_per_page - 1) / s.slab.chunks_per_page;
    const std::uint64_t total_chunks = pages * s.slab.chunks_per_page;
    const auto field = [&](std::string_view name, std::uint64_t value) {
      out.add(fmt::format("{}:{}", id, name), value);
    };
    field("chunk_size", s.slab.chunk_size);
    field("chunks_per_page", s.slab.chunks_per_page);
    field("total_pages", pages);
    field("total_chunks", total_chunks);
    field("used_chunks", s.number);
    field("free_chunks", total_chunks - s.number);
    field("free_chunks_end", 0);
  }
  out.add("active_slabs", active);
  out.add("total_malloced", context.store().memory_in_use());
  return out.finish();
}

std::string conns_stats(ServerContext& context) {
  codec::StatsText out;
  const RelTime now = context.clock().now();
  context.connections().for_each([&](const ConnectionInfo& info) {
    const auto name = [&](std::string_view field) { return fmt::format("{}:{}", info.fd, field); };
    out.add(name("addr"),
            fmt::format("tcp:{}:{}", info.peer->address().to_string(), info.peer->port()));
    out.add(name("listen_addr"),
            fmt::format("tcp:{}:{}", context.settings().net.listen, context.port()));
    out.add(name("state"), "conn_parse_cmd");
    out.add(name("secs_since_last_cmd"), now - info.last_command.load(std::memory_order_relaxed));
  });
  return out.finish();
}

void reset_stats(ServerContext& context) {
  context.store().for_each([](Store& store) { store.reset_stats(); });
  context.connections().reset();
}

}  // namespace mc::server
