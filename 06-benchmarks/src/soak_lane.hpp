// One well-behaved lane of the soak: it owns a set of keys (and a few counters), sends one
// command at a time on a shared Session, and judges every reply against what it knows is
// stored. Private to cppmc_soak's engine; everything runs on the soak's one thread.

#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <asio/awaitable.hpp>

#include "mc/bench/soak.hpp"
#include "mc/client/session.hpp"

namespace mc::bench::soak::detail {

/// What a lane needs to know about the run.
struct LaneSetup {
  unsigned id = 0;                         // names its keys: soak:<id>:<i>
  const SoakOptions& options;              // sizes, key counts, evictions
  const std::vector<std::string>& shared;  // keys every lane writes
};

/// The word a status is on the wire (`STORED`, `HD`, ...), for problem reports.
std::string_view reply_name(client::Status status);
std::string_view reply_name(client::MetaStatus status);

class Lane {
 public:
  Lane(client::Session& session, const LaneSetup& setup, SoakResult& result);

  /// Stores every owned key and counter once, so that reads have something to find.
  asio::awaitable<void> prefill();
  /// Random commands until `end`.
  asio::awaitable<void> run(std::chrono::steady_clock::time_point end);
  /// Reads every owned key and counter once with `get`, judging each.
  asio::awaitable<void> verify_all();

  /// How many of its keys and counters the lane knows hold a value, and whether it knows
  /// that of every one (no write is left unanswered).
  std::pair<std::size_t, bool> known_present() const;

  /// A key this lane owns, for a fault to aim a half-written `set` at.
  const std::string& some_key(std::mt19937_64& rng) const;

 private:
  asio::awaitable<void> one_command();
  asio::awaitable<void> set(std::size_t i);
  asio::awaitable<void> add(std::size_t i);
  asio::awaitable<void> cas(std::size_t i);
  asio::awaitable<void> append(std::size_t i);
  asio::awaitable<void> incr(std::size_t c);
  asio::awaitable<void> remove(std::size_t i);
  asio::awaitable<void> get(std::size_t i, bool with_cas);
  asio::awaitable<void> multi_get();
  asio::awaitable<void> meta_get(std::size_t i);
  asio::awaitable<void> meta_set(std::size_t i);
  asio::awaitable<void> meta_delete(std::size_t i);
  asio::awaitable<void> shared_set();
  asio::awaitable<void> get_counter(std::size_t c);

  // A new whole value for owned key i, from the lane's next version.
  std::string next_value(std::size_t i);
  std::uint32_t flags_of(std::uint64_t version) const;
  void judge_hit(const std::string& key, Expected& expected, std::string_view value,
                 std::uint32_t flags);
  void judge_miss(const std::string& key, Expected& expected);
  void judge_shared(const std::string& key, const std::string* value);
  // A reply the model rules out; the key's state becomes what the server said (or unknown).
  void wrong_reply(const std::string& key, std::string_view command, std::string_view got);
  // Whether a call failed without an answer (`error` set); writes then leave the key unknown.
  bool failed(std::error_code error, const std::string& key, std::string_view command);

  static constexpr std::uint64_t kCounterStart = 1000;  // what a counter is set to

  client::Session& session_;
  const LaneSetup setup_;
  SoakResult& result_;
  std::vector<std::string> keys_;
  std::vector<Expected> expected_;
  std::vector<std::string> counters_;
  std::vector<Expected> counter_expected_;
  std::uint64_t version_ = 0;
  std::mt19937_64 rng_;
};

}  // namespace mc::bench::soak::detail
