// cppmc_soak: starts a server on 127.0.0.1, loads it with mixed commands from many connections
// while misbehaving clients come and go, checks every reply against what may be stored, then
// checks the server's counters, its memory and its exit on SIGTERM.
//
//   cppmc_soak --server build/release/bin/cppmemcached --duration 600
//   cppmc_soak --server memcached --duration 60 --json soak.json
//
// Prints a one-screen summary. Exit status 0 if nothing was wrong, 1 if anything was.

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>

#include <CLI/CLI.hpp>

#include "mc/bench/soak.hpp"

namespace {

using mc::bench::soak::SoakOptions;

void add_options(CLI::App& app, SoakOptions& o) {
  app.add_option("--server", o.server, "Server binary (a name is looked up on PATH)")
      ->capture_default_str();
  app.add_flag("--memcached", o.memcached,
               "Start it with memcached's flags (implied by a binary named memcached)");
  app.add_option("--duration", o.duration, "Seconds of load with faults")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--connections", o.connections, "Well-behaved connections")
      ->check(CLI::Range(1u, 1000u))
      ->capture_default_str();
  app.add_option("--depth", o.depth, "Lanes per connection, each with one request out")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  app.add_option("--keys", o.keys_per_lane, "Keys each lane owns")
      ->check(CLI::Range(1u, 100000u))
      ->capture_default_str();
  app.add_option("--shared-keys", o.shared_keys, "Keys every lane writes (at least 4)")
      ->check(CLI::Range(4u, 100000u))
      ->capture_default_str();
  app.add_option("--max-value", o.max_value, "Largest value a set writes, in bytes")
      ->check(CLI::Range(std::size_t{64}, std::size_t{512 * 1024}))
      ->capture_default_str();
  app.add_option("--big-value", o.big_value, "Size of the 4 shared values resets read")
      ->check(CLI::Range(std::size_t{64}, std::size_t{512 * 1024}))
      ->capture_default_str();
  app.add_option("--server-threads", o.server_threads, "The server's -t")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  app.add_option("--memory", o.memory_mb, "The server's -m, in MiB")
      ->check(CLI::Range(8u, 65536u))
      ->capture_default_str();
  app.add_option("--max-conns", o.max_connections, "The server's -c; bursts go 16 past it")
      ->check(CLI::Range(64u, 4000u))
      ->capture_default_str();
  app.add_flag("--evictions", o.evictions, "Run the server without -M: misses are allowed");
  app.add_option("--fault-interval", o.fault_interval,
                 "Seconds between two short faults (half set, reset, garbage)")
      ->check(CLI::Range(0.001, 3600.0))
      ->capture_default_str();
  app.add_option("--stall-clients", o.stall_clients, "Clients that never read, at any time")
      ->check(CLI::Range(0u, 100u))
      ->capture_default_str();
  app.add_option("--stall-kib", o.stall_kib, "KiB of mn each stalled client sends at most")
      ->capture_default_str();
  app.add_option("--stall-hold", o.stall_hold, "Seconds each stalled client holds on")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--burst-interval", o.burst_interval,
                 "Seconds between bursts of connections past -c (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--max-rss", o.max_rss_mib, "RSS bound in MiB (0: -m + 96)")
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of keys, commands and sizes")->capture_default_str();
  app.add_option_function<unsigned>(
         "--timeout", [&o](unsigned ms) { o.timeout = std::chrono::milliseconds(ms); },
         "Milliseconds before an unanswered request counts as lost")
      ->check(CLI::Range(100u, 600'000u))
      ->default_str("5000");
  app.add_option_function<unsigned>(
         "--sigterm-within",
         [&o](unsigned ms) { o.sigterm_within = std::chrono::milliseconds(ms); },
         "Milliseconds the server may take to exit after SIGTERM")
      ->check(CLI::Range(1u, 60'000u))
      ->default_str("1000");
  app.add_option("--json", o.json, "Write the result as JSON to this file (- for stdout)");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cppmc_soak: a verifying soak with faults against a server it starts"};
  SoakOptions options;
  add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  if (std::filesystem::path(options.server).filename() == "memcached") options.memcached = true;
  try {
    const auto result = mc::bench::soak::run_soak(options);
    std::fputs(mc::bench::soak::summary(options, result).c_str(), stdout);
    if (!options.json.empty()) {
      const std::string json = mc::bench::soak::to_json(options, result);
      if (options.json == "-") {
        std::fputs(json.c_str(), stdout);
      } else {
        std::ofstream(options.json) << json;
      }
    }
    return result.passed() ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "cppmc_soak: %s\n", error.what());
    return 2;
  }
}
