// cppmc_bench: a memtier-like load generator for memcached servers, on mc::net and mc::codec.
//
//   cppmc_bench --servers 127.0.0.1:11211 --connections 50 --ratio 1:10 --duration 10 --prefill
//
// Prints a summary; `--json FILE` writes the result as JSON ("-" for stdout). Exit status 0,
// or 1 if nothing could be measured or `--verify` found a wrong value.

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "mc/bench/load_generator.hpp"
#include "mc/client/tls.hpp"

namespace {

using mc::bench::LoadOptions;

// CLI11 validators for the flags whose text needs our own parser.
void add_options(CLI::App& app, LoadOptions& options, std::string& json_path) {
  app.add_option_function<std::string>(
         "--servers",
         [&options](const std::string& text) {
           if (!mc::bench::parse_servers(text, options.servers)) {
             throw CLI::ValidationError("--servers", "expected host:port[,host:port...]");
           }
         },
         "Servers to load, host:port[,host:port...]; each gets --connections connections")
      ->default_str("127.0.0.1:11211");
  app.add_option("--connections,-c", options.connections, "Connections per server")
      ->check(CLI::Range(1u, 10000u))
      ->capture_default_str();
  app.add_option("--pipeline", options.pipeline, "Requests in flight per connection")
      ->check(CLI::Range(1u, 100000u))
      ->capture_default_str();
  app.add_option_function<std::string>(
         "--ratio",
         [&options](const std::string& text) {
           if (!mc::bench::parse_ratio(text, options.set_ratio, options.get_ratio)) {
             throw CLI::ValidationError("--ratio", "expected SET:GET, e.g. 1:10");
           }
         },
         "SET:GET mix of requests")
      ->default_str("1:10");
  app.add_option("--data-size,-d", options.data_size, "Bytes per value")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20))
      ->capture_default_str();
  app.add_option("--key-count", options.key_count, "Keys are key:0 .. key:N-1")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))
      ->capture_default_str();
  app.add_option_function<std::string>(
         "--key-pattern",
         [&options](const std::string& text) {
           if (!mc::bench::parse_key_pattern(text, options.key_pattern)) {
             throw CLI::ValidationError("--key-pattern", "expected uniform, sequential or zipf");
           }
         },
         "uniform, sequential or zipf")
      ->default_str("uniform");
  app.add_option("--multiget", options.multiget, "Keys per get request")
      ->check(CLI::Range(1u, 100u))
      ->capture_default_str();
  app.add_option("--duration", options.duration, "Seconds to measure (after --warmup)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--requests,-n", options.requests,
                 "Send this many requests in all instead of running for --duration");
  app.add_option("--warmup", options.warmup, "Seconds to run before measuring")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--threads,-t", options.threads, "Load generator I/O threads")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  app.add_flag("--prefill", options.prefill, "Set every key once, on every server, first");
  app.add_option("--seed", options.seed, "Seed of the key choices and values")
      ->capture_default_str();
  app.add_flag("--verify", options.verify, "Check every value read back");
  app.add_option_function<unsigned>(
         "--timeout", [&options](unsigned ms) { options.timeout = std::chrono::milliseconds(ms); },
         "Milliseconds before an unanswered request counts as a timeout")
      ->check(CLI::Range(1u, 3'600'000u))
      ->default_str("2000");
  app.add_option("--key-prefix", options.key_prefix, "Text before each key number")
      ->capture_default_str();
  app.add_option("--json", json_path, "Write the result as JSON to FILE (- for stdout)");
  app.add_option_function<std::string>(
      "--tls-ca",
      [&options](const std::string& file) {
        try {
          mc::client::TlsOptions tls;
          tls.ca_file = file;
          options.tls = mc::client::make_tls_context(tls);
        } catch (const std::exception& error) {
          throw CLI::ValidationError("--tls-ca", error.what());
        }
      },
      "Speak TLS (memcached -Z), trusting the CAs in this PEM file");
}

// A progress line that rewrites itself: only on a terminal, so logs and pipes stay clean.
void show_progress(double seconds, const mc::bench::Totals& so_far) {
  static std::uint64_t last_requests = 0;
  static double last_seconds = 0;
  const double rate =
      seconds > last_seconds
          ? static_cast<double>(so_far.requests - last_requests) / (seconds - last_seconds)
          : 0;
  last_requests = so_far.requests;
  last_seconds = seconds;
  fmt::print(stderr, "\r[{:5.1f} s] {:10.0f} ops/s  p99 {:8.1f} us  errors {}  timeouts {}   ",
             seconds, rate, static_cast<double>(so_far.latency.percentile(0.99)) / 1000.0,
             so_far.errors, so_far.timeouts);
  std::fflush(stderr);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cppmc_bench: load a memcached server and measure throughput and latency"};
  LoadOptions options;
  std::string json_path;
  add_options(app, options, json_path);
  CLI11_PARSE(app, argc, argv);

  try {
    const bool terminal = isatty(STDERR_FILENO) != 0;
    const auto result = mc::bench::run_load(
        options, terminal ? mc::bench::ProgressCallback(show_progress) : nullptr);
    if (terminal) fmt::print(stderr, "\n");
    // With `--json -` stdout is the JSON alone; the summary moves to stderr.
    fmt::print(json_path == "-" ? stderr : stdout, "{}", mc::bench::to_text(options, result));
    if (json_path == "-") {
      fmt::print("{}", mc::bench::to_json(options, result));
    } else if (!json_path.empty()) {
      std::ofstream(json_path) << mc::bench::to_json(options, result);
    }
    if (options.verify && result.totals.verify_errors > 0) {
      fmt::print(stderr, "cppmc_bench: {} values read back were wrong\n",
                 result.totals.verify_errors);
      return 1;
    }
    return result.totals.requests > 0 ? 0 : 1;
  } catch (const std::exception& error) {
    fmt::print(stderr, "cppmc_bench: {}\n", error.what());
    return 1;
  }
}
