#include "mc/server/metrics_report.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <string_view>

#include "mc/server/prometheus_text.hpp"
#include "mc/server/stats_report.hpp"
#include "mc/server/version.hpp"

namespace mc::server {
namespace {

using Type = MetricType;

double seconds(const timeval& time) {
  return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
}

// One family with one unlabelled sample: most of `stats`.
template <typename Value>
void single(PrometheusText& out, std::string_view name, Type type, std::string_view help,
            Value value) {
  out.family(name, type, help);
  out.sample(name, {}, value);
}

// memcached_commands_total{command,status}, derived from `stats` as memcached_exporter does.
void commands(PrometheusText& out, const StoreStats& s, const CommandTotals& c) {
  constexpr std::string_view kName = "memcached_commands_total";
  out.family(kName, Type::kCounter,
             "Total number of all requests broken down by command (get, set, etc.) and status.");
  const auto hit_miss = [&](std::string_view command, std::uint64_t hits, std::uint64_t misses) {
    out.sample(kName, {{"command", command}, {"status", "hit"}}, hits);
    out.sample(kName, {{"command", command}, {"status", "miss"}}, misses);
  };
  hit_miss("get", s.get_hits, s.get_misses);
  hit_miss("delete", s.delete_hits, s.delete_misses);
  hit_miss("incr", s.incr_hits, s.incr_misses);
  hit_miss("decr", s.decr_hits, s.decr_misses);
  hit_miss("cas", s.cas_hits, s.cas_misses);
  hit_miss("touch", s.touch_hits, s.touch_misses);
  out.sample(kName, {{"command", "cas"}, {"status", "badval"}}, s.cas_badval);
  out.sample(kName, {{"command", "flush"}, {"status", "hit"}}, c.cmd_flush);
  // cmd_set counts cas too, as memcached's does; the exporter takes them out.
  const std::uint64_t cas = s.cas_hits + s.cas_misses + s.cas_badval;
  out.sample(kName, {{"command", "set"}, {"status", "hit"}}, s.cmd_set - std::min(cas, s.cmd_set));
}

void exporter_families(PrometheusText& out, ServerContext& context, const StoreStats& s,
                       const ConnectionRegistry::Totals& conns) {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  single(out, "memcached_up", Type::kGauge, "Could the memcached server be reached.",
         std::uint64_t{1});
  // A gauge, not a counter: promtool wants counters named _total, and the exporter's name is
  // what dashboards query.
  single(out, "memcached_uptime_seconds", Type::kGauge,
         "Number of seconds since the server started.",
         std::uint64_t{context.clock().now() - context.started()});
  single(out, "memcached_time_seconds", Type::kGauge, "current UNIX time according to the server.",
         static_cast<std::uint64_t>(context.clock().unix_time()));
  out.family("memcached_version", Type::kGauge, "The version of this memcached server.");
  out.sample("memcached_version", {{"version", kVersion}}, std::uint64_t{1});
  single(out, "memcached_process_user_cpu_seconds_total", Type::kCounter,
         "Accumulated user time for this process.", seconds(usage.ru_utime));
  single(out, "memcached_process_system_cpu_seconds_total", Type::kCounter,
         "Accumulated system time for this process.", seconds(usage.ru_stime));
  single(out, "memcached_read_bytes_total", Type::kCounter,
         "Total number of bytes read by this server from network.", conns.bytes_read);
  single(out, "memcached_written_bytes_total", Type::kCounter,
         "Total number of bytes sent by this server to network.", conns.bytes_written);
  single(out, "memcached_current_connections", Type::kGauge, "Current number of open connections.",
         conns.current);
  single(out, "memcached_max_connections", Type::kGauge, "Maximum number of clients allowed.",
         std::uint64_t{context.settings().max_connections});
  single(out, "memcached_connections_total", Type::kCounter,
         "Total number of connections opened since the server started running.", conns.total);
  single(out, "memcached_connections_rejected_total", Type::kCounter,
         "Total number of connections rejected due to hitting the -c limit.", conns.rejected);
  single(out, "memcached_connections_yielded_total", Type::kCounter,
         "Total number of connections yielded running due to hitting the -R limit.", conns.yields);
  single(out, "memcached_connections_listener_disabled_total", Type::kCounter,
         "Number of times the server ran out of file descriptors and paused its listener.",
         context.accept_pauses());
  single(out, "memcached_accepting_connections", Type::kGauge,
         "The server is currently accepting new connections.", std::uint64_t{1});
  single(out, "memcached_current_bytes", Type::kGauge,
         "Current number of bytes used to store items.", s.bytes);
  single(out, "memcached_limit_bytes", Type::kGauge,
         "Number of bytes this server is allowed to use for storage.",
         std::uint64_t{context.memory_limit()});
  single(out, "memcached_malloced_bytes", Type::kGauge,
         "Number of bytes of memory allocated to item storage (segments in use).",
         std::uint64_t{context.store().memory_in_use()});
  commands(out, s, conns.commands);
  single(out, "memcached_current_items", Type::kGauge,
         "Current number of items stored by this instance.", s.curr_items);
  single(out, "memcached_items_total", Type::kCounter,
         "Total number of items stored during the life of this instance.", s.total_items);
  single(out, "memcached_items_evicted_total", Type::kCounter,
         "Total number of valid items removed from cache to free memory for new items.",
         s.evictions);
  single(out, "memcached_items_reclaimed_total", Type::kCounter,
         "Total number of times an entry was stored using memory from an expired entry.",
         s.reclaimed);
  single(out, "memcached_item_too_large_total", Type::kCounter,
         "The number of times an item exceeded the max-item-size when being stored.",
         conns.commands.store_too_large);
  single(out, "memcached_item_no_memory_total", Type::kCounter,
         "The number of times an item could not be stored due to no more memory.",
         conns.commands.store_no_memory);
  single(out, "memcached_lru_crawler_reclaimed_total", Type::kCounter,
         "Total expired items freed by the background sweep.", s.crawler_reclaimed);
  single(out, "memcached_lru_crawler_items_checked_total", Type::kCounter,
         "Total items examined by the background sweep.", s.crawler_items_checked);
}

// `stats items` per size class, under the exporter's memcached_slab_ names.
void slab_families(PrometheusText& out, ServerContext& context) {
  const auto classes = sum_slab_stats(context);
  struct Field {
    std::string_view name;
    Type type;
    std::string_view help;
    std::uint64_t SlabClassStats::*value;
  };
  static constexpr Field kFields[] = {
      {"memcached_slab_current_items", Type::kGauge,
       "Number of items currently stored in this slab class.", &SlabClassStats::number},
      {"memcached_slab_mem_requested_bytes", Type::kGauge,
       "Number of bytes of memory actual items take up within a slab.",
       &SlabClassStats::mem_requested},
      {"memcached_slab_items_evicted_total", Type::kCounter,
       "Total number of times an item had to be evicted before it expired.",
       &SlabClassStats::evicted},
      {"memcached_slab_items_evicted_unfetched_total", Type::kCounter,
       "Total number of items evicted and never fetched.", &SlabClassStats::evicted_unfetched},
      {"memcached_slab_items_expired_unfetched_total", Type::kCounter,
       "Total number of expired items reclaimed which were never touched after being set.",
       &SlabClassStats::expired_unfetched},
      {"memcached_slab_items_outofmemory_total", Type::kCounter,
       "Total number of items for this slab class that have triggered an out of memory error.",
       &SlabClassStats::outofmemory},
      {"memcached_slab_items_reclaimed_total", Type::kCounter, "Total number of items reclaimed.",
       &SlabClassStats::reclaimed},
      {"memcached_slab_items_crawler_reclaimed_total", Type::kCounter,
       "Number of items freed by the background sweep.", &SlabClassStats::crawler_reclaimed},
  };
  for (const Field& field : kFields) {
    out.family(field.name, field.type, field.help);
    for (const auto& [id, stats] : classes) {
      out.sample(field.name, {{"slab", fmt::format("{}", id)}}, stats.*field.value);
    }
  }
}

// `stats` fields the exporter does not read: cppmemcached_ names.
void own_stats_families(PrometheusText& out, ServerContext& context, const StoreStats& s,
                        const ConnectionRegistry::Totals& conns) {
  single(out, "cppmemcached_get_expired_total", Type::kCounter,
         "Gets that missed because the item had expired (get_expired).", s.get_expired);
  single(out, "cppmemcached_get_flushed_total", Type::kCounter,
         "Gets that missed because flush_all had invalidated the item (get_flushed).",
         s.get_flushed);
  single(out, "cppmemcached_meta_commands_total", Type::kCounter, "Meta commands (cmd_meta).",
         conns.commands.cmd_meta);
  single(out, "cppmemcached_idle_kicks_total", Type::kCounter,
         "Connections closed for being idle past -o idle_timeout (idle_kicks).", conns.idle_kicks);
  single(out, "cppmemcached_items_evicted_unfetched_total", Type::kCounter,
         "Evicted items that were never read (evicted_unfetched).", s.evicted_unfetched);
  single(out, "cppmemcached_items_expired_unfetched_total", Type::kCounter,
         "Expired items reclaimed that were never read (expired_unfetched).", s.expired_unfetched);
  single(out, "cppmemcached_segments_evicted_total", Type::kCounter,
         "Segments of memory taken back to make room (segments_evicted).", s.segments_evicted);
  single(out, "cppmemcached_items_kept_total", Type::kCounter,
         "Items read since written, moved out of evicted segments instead of lost (items_kept).",
         s.items_kept);
  single(out, "cppmemcached_threads", Type::kGauge, "I/O threads (-t).",
         std::uint64_t{context.settings().net.threads});
}

// What memcached cannot tell: how long commands take, what connections are doing, and where
// the memory goes.
void latency_families(PrometheusText& out, ServerContext& context) {
  const LatencyRecorder* recorder = context.latencies();
  if (recorder == nullptr) return;
  constexpr std::string_view kName = "cppmemcached_command_duration_seconds";
  static const auto kBounds = [] {
    std::array<double, kLatencyBoundsNs.size()> bounds{};
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      bounds[i] = static_cast<double>(kLatencyBoundsNs[i]) / 1e9;
    }
    return bounds;
  }();
  out.family(kName, Type::kHistogram,
             "Time from a request parsed to its reply queued, by command (the server's own "
             "work: store lookups and locks, not the network).");
  const auto totals = recorder->totals();
  for (std::size_t kind = 0; kind < kCommandKinds; ++kind) {
    const auto& series = totals[kind];
    if (series.count() == 0) continue;  // commands never sent stay out of the scrape
    out.histogram(kName, {{"command", command_name(static_cast<CommandKind>(kind))}}, kBounds,
                  series.buckets, static_cast<double>(series.sum_ns) / 1e9);
  }
}

void connection_state_families(PrometheusText& out, ServerContext& context) {
  std::uint64_t reading = 0;
  std::uint64_t writing = 0;
  std::uint64_t blocked = 0;
  std::uint64_t read_buffers = 0;
  std::uint64_t reply_queues = 0;
  context.connections().for_each([&](const ConnectionInfo& info) {
    const std::size_t queued = info.io->queued_bytes.load(std::memory_order_relaxed);
    if (info.io->reader_paused.load(std::memory_order_relaxed)) {
      ++blocked;
    } else if (queued > 0) {
      ++writing;
    } else {
      ++reading;
    }
    read_buffers += info.io->read_buffer_bytes.load(std::memory_order_relaxed);
    reply_queues += queued;
  });
  constexpr std::string_view kConns = "cppmemcached_connections";
  out.family(kConns, Type::kGauge,
             "Open client connections by state: reading (waiting for requests), writing "
             "(replies queued for a slow reader), blocked (not read until its replies drain, "
             "-o conn_mem_limit).");
  out.sample(kConns, {{"state", "reading"}}, reading);
  out.sample(kConns, {{"state", "writing"}}, writing);
  out.sample(kConns, {{"state", "blocked"}}, blocked);

  std::uint64_t hash_bytes = 0;
  context.store().for_each([&](const Store& s) { hash_bytes += s.hash_table_bytes(); });
  const std::uint64_t items = sum_store_stats(context).bytes;
  const std::uint64_t segments = context.store().memory_in_use();
  constexpr std::string_view kMemory = "cppmemcached_memory_bytes";
  out.family(kMemory, Type::kGauge,
             "Memory by use: item bytes, the rest of the item segments in use, the hash "
             "tables, and connections' read buffers and queued replies.");
  out.sample(kMemory, {{"use", "items"}}, items);
  out.sample(kMemory, {{"use", "segment_free"}}, segments - std::min(items, segments));
  out.sample(kMemory, {{"use", "hash_table"}}, hash_bytes);
  out.sample(kMemory, {{"use", "read_buffers"}}, read_buffers);
  out.sample(kMemory, {{"use", "reply_queues"}}, reply_queues);
}

}  // namespace

std::string metrics_text(ServerContext& context) {
  const StoreStats store = sum_store_stats(context);
  const auto connections = context.connections().totals();
  PrometheusText out;
  exporter_families(out, context, store, connections);
  slab_families(out, context);
  own_stats_families(out, context, store, connections);
  latency_families(out, context);
  connection_state_families(out, context);
  return out.finish();
}

}  // namespace mc::server
