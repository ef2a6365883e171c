// bench_session: load generator for the chapter's numbers (not a test).
//
//   bench_session gets --server 127.0.0.1:11211 [--coroutines 50] [--seconds 5]
//     One Session; each coroutine issues gets back to back. Prints requests per second and
//     requests per write call.
//   bench_session multiget --servers a,b,c,d [--keys 100] [--rounds 2000]
//     A Cluster's get_multi of KEYS keys, against each server's share of them on its own.

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <CLI/CLI.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include "mc/client/cluster.hpp"
#include "mc/client/session.hpp"

namespace {

using namespace mc::client;
using Clock = std::chrono::steady_clock;

constexpr int kKeySpace = 1000;

std::string key_name(int n) { return fmt::format("bench:{}", n); }

int run_gets(const ServerAddress& server, int coroutines, double seconds) {
  asio::io_context io;
  Session session(io, server);
  std::uint64_t ok = 0;
  std::uint64_t failed = 0;
  int running = coroutines;
  Clock::time_point start;
  Clock::time_point end;
  auto load = [&]() -> asio::awaitable<void> {
    for (int n = 0; n < kKeySpace; ++n) co_await session.set(key_name(n), std::string(32, 'v'));
    start = Clock::now();
    end =
        start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    for (int c = 0; c < coroutines; ++c) {
      asio::co_spawn(
          io,
          [&, c]() -> asio::awaitable<void> {
            for (int n = c; Clock::now() < end; n = (n + coroutines) % kKeySpace) {
              const auto item = co_await session.get(key_name(n));
              ++(item && *item ? ok : failed);
            }
            if (--running == 0) session.close();
          },
          asio::detached);
    }
  };
  asio::co_spawn(io, load(), asio::detached);
  io.run();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const auto requests = session.counters().requests.load();
  const auto writes = session.counters().write_calls.load();
  fmt::print(
      "gets: {} coroutines, {:.1f} s: {:.0f} gets/s ({} hits, {} failures), "
      "{:.1f} requests per write call\n",
      coroutines, elapsed, static_cast<double>(ok) / elapsed, ok, failed,
      static_cast<double>(requests) / static_cast<double>(std::max<std::uint64_t>(writes, 1)));
  return failed == 0 ? 0 : 1;
}

// Mean time of `rounds` sequential awaits of `call`, in microseconds.
template <typename Call>
asio::awaitable<double> mean_us(int rounds, Call call) {
  const auto start = Clock::now();
  for (int r = 0; r < rounds; ++r) co_await call();
  co_return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / rounds;
}

int run_multiget(const std::vector<ServerAddress>& servers, int key_count, int rounds) {
  asio::io_context io;
  ClusterOptions options;
  options.eject_after = 0;
  Cluster cluster(io, servers, options);
  int exit = 0;
  auto bench = [&]() -> asio::awaitable<void> {
    std::vector<std::string> keys;
    for (int n = 0; n < key_count; ++n) keys.push_back(key_name(n));
    for (const auto& key : keys) co_await cluster.set(key, std::string(32, 'v'));
    const std::vector<std::string_view> all(keys.begin(), keys.end());
    std::vector<std::vector<std::string_view>> shares(cluster.size());
    for (const auto key : all) shares[*cluster.locate(key)].push_back(key);

    co_await mean_us(rounds / 10, [&] { return cluster.get_multi(all); });  // warm up
    const double fan_out = co_await mean_us(rounds, [&] { return cluster.get_multi(all); });
    double slowest = 0;
    double sum = 0;
    for (std::size_t s = 0; s < cluster.size(); ++s) {
      if (shares[s].empty()) continue;
      const double alone = co_await mean_us(
          rounds, [&] { return cluster.session(s).get_multi(std::span(shares[s])); });
      fmt::print("  server {} alone: {:3} keys in {:.1f} us\n", servers[s].to_string(),
                 shares[s].size(), alone);
      slowest = std::max(slowest, alone);
      sum += alone;
    }
    const auto check = co_await cluster.get_multi(all);
    if (!check || static_cast<int>(check->size()) != key_count) exit = 1;
    fmt::print(
        "multiget: {} keys over {} servers: {:.1f} us fanned out; slowest share {:.1f} us; "
        "sum of shares {:.1f} us\n",
        key_count, cluster.size(), fan_out, slowest, sum);
    cluster.close();
  };
  asio::co_spawn(io, bench(), asio::detached);
  io.run();
  return exit;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_session: load generator for chapter 5"};
  app.require_subcommand(1);
  std::string server = "127.0.0.1:11211";
  std::string servers;
  int coroutines = 50;
  double seconds = 5;
  int keys = 100;
  int rounds = 2000;
  auto* gets = app.add_subcommand("gets", "one Session, coroutines issuing gets back to back");
  gets->add_option("--server", server);
  gets->add_option("--coroutines", coroutines)->check(CLI::PositiveNumber);
  gets->add_option("--seconds", seconds)->check(CLI::PositiveNumber);
  auto* multiget = app.add_subcommand("multiget", "Cluster get_multi vs each server's share");
  multiget->add_option("--servers", servers)->required();
  multiget->add_option("--keys", keys)->check(CLI::PositiveNumber);
  multiget->add_option("--rounds", rounds)->check(CLI::Range(10, 10'000'000));
  CLI11_PARSE(app, argc, argv);
  std::string why;
  if (gets->parsed()) {
    const auto address = parse_server_address(server, &why);
    if (!address) {
      fmt::print(stderr, "bench_session: {}\n", why);
      return 2;
    }
    return run_gets(*address, coroutines, seconds);
  }
  const auto list = parse_server_list(servers, &why);
  if (!list) {
    fmt::print(stderr, "bench_session: {}\n", why);
    return 2;
  }
  return run_multiget(*list, keys, rounds);
}
