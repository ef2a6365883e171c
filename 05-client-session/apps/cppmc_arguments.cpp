#include "cppmc_arguments.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <optional>
#include <string_view>

namespace mc::cppmc {

const char* const kUsage =
    R"(usage: cppmc [--servers LIST] [--timeout MS] [--distribution D] SUBCOMMAND ...

  get KEY... [--flags]       print the value of one key, or KEY VALUE per hit
                             (--flags: KEY FLAGS CAS VALUE per hit)
  set KEY [VALUE|-]          store VALUE, or stdin if it is - or missing
      [--exptime S] [--flags F]
  delete KEY                 delete a key
  incr KEY [DELTA]           add DELTA (default 1) to a number and print it
  decr KEY [DELTA]           subtract, stopping at 0
  touch KEY EXPTIME          set a key's expiry
  exists KEY...              exit 0 if every key exists, 1 if any is missing
  ping                       check that every server answers
  stats [GROUP]              host:port NAME VALUE per server and statistic
  version                    host:port VERSION per server
  flush                      flush every server
  locate KEY...              KEY host:port: where each key lives (connects to nothing)

  --servers LIST       host[:port[:weight]],... as libmemcached reads it; default
                       $MEMCACHED_SERVERS, else 127.0.0.1:11211
  --timeout MS         deadline of each request, 1..3600000 (default 1000)
  --distribution D     ketama (weighted, default), ketama-unweighted or modulo
  --tls                speak TLS (memcached -Z), checking the server's certificate and name
  --tls-ca FILE        PEM file of the CAs to trust (default: the system's)
  --tls-cert FILE      client certificate (PEM), for servers that require one
  --tls-key FILE       its private key (default: in the --tls-cert file)
  --                   ends the options: later words are keys or values

exit status: 0 success, 1 a miss (some key not found), 2 an error (reason on stderr)
)";

namespace {

constexpr std::int64_t kMaxTimeoutMs = 3'600'000;

// A whole decimal number in [min, max], nothing else: no sign unless min < 0, no spaces.
std::optional<std::int64_t> parse_integer(std::string_view text, std::int64_t min,
                                          std::int64_t max) {
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || text.front() == '+' || ec != std::errc{} || ptr != end) return std::nullopt;
  if (value < min || value > max) return std::nullopt;
  return value;
}

std::optional<client::Distribution> parse_distribution(std::string_view name) {
  for (const auto d : {client::Distribution::kKetama, client::Distribution::kKetamaUnweighted,
                       client::Distribution::kModulo}) {
    if (to_string(d) == name) return d;
  }
  return std::nullopt;
}

// Applies option `name` with `value` (empty for a flag) to `args`; an error message on failure.
std::string apply(Arguments& args, std::string_view name, const std::string& value) {
  if (name == "--servers") {
    args.servers = value;
  } else if (name == "--timeout") {
    const auto ms = parse_integer(value, 1, kMaxTimeoutMs);
    if (!ms) {
      return fmt::format("--timeout: '{}' is not a number of milliseconds from 1 to {}", value,
                         kMaxTimeoutMs);
    }
    args.timeout = std::chrono::milliseconds(*ms);
  } else if (name == "--distribution") {
    const auto distribution = parse_distribution(value);
    if (!distribution) {
      return fmt::format("--distribution: '{}' is not ketama, ketama-unweighted or modulo", value);
    }
    args.distribution = *distribution;
  } else if (name == "--tls") {
    args.tls = true;
  } else if (name == "--tls-ca" || name == "--tls-cert" || name == "--tls-key") {
    if (value.empty()) return fmt::format("{}: needs a file name", name);
    (name == "--tls-ca"     ? args.tls_ca
     : name == "--tls-cert" ? args.tls_cert
                            : args.tls_key) = value;
    args.tls = true;
  } else if (name == "--exptime") {
    const auto seconds = parse_exptime(value);
    if (!seconds) return fmt::format("--exptime: '{}' is not a number of seconds", value);
    args.exptime = *seconds;
  } else if (name == "--flags" && args.command == "set") {
    const auto flags = parse_integer(value, 0, std::numeric_limits<std::uint32_t>::max());
    if (!flags) return fmt::format("--flags: '{}' is not a number from 0 to 4294967295", value);
    args.flags = static_cast<std::uint32_t>(*flags);
  } else if (name == "--flags") {
    args.show_flags = true;
  } else {
    args.help = true;
  }
  return {};
}

// Whether option `name` exists for `command` (empty: before the subcommand), and takes a value.
struct OptionSpec {
  bool known = false;
  bool takes_value = false;
};

OptionSpec find_option(std::string_view name, std::string_view command) {
  if (name == "--servers" || name == "--timeout" || name == "--distribution") return {true, true};
  if (name == "--tls-ca" || name == "--tls-cert" || name == "--tls-key") return {true, true};
  if (name == "--tls") return {true, false};
  if (name == "--help" || name == "-h") return {true, false};
  if (name == "--exptime" && command == "set") return {true, true};
  if (name == "--flags" && command == "set") return {true, true};
  if (name == "--flags" && command == "get") return {true, false};
  return {};
}

bool is_negative_number(std::string_view word) {
  return word.size() >= 2 && word[0] == '-' && word[1] >= '0' && word[1] <= '9';
}

}  // namespace

std::optional<std::int32_t> parse_exptime(std::string_view text) {
  const auto seconds = parse_integer(text, std::numeric_limits<std::int32_t>::min(),
                                     std::numeric_limits<std::int32_t>::max());
  if (!seconds) return std::nullopt;
  return static_cast<std::int32_t>(*seconds);
}

ParsedArguments parse_arguments(const std::vector<std::string>& words) {
  ParsedArguments parsed;
  Arguments& args = parsed.arguments;
  bool options_ended = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string& word = words[i];
    const bool is_option =
        !options_ended && word.size() > 1 && word[0] == '-' && !is_negative_number(word);
    if (!is_option) {
      if (args.command.empty()) {
        args.command = word;
      } else {
        args.operands.push_back(word);
      }
      continue;
    }
    if (word == "--") {
      options_ended = true;
      continue;
    }
    // --name=value or --name value.
    const auto equals = word.find('=');
    const std::string name = word.substr(0, equals);
    const OptionSpec spec = find_option(name, args.command);
    if (!spec.known) {
      parsed.error =
          args.command.empty()
              ? fmt::format("unknown option '{}' (see cppmc --help)", name)
              : fmt::format("unknown option '{}' for {} (a key that starts with '-' goes after --)",
                            name, args.command);
      return parsed;
    }
    std::string value;
    if (equals != std::string::npos) {
      if (!spec.takes_value) {
        parsed.error = fmt::format("{} takes no value", name);
        return parsed;
      }
      value = word.substr(equals + 1);
    } else if (spec.takes_value) {
      if (i + 1 == words.size()) {
        parsed.error = fmt::format("{} needs a value", name);
        return parsed;
      }
      value = words[++i];
    }
    if (auto error = apply(args, name, value); !error.empty()) {
      parsed.error = std::move(error);
      return parsed;
    }
  }
  return parsed;
}

}  // namespace mc::cppmc
