// cppmc_lookaside: a look-aside cache workload against one memcached server on 127.0.0.1, to
// measure its hit ratio. Every request is a get; on a miss the value is set, as an application
// caching a database does. Keys are Zipf-popular, value sizes shift between phases of the run,
// and some keys expire after a few seconds (a tenth, after 2 to 5 s, unless told otherwise).
//
//   cppmc_lookaside --port 11211 --requests 1000000 --warmup-requests 200000
//   cppmc_lookaside --port 11211 --duration 30 --ttl-share 0.5 --ttl-min 2 --ttl-max 2
//
// Prints the result as one JSON object. Exit status 0, or 1 if nothing could be measured or a
// hit returned a value the key cannot have.

#include <fmt/format.h>

#include <exception>

#include <CLI/CLI.hpp>

#include "mc/bench/lookaside.hpp"

namespace {

using mc::bench::LookasideOptions;

void add_options(CLI::App& app, LookasideOptions& options) {
  app.add_option("--port,-p", options.port, "The server's port on 127.0.0.1")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  app.add_option("--connections,-c", options.connections, "Connections to the server")
      ->check(CLI::Range(1u, 1000u))
      ->capture_default_str();
  app.add_option("--depth", options.depth, "Look-ups in flight per connection")
      ->check(CLI::Range(1u, 1000u))
      ->capture_default_str();
  app.add_option("--threads,-t", options.threads, "Load generator I/O threads")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  app.add_option("--keys", options.keys, "Keys are 0..N-1, 0 the most popular")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100'000'000}))
      ->capture_default_str();
  app.add_option("--zipf", options.zipf, "Exponent of the keys' Zipf popularity")
      ->check(CLI::Range(0.0, 3.0))
      ->capture_default_str();
  app.add_option("--requests,-n", options.requests, "Gets to send in all (0: use --duration)")
      ->capture_default_str();
  app.add_option("--duration", options.duration, "Seconds to run at most (0: until --requests)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--warmup-requests", options.warmup_requests,
                 "First gets not counted in the hit ratio (the cache starts empty)")
      ->capture_default_str();
  app.add_option("--phases", options.phases, "Phases of the run, each with its own size mix")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  app.add_option("--seed", options.seed, "Seed of key choices, value sizes and TTLs")
      ->capture_default_str();
  app.add_option("--ttl-share", options.ttl.share, "Share of the keys stored with a TTL")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  // Their range (1 s to 30 days, the shortest first) is checked by run_lookaside().
  app.add_option("--ttl-min", options.ttl.min_seconds, "Shortest TTL, in seconds")
      ->capture_default_str();
  app.add_option("--ttl-max", options.ttl.max_seconds, "Longest TTL, in seconds")
      ->capture_default_str();
  app.add_option_function<unsigned>(
         "--timeout", [&options](unsigned ms) { options.timeout = std::chrono::milliseconds(ms); },
         "Milliseconds before an unanswered request counts as lost")
      ->check(CLI::Range(1u, 3'600'000u))
      ->default_str("2000");
  app.add_option("--key-prefix", options.key_prefix, "Text before each key number")
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cppmc_lookaside: the hit ratio of a look-aside cache workload"};
  LookasideOptions options;
  add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  if (options.requests == 0 && options.duration == 0) {
    fmt::print(stderr, "cppmc_lookaside: give --requests, --duration or both\n");
    return 1;
  }
  if (options.warmup_requests >= options.requests && options.requests > 0) {
    fmt::print(stderr, "cppmc_lookaside: --warmup-requests must be below --requests\n");
    return 1;
  }

  try {
    const auto result = mc::bench::run_lookaside(options);
    fmt::print("{}", mc::bench::to_json(options, result));
    const auto& counts = result.counts;
    if (counts.bad_values > 0) {
      fmt::print(stderr, "cppmc_lookaside: {} hits returned a value the key cannot have\n",
                 counts.bad_values);
      return 1;
    }
    return counts.gets > 0 ? 0 : 1;
  } catch (const std::exception& error) {
    fmt::print(stderr, "cppmc_lookaside: {}\n", error.what());
    return 1;
  }
}
