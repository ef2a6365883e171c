// The soak's misbehaving clients, on raw sockets: each opens its own connection, does one bad
// thing, checks what little it may expect back, and leaves. Private to cppmc_soak's engine.

#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

#include "mc/bench/soak.hpp"
#include "soak_tasks.hpp"

namespace mc::bench::soak::detail {

class Faults {
 public:
  /// `victim` names a key some lane owns (half-written sets aim at it: its owner would see a
  /// torn value if the server kept one); `big_keys` are the shared keys with big values.
  Faults(asio::io_context& io, std::uint16_t port, const SoakOptions& options,
         std::vector<std::string> big_keys, std::function<std::string(std::mt19937_64&)> victim,
         SoakResult& result);

  /// Runs faults until `end`, then waits (bounded) for the last of them to finish.
  asio::awaitable<void> run(std::chrono::steady_clock::time_point end);

 private:
  asio::awaitable<void> half_set();
  asio::awaitable<void> reset_mid_reply();
  asio::awaitable<void> garbage();
  asio::awaitable<void> stall_loop(std::chrono::steady_clock::time_point end);
  asio::awaitable<void> stall();
  asio::awaitable<void> burst();

  asio::io_context& io_;
  std::uint16_t port_;
  const SoakOptions& options_;
  std::vector<std::string> big_keys_;
  std::function<std::string(std::mt19937_64&)> victim_;
  SoakResult& result_;
  std::mt19937_64 rng_;
  TaskGroup tasks_;
};

}  // namespace mc::bench::soak::detail
