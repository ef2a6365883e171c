// One connection's share of the load: keeps requests in flight, matches the replies to them in
// order, times and checks them. Private to cppmc_bench's engine (load_generator.cpp).

#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>

#include "mc/bench/load_generator.hpp"
#include "mc/codec/memcached_codec.hpp"
#include "mc/net/connection.hpp"

namespace mc::bench::detail {

using Clock = std::chrono::steady_clock;
using ClientCodec = codec::MemcachedClientCodec;
using Connection = net::Connection<ClientCodec>;

/// Counts arrivals down to zero; the main thread waits for zero with a deadline.
class Countdown {
 public:
  explicit Countdown(std::size_t count) : count_(count) {}
  void arrive();
  /// True if the count reached zero before `deadline`.
  bool wait_until(Clock::time_point deadline);

 private:
  std::mutex mutex_;
  std::condition_variable zero_;
  std::size_t count_;
};

/// What every driver reads and nobody writes during a run.
struct Shared {
  const LoadOptions& options;
  const ValueSource& values;
  const ZipfTable* zipf;  // only for KeyPattern::kZipf
  Countdown& prefilled;   // each driver arrives once its prefill is done (or impossible)
  Countdown& finished;    // each driver arrives once it has stopped and drained (or died)
};

/// The load on one connection. Every member function but the constructor and
/// connect_failed() runs on the connection's own thread (the main thread posts them there).
class ConnectionDriver {
 public:
  /// `prefill_begin..prefill_end` are the keys this connection stores first; `budget` is its
  /// share of `--requests` (0: unlimited, the run is timed).
  ConnectionDriver(const Shared& shared, unsigned index, std::uint64_t prefill_begin,
                   std::uint64_t prefill_end, std::uint64_t budget);

  /// The connection is up: start the prefill, or report that there is none.
  void attach(Connection::Pointer connection);
  /// The connection could not be opened (main thread, before any other call).
  void connect_failed();
  /// Start the timed (or counted) load; requests sent in [from, until) are measured.
  void start_run(Clock::time_point from, Clock::time_point until);
  /// Send nothing new; report finished once every reply is in.
  void stop();
  /// One reply piece from the connection's reader.
  void on_message(const codec::Response& response);
  /// The connection has closed (after this nothing arrives).
  void on_close();
  /// Give up on a connection whose oldest request has waited longer than the timeout.
  void check_timeouts(Clock::time_point now);

  /// What this connection counted.
  const Totals& totals() const { return totals_; }

  /// The driver of a connection, or nullptr before attach().
  static ConnectionDriver* of(Connection& connection);

 private:
  enum class Phase { kIdle, kPrefill, kRun, kDone };
  enum class Kind : std::uint8_t { kSet, kGet };
  struct InFlight {
    Kind kind;
    bool measured;
    std::uint32_t keys;    // keys asked for (gets)
    std::uint32_t values;  // VALUE pieces received so far (gets)
    Clock::time_point sent;
  };

  void fill(Clock::time_point now);
  void send_next(Clock::time_point now);
  void send_set(std::uint64_t key, Clock::time_point now, bool measured);
  void send_get(Clock::time_point now, bool measured);
  void on_value(InFlight& request, const codec::ValueResponse& value);
  void complete(bool ok);
  void abandon(std::uint64_t& lost);
  void report_prefilled();
  void report_finished();

  const Shared& shared_;
  KeyChooser chooser_;
  std::uint64_t next_prefill_;
  const std::uint64_t prefill_end_;
  std::uint64_t budget_;  // requests left to send when counted (has_budget_)
  const bool has_budget_;
  std::uint64_t mix_counter_ = 0;

  Connection::Pointer connection_;
  Phase phase_ = Phase::kIdle;
  bool stopping_ = false;
  bool prefill_reported_ = false;
  bool finish_reported_ = false;
  Clock::time_point measure_from_{};
  Clock::time_point measure_until_{};

  std::deque<InFlight> in_flight_;
  std::deque<std::uint64_t> get_keys_;  // keys of the in-flight gets, in order (for --verify)
  Totals totals_;
};

}  // namespace mc::bench::detail
