#include "extended_options.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <string_view>

namespace mc::server::detail {
namespace {

// Options that tune a mechanism this server does not have, because its design does the job
// the mechanism was for. Accepting them keeps memcached command lines working; the reason is
// logged at start, so the operator learns what happened to the option.
struct BuiltIn {
  std::string_view name;
  std::string_view reason;
};

constexpr std::string_view kNoSlabs =
    "there are no slab classes: memory goes to whatever size needs it, by itself";
constexpr std::string_view kNoLru =
    "there are no LRU queues: eviction takes the least read segment of memory";
constexpr std::string_view kSweeper = "expired items are always swept in the background";

constexpr std::array kBuiltIn{
    BuiltIn{"slab_reassign", kNoSlabs},
    BuiltIn{"no_slab_reassign", kNoSlabs},
    BuiltIn{"slab_automove", kNoSlabs},
    BuiltIn{"slab_automove_ratio", kNoSlabs},
    BuiltIn{"slab_automove_window", kNoSlabs},
    BuiltIn{"slab_automove_freeratio", kNoSlabs},
    BuiltIn{"slab_chunk_max", kNoSlabs},
    BuiltIn{"no_chunked_items", kNoSlabs},
    BuiltIn{"lru_maintainer", kNoLru},
    BuiltIn{"no_lru_maintainer", kNoLru},
    BuiltIn{"lru_segmented", kNoLru},
    BuiltIn{"no_lru_segmented", kNoLru},
    BuiltIn{"hot_lru_pct", kNoLru},
    BuiltIn{"warm_lru_pct", kNoLru},
    BuiltIn{"hot_max_factor", kNoLru},
    BuiltIn{"warm_max_factor", kNoLru},
    BuiltIn{"tail_repair_time", "items carry no reference count that could leak"},
    BuiltIn{"lru_crawler", kSweeper},
    BuiltIn{"no_lru_crawler", kSweeper},
    BuiltIn{"lru_crawler_sleep", kSweeper},
    BuiltIn{"lru_crawler_tocrawl", kSweeper},
    BuiltIn{"hashpower", "the hash table starts small and grows by half when it fills"},
    BuiltIn{"track_sizes", "`stats sizes` always answers"},
    BuiltIn{"maxconns_fast", "connections past -c are always told and closed at once"},
    BuiltIn{"modern", "memcached 1.6's defaults are the only ones"},
    BuiltIn{"inline_ascii_resp", "reply headers are always built in place"},
    BuiltIn{"no_inline_ascii_resp", "reply headers are always built in place"},
    BuiltIn{"drop_privileges", "the only privilege given up is the user (-u)"},
    BuiltIn{"no_drop_privileges", "the only privilege given up is the user (-u)"},
    BuiltIn{"ssl_wbuf_size", "replies are gathered into one 16 KiB TLS record per write"},
};

// Options that ask for something this server does not do: refused, with what to do instead.
struct Refused {
  std::string_view prefix;  // the name, or the start of a family's names
  std::string_view reason;
};

constexpr std::array kRefused{
    Refused{"ext_", "extstore (items on disk) is not supported"},
    Refused{"ssl_kernel_tls", "kernel TLS offload is not supported"},
    Refused{"ssl_", "not a TLS option memcached 1.6.18 has"},
    Refused{"proxy_", "the built-in proxy is not supported; put twemproxy in front"},
    Refused{"temporary_ttl", "items with a short TTL are evicted like the others"},
    Refused{"no_hashexpand", "the hash table always grows"},
    Refused{"no_maxconns_fast", "connections past -c are always told and closed at once"},
    Refused{"no_modern", "memcached 1.4's defaults are not available"},
    Refused{"read_buf_mem_limit", "use conn_mem_limit, a bound per connection"},
    Refused{"sock_cookie_id", "socket cookies are not supported"},
    Refused{"hash_algorithm", "keys are always hashed with XXH3"},
    Refused{"watcher_logbuf_size", "the `watch` command is not supported"},
    Refused{"worker_logbuf_size", "the `watch` command is not supported"},
};

// `-o name=N`'s number: digits only.
std::optional<unsigned> whole_number(std::string_view text) {
  unsigned number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return {};
  return number;
}

ExtendedOutcome refused(std::string message) {
  ExtendedOutcome outcome;
  outcome.error = std::move(message);
  return outcome;
}

ExtendedOutcome built_in(std::string_view reason) {
  ExtendedOutcome outcome;
  outcome.built_in = std::string(reason);
  return outcome;
}

// `-o ssl_*`: memcached 1.6.18's TLS options and its words for bad numbers. True if `name`
// was one of them (then `outcome` says how it went).
bool apply_tls_option(const std::string& name, const std::string& value, TlsSettings& tls,
                      ExtendedOutcome& outcome) {
  const auto number_in = [&](int low, int high, int& target) {
    const auto number = whole_number(value);
    if (!number) {
      outcome = refused(fmt::format("could not parse argument to {}", name));
    } else if (*number < static_cast<unsigned>(low) || *number > static_cast<unsigned>(high)) {
      outcome = refused(fmt::format("Invalid {}. Use help to see valid options.", name));
    } else {
      target = static_cast<int>(*number);
    }
  };
  if (name == "ssl_chain_cert") {
    tls.chain_cert = value;
  } else if (name == "ssl_key") {
    tls.key = value;
  } else if (name == "ssl_ca_cert") {
    tls.ca_cert = value;
  } else if (name == "ssl_ciphers") {
    tls.ciphers = value;
  } else if (name == "ssl_verify_mode") {
    number_in(0, 3, tls.verify_mode);
  } else if (name == "ssl_min_version") {
    number_in(0, 3, tls.min_version);
  } else if (name == "ssl_keyformat") {
    // memcached passes any number to OpenSSL; only PEM (1) and DER (2) can load a key file.
    number_in(1, 2, tls.key_format);
  } else if (name == "ssl_session_cache") {
    tls.session_cache = true;
  } else {
    return false;
  }
  return true;
}

}  // namespace

ExtendedOutcome apply_extended_option(const std::string& option, Settings& settings) {
  const auto equals = option.find('=');
  const std::string name = option.substr(0, equals);
  const std::string value = equals == std::string::npos ? "" : option.substr(equals + 1);
  if (ExtendedOutcome outcome; apply_tls_option(name, value, settings.tls, outcome)) {
    return outcome;
  }
  if (name == "idle_timeout") {
    const auto seconds = whole_number(value);
    if (!seconds) return refused("idle_timeout requires a number of seconds");
    settings.idle_timeout = std::chrono::seconds(*seconds);
    return {};
  }
  if (name == "conn_mem_limit") {
    const auto bytes = parse_size(value);
    if (!bytes || *bytes < kMinConnectionMemory) {
      return refused(fmt::format("conn_mem_limit needs a size of at least {}k, such as 4m",
                                 kMinConnectionMemory >> 10));
    }
    settings.connection_memory = *bytes;
    return {};
  }
  if (name == "metrics_port") {
    const auto port = whole_number(value);
    if (!port || *port > 65535) return refused("metrics_port requires a port number (0-65535)");
    settings.metrics_port = static_cast<std::uint16_t>(*port);
    return {};
  }
  for (const BuiltIn& known : kBuiltIn) {
    if (name == known.name) return built_in(known.reason);
  }
  for (const Refused& refusal : kRefused) {
    if (name.starts_with(refusal.prefix)) {
      return refused(fmt::format("Illegal suboption \"{}\": {}", option, refusal.reason));
    }
  }
  return refused(fmt::format("Illegal suboption \"{}\"", option));  // memcached's words
}

}  // namespace mc::server::detail
