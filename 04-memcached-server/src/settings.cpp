#include "mc/server/settings.hpp"

#include <fmt/format.h>
#include <sysexits.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "extended_options.hpp"
#include "mc/common/cli.hpp"
#include "mc/server/version.hpp"

namespace mc::server {
namespace {

// memcached's -I bounds: "min: 1k, max: 1024m".
constexpr std::size_t kMinItemSize = 1024;
constexpr std::size_t kMaxItemSize = 1024u << 20;

}  // namespace

std::optional<std::size_t> parse_size(const std::string& text) {
  std::size_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end == text.data()) return std::nullopt;
  const std::string_view unit(end, text.data() + text.size() - end);
  if (unit.empty()) return number;
  if (unit == "k" || unit == "K") return number << 10;
  if (unit == "m" || unit == "M") return number << 20;
  return std::nullopt;
}

std::optional<int> parse_settings(int argc, char** argv, Settings& settings) {
  CLI::App app{"cppmemcached: a memcached-compatible server (text protocol)"};
  app.set_version_flag("-V,--version", std::string(kVersion));
  // As memcached (getopt): a flag given twice takes its last value, so scripts can append
  // their own overrides to a stock command line. -o accumulates instead (see below).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  common::add_server_options(app, settings.net);

  unsigned megabytes = static_cast<unsigned>(settings.memory_limit >> 20);
  std::string item_size = "1m";
  unsigned udp_port = 0;
  bool daemon = false;
  bool disable_cas = false;
  bool disable_flush = false;
  bool disable_evictions = false;
  std::vector<std::string> extended;

  app.add_option("-m,--memory-limit", megabytes, "Item memory in megabytes")->capture_default_str();
  app.add_option("-c,--conn-limit", settings.max_connections, "Max simultaneous connections")
      ->capture_default_str();
  app.add_option("-I,--max-item-size", item_size, "Max item size (min 1k, max 1024m)")
      ->capture_default_str();
  // Accepted so that stock command lines work, but not listed in --help, which lists only what
  // works: -U takes 0 only (UDP is off), and -d is refused below.
  app.add_option("-U,--udp-port", udp_port, "UDP port: only 0 (off) is supported")->group("");
  app.add_flag("-A,--enable-shutdown", settings.shutdown_enabled,
               "Enable the ascii \"shutdown\" command");
  app.add_flag("-C,--disable-cas", disable_cas, "Disable use of CAS");
  app.add_flag("-F,--disable-flush-all", disable_flush, "Disable the flush_all command");
  app.add_flag("-M,--disable-evictions", disable_evictions,
               "Return an error on memory exhausted instead of evicting");
  app.add_option("-b,--listen-backlog", settings.listen_backlog, "Listen backlog")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("-d,--daemon", daemon, "Not supported: run under a service manager instead")
      ->group("");
  app.add_option("-u,--user", settings.user, "Started as root: the user to run as once listening");
  app.add_option("-R,--max-reqs-per-event", settings.reqs_per_event,
                 "Requests from one connection before the others get a turn")
      ->capture_default_str();
  app.add_flag("-Z,--enable-ssl", settings.tls.enabled,
               "Enable TLS (-o ssl_chain_cert=FILE,ssl_key=FILE); -l notls:ADDR:PORT stays plain");
  app.add_option("-o,--extended", extended,
                 "Comma separated extended options: idle_timeout=SECONDS, conn_mem_limit=SIZE "
                 "(default 4m), metrics_port=PORT (Prometheus /metrics and /healthz over HTTP on "
                 "-l's address; 0 picks a free port; default off), ssl_chain_cert, ssl_key, "
                 "ssl_keyformat, ssl_verify_mode, ssl_ciphers, ssl_ca_cert, ssl_min_version, "
                 "ssl_session_cache; memcached's slab and LRU tuning options are accepted, as this "
                 "store needs none; others are refused")
      ->delimiter(',')
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  }

  if (daemon) {
    fmt::print(stderr, "cppmemcached: -d is not supported; run it from a service manager\n");
    return EX_USAGE;
  }
  if (udp_port != 0) {
    fmt::print(stderr, "cppmemcached: UDP is not supported (-U must be 0)\n");
    return EX_USAGE;
  }
  const auto item_size_max = parse_size(item_size);
  if (!item_size_max) {
    fmt::print(stderr, "cppmemcached: -I needs a size such as 1m, 512k or 2048\n");
    return EX_USAGE;
  }
  // The next two messages are memcached's own.
  if (*item_size_max < kMinItemSize) {
    fmt::print(stderr, "Item max size cannot be less than 1024 bytes.\n");
    return EX_USAGE;
  }
  if (*item_size_max > kMaxItemSize) {
    fmt::print(stderr, "Cannot set item size limit higher than 1024 mb.\n");
    return EX_USAGE;
  }
  settings.memory_limit = std::size_t{megabytes} << 20;
  if (*item_size_max > settings.memory_limit / 2) {
    fmt::print(stderr, "Cannot set item size limit higher than 1/2 of memory max.\n");
    return EX_USAGE;
  }
  settings.item_size_max = *item_size_max;
  settings.cas_enabled = !disable_cas;
  settings.flush_enabled = !disable_flush;
  settings.evictions = !disable_evictions;
  if (settings.reqs_per_event == 0) {
    fmt::print(stderr, "Number of requests per event must be greater than 0\n");  // memcached's
    return EXIT_FAILURE;
  }
  for (const auto& option : extended) {
    auto outcome = detail::apply_extended_option(option, settings);
    if (outcome.error) {
      fmt::print(stderr, "{}\n", *outcome.error);
      return EXIT_FAILURE;  // as memcached
    }
    if (outcome.built_in)
      settings.built_in.push_back(fmt::format("-o {}: {}", option, *outcome.built_in));
  }
  if (settings.tls.enabled && settings.tls.chain_cert.empty()) {
    fmt::print(stderr, "cppmemcached: -Z needs -o ssl_chain_cert=FILE (and ssl_key=FILE)\n");
    return EXIT_FAILURE;
  }
  common::apply_verbosity(settings.net.verbosity);
  return std::nullopt;
}

}  // namespace mc::server
