#include "mc/bench/lookaside.hpp"

#include <algorithm>
#include <charconv>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <asio/post.hpp>

#include "lookaside_connection.hpp"
#include "mc/client/sync_client.hpp"
#include "mc/net/io_context_pool.hpp"

namespace mc::bench {

using detail::Clock;
using detail::LookasideConnection;

void LookasideCounts::merge(const LookasideCounts& other) {
  gets += other.gets;
  hits += other.hits;
  misses += other.misses;
  sets += other.sets;
  set_errors += other.set_errors;
  get_errors += other.get_errors;
  bad_values += other.bad_values;
  warmup_gets += other.warmup_gets;
  const auto add = [](std::vector<std::uint64_t>& to, const std::vector<std::uint64_t>& from) {
    if (to.size() < from.size()) to.resize(from.size());
    for (std::size_t i = 0; i < from.size(); ++i) to[i] += from[i];
  };
  add(phase_gets, other.phase_gets);
  add(phase_hits, other.phase_hits);
}

double LookasideCounts::hit_ratio() const {
  return gets == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(gets);
}

namespace {

std::uint64_t share(std::uint64_t total, unsigned parts, unsigned index) {
  return total / parts + (index < total % parts ? 1 : 0);
}

std::uint64_t number(const std::vector<client::Stat>& stats, std::string_view name) {
  for (const auto& stat : stats) {
    if (stat.name != name) continue;
    std::uint64_t value = 0;
    std::from_chars(stat.value.data(), stat.value.data() + stat.value.size(), value);
    return value;
  }
  return 0;
}

// On a connection of its own, once the load is over: the figures that explain a hit ratio.
std::optional<ServerStats> read_server_stats(const LookasideOptions& options) {
  client::ClusterOptions cluster;
  cluster.session.timeout = cluster.session.connect_timeout = options.timeout;
  client::SyncClient client({client::ServerAddress{"127.0.0.1", options.port}}, cluster);
  const auto stats = client.stats(0);
  if (!stats) return std::nullopt;
  ServerStats server;
  server.curr_items = number(*stats, "curr_items");
  server.bytes = number(*stats, "bytes");
  server.evictions = number(*stats, "evictions");
  server.reclaimed = number(*stats, "reclaimed");
  server.crawler_reclaimed = number(*stats, "crawler_reclaimed");
  server.get_expired = number(*stats, "get_expired");
  server.limit_maxbytes = number(*stats, "limit_maxbytes");
  server.total_items = number(*stats, "total_items");
  server.expired_unfetched = number(*stats, "expired_unfetched");
  server.evicted_unfetched = number(*stats, "evicted_unfetched");
  server.slabs_moved = number(*stats, "slabs_moved");
  server.threads = number(*stats, "threads");
  if (const auto version = client.version(0)) server.version = *version;
  return server;
}

}  // namespace

LookasideResult run_lookaside(const LookasideOptions& options) {
  if (options.requests == 0 && options.duration <= 0) {
    throw std::invalid_argument("give --requests or --duration: the run must end by itself");
  }
  const ZipfSampler zipf(options.keys, options.zipf);
  const KeyProfile profile(options.seed, options.ttl);  // throws if the rule is not one
  // Every value is a prefix of one random text: the first value of a ValueSource that large.
  const ValueSource values(kMaxValueSize, options.seed);
  detail::Countdown finished(options.connections);
  const auto start = Clock::now();
  const auto stop_at = options.duration > 0
                           ? start + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(options.duration))
                           : Clock::time_point::max();
  const detail::LookasideShared shared{.options = options,
                                       .zipf = zipf,
                                       .profile = profile,
                                       .text = values.value_of(0),
                                       .start = start,
                                       .stop_at = stop_at,
                                       .finished = finished};

  // The pool first, so that the connections go before the io_contexts their callbacks need.
  net::IoContextPool pool(std::max(options.threads, 1u));
  std::vector<std::unique_ptr<LookasideConnection>> connections;
  for (unsigned i = 0; i < options.connections; ++i) {
    connections.push_back(std::make_unique<LookasideConnection>(
        shared, pool.context(pool.next()), i, share(options.requests, options.connections, i),
        share(options.warmup_requests, options.connections, i)));
  }
  pool.start();
  for (const auto& connection : connections) {
    asio::post(connection->io(), [c = connection.get()] { c->start(); });
  }
  // Every call has a deadline, so every look-up ends; a timed run gets its calls' deadline
  // to drain after the clock stops it.
  const auto deadline = options.duration > 0 ? stop_at + options.timeout + std::chrono::seconds(1)
                                             : Clock::time_point::max();
  finished.wait_until(deadline);

  LookasideResult result;
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (const auto& connection : connections) {
    asio::post(connection->io(), [c = connection.get()] { c->close(); });
  }
  pool.join(Clock::now() + std::chrono::seconds(1));
  for (const auto& connection : connections) {
    result.counts.merge(connection->counts());
    result.connections_opened += connection->connected() ? 1 : 0;
  }
  if (result.connections_opened == 0) {
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(options.port));
  }
  result.server = read_server_stats(options);
  return result;
}

}  // namespace mc::bench
