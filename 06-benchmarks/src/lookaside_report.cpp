#include <fmt/format.h>

#include <string>

#include "mc/bench/lookaside.hpp"

namespace mc::bench {

namespace {

// A JSON number, or null when the server's stats could not be read.
std::string or_null(const std::optional<ServerStats>& server, std::uint64_t ServerStats::*field) {
  return server ? std::to_string((*server).*field) : "null";
}

}  // namespace

std::string to_json(const LookasideOptions& options, const LookasideResult& result) {
  const LookasideCounts& c = result.counts;
  const auto& server = result.server;
  std::string phases;
  for (std::size_t i = 0; i < c.phase_gets.size(); ++i) {
    const double ratio = c.phase_gets[i] == 0 ? 0.0
                                              : static_cast<double>(c.phase_hits[i]) /
                                                    static_cast<double>(c.phase_gets[i]);
    phases += fmt::format("{}{:.6f}", i == 0 ? "" : ", ", ratio);
  }
  // Written by hand: flat numbers and a few strings with no characters to escape.
  return fmt::format(
      "{{\n"
      "  \"gets\": {},\n"
      "  \"hits\": {},\n"
      "  \"misses\": {},\n"
      "  \"hit_ratio\": {:.6f},\n"
      "  \"sets\": {},\n"
      "  \"set_errors\": {},\n"
      "  \"get_errors\": {},\n"
      "  \"bad_values\": {},\n"
      "  \"warmup_gets\": {},\n"
      "  \"phase_hit_ratios\": [{}],\n"
      "  \"seconds\": {:.3f},\n"
      "  \"gets_per_sec\": {:.1f},\n"
      "  \"connections_opened\": {},\n"
      "  \"curr_items\": {},\n"
      "  \"bytes\": {},\n"
      "  \"evictions\": {},\n"
      "  \"reclaimed\": {},\n"
      "  \"crawler_reclaimed\": {},\n"
      "  \"get_expired\": {},\n"
      "  \"limit_maxbytes\": {},\n"
      "  \"total_items\": {},\n"
      "  \"expired_unfetched\": {},\n"
      "  \"evicted_unfetched\": {},\n"
      "  \"slabs_moved\": {},\n"
      "  \"server_threads\": {},\n"
      "  \"server_version\": {},\n"
      "  \"config\": {{\"port\": {}, \"connections\": {}, \"depth\": {}, \"threads\": {}, "
      "\"keys\": {}, \"zipf\": {}, \"requests\": {}, \"duration\": {}, \"warmup_requests\": {}, "
      "\"phases\": {}, \"seed\": {}, \"ttl_share\": {}, \"ttl_min\": {}, \"ttl_max\": {}, "
      "\"timeout_ms\": {}}}\n"
      "}}\n",
      c.gets, c.hits, c.misses, c.hit_ratio(), c.sets, c.set_errors, c.get_errors, c.bad_values,
      c.warmup_gets, phases, result.seconds,
      result.seconds > 0 ? static_cast<double>(c.gets + c.warmup_gets) / result.seconds : 0.0,
      result.connections_opened, or_null(server, &ServerStats::curr_items),
      or_null(server, &ServerStats::bytes), or_null(server, &ServerStats::evictions),
      or_null(server, &ServerStats::reclaimed), or_null(server, &ServerStats::crawler_reclaimed),
      or_null(server, &ServerStats::get_expired), or_null(server, &ServerStats::limit_maxbytes),
      or_null(server, &ServerStats::total_items), or_null(server, &ServerStats::expired_unfetched),
      or_null(server, &ServerStats::evicted_unfetched), or_null(server, &ServerStats::slabs_moved),
      or_null(server, &ServerStats::threads),
      server ? fmt::format("\"{}\"", server->version) : "null", options.port, options.connections,
      options.depth, options.threads, options.keys, options.zipf, options.requests,
      options.duration, options.warmup_requests, options.phases, options.seed, options.ttl.share,
      options.ttl.min_seconds, options.ttl.max_seconds, options.timeout.count());
}

}  // namespace mc::bench
