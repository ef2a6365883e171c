// cppmc: a memcached command-line client over mc::client::SyncClient.
//
//   cppmc --servers 127.0.0.1:11211[,host:port[:weight]...] get KEY... [--flags]
//   cppmc set KEY [VALUE|-] [--exptime S] [--flags F]   (value from stdin if - or missing)
//   cppmc locate KEY...        (placement only: connects to nothing)
//
// Exit status: 0 success, 1 a miss (a key not found), 2 an error (reason on stderr).

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "cppmc_arguments.hpp"
#include "mc/client/sync_client.hpp"
#include "mc/client/tls.hpp"

namespace {

using namespace mc::client;
using mc::cppmc::Arguments;

constexpr int kSuccess = 0;
constexpr int kMiss = 1;
constexpr int kFailure = 2;

// stdout is buffered and stderr is not: flush what was printed so far, so that a miss or an
// error appears after the hits before it also when the output goes to a pipe or a file.
void report(std::string_view line) {
  std::fflush(stdout);
  fmt::print(stderr, "cppmc: {}\n", line);
}

int usage_error(std::string_view message) {
  report(message);
  return kFailure;
}

int fail(std::string_view what, std::error_code error) {
  report(fmt::format("{}: {}", what, error.message()));
  return kFailure;
}

int miss(std::string_view key) {
  report(fmt::format("{}: not found", key));
  return kMiss;
}

// The worse of two exit statuses: an error outranks a miss, a miss outranks success.
int worst(int a, int b) { return std::max(a, b); }

void write_raw(std::string_view bytes) { std::fwrite(bytes.data(), 1, bytes.size(), stdout); }

//! [locate]
// Placement only: a Locator needs the server names, not the servers.
int locate(const Arguments& args, const std::vector<ServerAddress>& servers) {
  const Locator locator(servers, args.distribution);
  for (const auto& key : args.operands) {
    const auto server = locator.locate(key);
    fmt::print("{} {}\n", key, server ? servers[*server].to_string() : "-");
  }
  return kSuccess;
}
//! [locate]

//! [get]
// Every key gets its own answer: a hit is printed, a miss and a server's failure are reported
// on stderr per key, and the exit status says which was the worst.
int get(SyncClient& client, const Arguments& args, bool print) {
  const std::vector<std::string_view> keys(args.operands.begin(), args.operands.end());
  const auto answers = client.get_each(keys);
  if (!answers) return fail(keys.size() == 1 ? keys.front() : "get", answers.error());
  int exit = kSuccess;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto& answer = (*answers)[i];
    if (!answer) {
      exit = worst(exit, fail(keys[i], answer.error()));
    } else if (!*answer) {
      exit = worst(exit, miss(keys[i]));
    } else if (print) {
      const Item& item = **answer;
      if (args.show_flags) {
        fmt::print("{} {} {} ", item.key, item.flags, item.cas);
      } else if (keys.size() > 1) {
        fmt::print("{} ", item.key);
      }
      write_raw(item.value);  // raw bytes: a value may hold anything
      std::fputc('\n', stdout);
    }
  }
  return exit;
}
//! [get]

// A one-word answer: success, a miss, or (NOT_STORED, EXISTS) a refusal.
int status(std::string_view key, const Result<Status>& result) {
  if (!result) return fail(key, result.error());
  switch (*result) {
    case Status::kNotFound:
      return miss(key);
    case Status::kNotStored:
    case Status::kExists:
      report(fmt::format("{}: not stored", key));
      return kFailure;
    default:
      return kSuccess;
  }
}

int set(SyncClient& client, const Arguments& args) {
  std::string value;
  if (args.operands.size() == 2 && args.operands[1] != "-") {
    value = args.operands[1];
  } else {
    // The value from stdin, byte for byte: NULs, newlines and all.
    std::cin >> std::noskipws;
    value.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (std::cin.bad()) return usage_error("cannot read the value from stdin");
  }
  return status(args.operands[0], client.set(args.operands[0], value,
                                             {.flags = args.flags, .exptime = args.exptime}));
}

//! [delta]
// memcached takes a delta of 0..2^64-1 and answers anything else with this line; cppmc refuses
// it the same way before sending, rather than wrap -3 round to 18446744073709551613.
int arithmetic(SyncClient& client, const Arguments& args, bool increment) {
  const std::string& key = args.operands[0];
  std::uint64_t delta = 1;
  if (args.operands.size() == 2) {
    const std::string& text = args.operands[1];
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), delta);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
      report(fmt::format("{}: CLIENT_ERROR invalid numeric delta argument", text));
      return kFailure;
    }
  }
  const auto result = increment ? client.incr(key, delta) : client.decr(key, delta);
  if (!result) return fail(key, result.error());
  if (!*result) return miss(key);
  fmt::print("{}\n", **result);
  return kSuccess;
}
//! [delta]

// One line per server and statistic, `host:port name value`, so output from several servers
// can be told apart and grepped.
int stats(SyncClient& client, const Arguments& args) {
  const std::string group = args.operands.empty() ? std::string() : args.operands[0];
  int exit = kSuccess;
  for (std::size_t s = 0; s < client.servers().size(); ++s) {
    const auto lines = client.stats(s, group);
    if (!lines) {
      exit = fail(client.servers()[s].to_string(), lines.error());
      continue;
    }
    for (const auto& stat : *lines) {
      fmt::print("{} {} {}\n", client.servers()[s].to_string(), stat.name, stat.value);
    }
  }
  return exit;
}

// `version` prints each server's version; `ping` only says whether each one answered.
int version(SyncClient& client, bool ping) {
  int exit = kSuccess;
  for (std::size_t s = 0; s < client.servers().size(); ++s) {
    const auto text = client.version(s);
    if (!text) {
      exit = fail(client.servers()[s].to_string(), text.error());
    } else {
      fmt::print("{} {}\n", client.servers()[s].to_string(), ping ? "ok" : *text);
    }
  }
  return exit;
}

// How many operands each subcommand takes: at least `min`, at most `max`.
struct Arity {
  std::string_view command;
  std::size_t min;
  std::size_t max;
  std::string_view operands;  // for the message
};

constexpr std::size_t kMany = static_cast<std::size_t>(-1);
constexpr Arity kArities[] = {
    {"get", 1, kMany, "KEY..."},
    {"set", 1, 2, "KEY [VALUE|-]"},
    {"delete", 1, 1, "KEY"},
    {"incr", 1, 2, "KEY [DELTA]"},
    {"decr", 1, 2, "KEY [DELTA]"},
    {"touch", 2, 2, "KEY EXPTIME"},
    {"exists", 1, kMany, "KEY..."},
    {"ping", 0, 0, ""},
    {"stats", 0, 1, "[GROUP]"},
    {"version", 0, 0, ""},
    {"flush", 0, 0, ""},
    {"locate", 1, kMany, "KEY..."},
};

}  // namespace

int main(int argc, char** argv) {
  auto parsed = mc::cppmc::parse_arguments(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed.error.empty()) return usage_error(parsed.error);
  Arguments& args = parsed.arguments;
  if (args.help) {
    std::fputs(mc::cppmc::kUsage, stdout);
    return kSuccess;
  }
  if (args.command.empty()) {
    std::fputs(mc::cppmc::kUsage, stderr);
    return kFailure;
  }
  const Arity* arity = nullptr;
  for (const auto& a : kArities) {
    if (a.command == args.command) arity = &a;
  }
  if (arity == nullptr) {
    return usage_error(fmt::format("unknown subcommand '{}' (see cppmc --help)", args.command));
  }
  if (args.operands.size() < arity->min || args.operands.size() > arity->max) {
    return usage_error(fmt::format("usage: cppmc {} {}", args.command, arity->operands));
  }

  std::optional<std::int32_t> touch;  // checked before connecting, like every other argument
  if (args.command == "touch") {
    touch = mc::cppmc::parse_exptime(args.operands[1]);
    if (!touch) {
      return usage_error(fmt::format("EXPTIME: '{}' is not a number of seconds", args.operands[1]));
    }
  }

  // As libmemcached's tools: --servers, else MEMCACHED_SERVERS, else the local default.
  if (args.servers.empty()) {
    const char* from_env = std::getenv("MEMCACHED_SERVERS");
    args.servers = from_env != nullptr && *from_env != '\0' ? from_env : "127.0.0.1:11211";
  }
  std::string why;
  const auto servers = parse_server_list(args.servers, &why);
  if (!servers) return usage_error(why);
  if (args.command == "locate") return locate(args, *servers);

  ClusterOptions options;
  options.distribution = args.distribution;
  options.eject_after = 0;  // one command: nothing to gain from ejecting
  options.session.timeout = args.timeout;
  options.session.connect_timeout = args.timeout;
  if (args.tls) {
    try {
      TlsOptions tls;
      tls.ca_file = args.tls_ca;
      tls.cert_file = args.tls_cert;
      tls.key_file = args.tls_key;
      options.session.tls = make_tls_context(tls);
    } catch (const std::exception& error) {
      return usage_error(error.what());
    }
  }
  SyncClient client(*servers, options);

  const std::string& command = args.command;
  if (command == "get") return get(client, args, true);
  if (command == "exists") return get(client, args, false);
  if (command == "set") return set(client, args);
  if (command == "delete") return status(args.operands[0], client.remove(args.operands[0]));
  if (command == "incr" || command == "decr") return arithmetic(client, args, command == "incr");
  if (command == "touch") return status(args.operands[0], client.touch(args.operands[0], *touch));
  if (command == "stats") return stats(client, args);
  if (command == "version" || command == "ping") return version(client, command == "ping");
  return status("flush", client.flush_all(0));
}
