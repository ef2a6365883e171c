// cppmc: a memcached command-line client over mc::client::SyncClient.
//
//   cppmc --servers 127.0.0.1:11211[,host:port[:weight]...] get KEY...
//   cppmc --servers ... set KEY VALUE [--exptime S] [--flags F]
//   cppmc --servers ... locate KEY...        (placement only: connects to nothing)
//
// Exit status: 0 success, 1 a miss (a key not found), 2 an error (reason on stderr).

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "mc/client/sync_client.hpp"

namespace {

using namespace mc::client;

constexpr int kSuccess = 0;
constexpr int kMiss = 1;
constexpr int kFailure = 2;

struct Arguments {
  std::string servers = "127.0.0.1:11211";
  std::string distribution = "ketama";
  int timeout_ms = 1000;
  std::vector<std::string> keys;
  std::string key;
  std::string value;
  std::int32_t exptime = 0;
  std::uint32_t flags = 0;
  std::uint64_t delta = 1;
  std::string group;
};

int fail(std::string_view what, std::error_code error) {
  fmt::print(stderr, "cppmc: {}: {}\n", what, error.message());
  return kFailure;
}

int miss(std::string_view key) {
  fmt::print(stderr, "cppmc: {}: not found\n", key);
  return kMiss;
}

//! [locate]
// Placement only: a Locator needs the server names, not the servers.
int locate(const Arguments& args, const std::vector<ServerAddress>& servers,
           Distribution distribution) {
  const Locator locator(servers, distribution);
  for (const auto& key : args.keys) {
    const auto server = locator.locate(key);
    fmt::print("{} {}\n", key, server ? servers[*server].to_string() : "-");
  }
  return kSuccess;
}
//! [locate]

int get(SyncClient& client, const Arguments& args, const CallOptions& options) {
  if (args.keys.size() == 1) {
    const auto item = client.get(args.keys.front(), options);
    if (!item) return fail(args.keys.front(), item.error());
    if (!*item) return miss(args.keys.front());
    std::fwrite((*item)->value.data(), 1, (*item)->value.size(), stdout);  // raw bytes
    std::fputc('\n', stdout);
    return kSuccess;
  }
  const std::vector<std::string_view> keys(args.keys.begin(), args.keys.end());
  const auto items = client.get_multi(keys, options);
  if (!items) return fail("get", items.error());
  for (const auto& item : *items) {
    fmt::print("{} ", item.key);
    std::fwrite(item.value.data(), 1, item.value.size(), stdout);
    std::fputc('\n', stdout);
  }
  return items->size() == keys.size() ? kSuccess : kMiss;
}

// A one-word answer: success, a miss, or (NOT_STORED, EXISTS) a refusal.
int status(std::string_view key, const Result<Status>& result) {
  if (!result) return fail(key, result.error());
  switch (*result) {
    case Status::kNotFound:
      return miss(key);
    case Status::kNotStored:
    case Status::kExists:
      fmt::print(stderr, "cppmc: {}: not stored\n", key);
      return kFailure;
    default:
      return kSuccess;
  }
}

int arithmetic(SyncClient& client, const Arguments& args, bool increment,
               const WriteOptions& options) {
  const auto result = increment ? client.incr(args.key, args.delta, options)
                                : client.decr(args.key, args.delta, options);
  if (!result) return fail(args.key, result.error());
  if (!*result) return miss(args.key);
  fmt::print("{}\n", **result);
  return kSuccess;
}

// One line per server and statistic, `host:port name value`, so output from several servers
// can be told apart and grepped.
int stats(SyncClient& client, const Arguments& args, const CallOptions& options) {
  int exit = kSuccess;
  for (std::size_t s = 0; s < client.servers().size(); ++s) {
    const auto lines = client.stats(s, args.group, options);
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

int version(SyncClient& client, const CallOptions& options) {
  int exit = kSuccess;
  for (std::size_t s = 0; s < client.servers().size(); ++s) {
    const auto text = client.version(s, options);
    if (!text) {
      exit = fail(client.servers()[s].to_string(), text.error());
    } else {
      fmt::print("{} {}\n", client.servers()[s].to_string(), *text);
    }
  }
  return exit;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cppmc: a memcached client (ketama placement compatible with libmemcached)"};
  Arguments args;
  app.add_option("--servers", args.servers, "host[:port[:weight]],... (default 127.0.0.1:11211)");
  app.add_option("--timeout", args.timeout_ms, "deadline of each request, in ms")
      ->check(CLI::PositiveNumber);
  app.add_option("--distribution", args.distribution, "ketama (default) or modulo")
      ->check(CLI::IsMember({"ketama", "modulo"}));
  app.require_subcommand(1);

  auto* get_cmd = app.add_subcommand("get", "print the value of one key, or KEY VALUE per hit");
  // Keys are taken raw from the command line (remaining() below): a CLI11 list option would
  // read `[a,b]` as two values, and a key is a key.
  get_cmd->prefix_command()->footer("Arguments: KEY... (verbatim after the first)");
  auto* set_cmd = app.add_subcommand("set", "store a value");
  set_cmd->add_option("key", args.key)->required();
  set_cmd->add_option("value", args.value)->required();
  set_cmd->add_option("--exptime", args.exptime, "expiry in seconds (0: never)");
  set_cmd->add_option("--flags", args.flags, "client flags");
  auto* delete_cmd = app.add_subcommand("delete", "delete a key");
  delete_cmd->add_option("key", args.key)->required();
  auto* incr_cmd = app.add_subcommand("incr", "add to a number, print the result");
  auto* decr_cmd = app.add_subcommand("decr", "subtract from a number, print the result");
  for (auto* cmd : {incr_cmd, decr_cmd}) {
    cmd->add_option("key", args.key)->required();
    cmd->add_option("delta", args.delta, "amount (default 1)");
  }
  auto* touch_cmd = app.add_subcommand("touch", "set a key's expiry");
  touch_cmd->add_option("key", args.key)->required();
  touch_cmd->add_option("exptime", args.exptime)->required();
  auto* stats_cmd = app.add_subcommand("stats", "print each server's statistics");
  stats_cmd->add_option("group", args.group, "items, slabs, settings, ...");
  auto* version_cmd = app.add_subcommand("version", "print each server's version");
  auto* flush_cmd = app.add_subcommand("flush", "flush every server");
  auto* locate_cmd = app.add_subcommand("locate", "print KEY host:port: where each key lives");
  locate_cmd->prefix_command()->footer("Arguments: KEY... (verbatim after the first)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    app.exit(error);  // prints the message
    return kFailure;
  }

  for (auto* cmd : {get_cmd, locate_cmd}) {
    if (!cmd->parsed()) continue;
    args.keys = cmd->remaining();
    if (args.keys.empty()) {
      fmt::print(stderr, "cppmc: {} needs at least one KEY\n", cmd->get_name());
      return kFailure;
    }
  }

  std::string why;
  const auto parsed = parse_server_list(args.servers, &why);
  if (!parsed) {
    fmt::print(stderr, "cppmc: {}\n", why);
    return kFailure;
  }
  const std::vector<ServerAddress>& servers = *parsed;
  const auto distribution =
      args.distribution == "modulo" ? Distribution::kModulo : Distribution::kKetama;
  if (locate_cmd->parsed()) return locate(args, servers, distribution);

  ClusterOptions options;
  options.distribution = distribution;
  options.eject_after = 0;  // one command: nothing to gain from ejecting
  options.session.timeout = std::chrono::milliseconds(args.timeout_ms);
  options.session.connect_timeout = options.session.timeout;
  SyncClient client(servers, options);
  const CallOptions call{};
  const WriteOptions write{};

  if (get_cmd->parsed()) return get(client, args, call);
  if (set_cmd->parsed()) {
    return status(args.key,
                  client.set(args.key, args.value, {.flags = args.flags, .exptime = args.exptime}));
  }
  if (delete_cmd->parsed()) return status(args.key, client.remove(args.key, write));
  if (incr_cmd->parsed()) return arithmetic(client, args, true, write);
  if (decr_cmd->parsed()) return arithmetic(client, args, false, write);
  if (touch_cmd->parsed()) return status(args.key, client.touch(args.key, args.exptime, write));
  if (stats_cmd->parsed()) return stats(client, args, call);
  if (version_cmd->parsed()) return version(client, call);
  if (flush_cmd->parsed()) return status("flush", client.flush_all(0, write));
  return kFailure;
}
