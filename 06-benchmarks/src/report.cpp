#include <fmt/format.h>

#include <string>

#include "mc/bench/load_generator.hpp"

namespace mc::bench {

namespace {

double micros(std::uint64_t nanos) { return static_cast<double>(nanos) / 1000.0; }

}  // namespace

std::string to_json(const LoadOptions& options, const RunResult& result) {
  const Totals& t = result.totals;
  const Histogram& h = t.latency;
  std::string servers;
  for (const auto& server : options.servers) {
    if (!servers.empty()) servers += ", ";
    servers += fmt::format("\"{}:{}\"", server.host, server.port);
  }
  // Written by hand: flat numbers and a few strings with no characters to escape.
  return fmt::format(
      "{{\n"
      "  \"ops_per_sec\": {:.1f},\n"
      "  \"p50_us\": {:.1f},\n"
      "  \"p90_us\": {:.1f},\n"
      "  \"p99_us\": {:.1f},\n"
      "  \"p999_us\": {:.1f},\n"
      "  \"max_us\": {:.1f},\n"
      "  \"mean_us\": {:.1f},\n"
      "  \"hit_rate\": {:.6f},\n"
      "  \"errors\": {},\n"
      "  \"timeouts\": {},\n"
      "  \"verify_errors\": {},\n"
      "  \"connect_failures\": {},\n"
      "  \"requests\": {},\n"
      "  \"sets\": {},\n"
      "  \"gets\": {},\n"
      "  \"keys_requested\": {},\n"
      "  \"hits\": {},\n"
      "  \"seconds\": {:.3f},\n"
      "  \"prefill_seconds\": {:.3f},\n"
      "  \"prefilled\": {},\n"
      "  \"connections_opened\": {},\n"
      "  \"config\": {{\"servers\": [{}], \"connections\": {}, \"pipeline\": {}, "
      "\"ratio\": \"{}:{}\", \"data_size\": {}, \"key_count\": {}, \"key_pattern\": \"{}\", "
      "\"multiget\": {}, \"duration\": {}, \"requests\": {}, \"warmup\": {}, \"threads\": {}, "
      "\"prefill\": {}, \"seed\": {}, \"verify\": {}, \"timeout_ms\": {}}}\n"
      "}}\n",
      result.ops_per_sec(), micros(h.percentile(0.50)), micros(h.percentile(0.90)),
      micros(h.percentile(0.99)), micros(h.percentile(0.999)), micros(h.max()), h.mean() / 1000.0,
      t.hit_rate(), t.errors, t.timeouts, t.verify_errors, t.connect_failures, t.requests, t.sets,
      t.gets, t.keys_requested, t.hits, result.seconds, result.prefill_seconds, t.prefilled,
      result.connections_opened, servers, options.connections, options.pipeline, options.set_ratio,
      options.get_ratio, options.data_size, options.key_count, to_string(options.key_pattern),
      options.multiget, options.duration, options.requests, options.warmup, options.threads,
      options.prefill, options.seed, options.verify, options.timeout.count());
}

std::string to_text(const LoadOptions& options, const RunResult& result) {
  const Totals& t = result.totals;
  const Histogram& h = t.latency;
  std::string text = fmt::format(
      "{} requests in {:.2f} s: {:.0f} ops/s ({} sets, {} gets of {} key{}), hit rate {:.2f} %\n",
      t.requests, result.seconds, result.ops_per_sec(), t.sets, t.gets, options.multiget,
      options.multiget == 1 ? "" : "s", 100.0 * t.hit_rate());
  text += fmt::format(
      "latency us: p50 {:.1f}  p90 {:.1f}  p99 {:.1f}  p99.9 {:.1f}  max {:.1f}  mean {:.1f}\n",
      micros(h.percentile(0.50)), micros(h.percentile(0.90)), micros(h.percentile(0.99)),
      micros(h.percentile(0.999)), micros(h.max()), h.mean() / 1000.0);
  text += fmt::format("errors {}  timeouts {}  verify errors {}  connect failures {}\n", t.errors,
                      t.timeouts, t.verify_errors, t.connect_failures);
  if (options.prefill) {
    text +=
        fmt::format("prefill: {} keys stored in {:.2f} s\n", t.prefilled, result.prefill_seconds);
  }
  return text;
}

}  // namespace mc::bench
