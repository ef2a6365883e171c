// One connection's share of the load: a chapter 5 Session kept busy with `--pipeline` calls,
// each timed and checked when it completes. Private to cppmc_bench's engine (load_generator.cpp).

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <asio/io_context.hpp>

#include "countdown.hpp"
#include "mc/bench/load_generator.hpp"
#include "mc/client/session.hpp"

namespace mc::bench::detail {

/// What every driver reads and nobody writes during a run.
struct Shared {
  const LoadOptions& options;
  const ValueSource& values;
  const ZipfTable* zipf;  // only for KeyPattern::kZipf
  Countdown& prefilled;   // each driver arrives once its prefill is done (or impossible)
  Countdown& finished;    // each driver arrives once it has stopped and drained (or died)
};

/// The load on one Session. Every member function but the constructor, io() and totals() runs
/// on the thread of io() (the main thread posts them there), and so do the completion callbacks
/// of the session's calls: a driver's state has one owner, no lock.
class ConnectionDriver {
 public:
  /// A driver for one connection to `server`, living on `io`. `prefill_begin..prefill_end` are
  /// the keys it stores first; `budget` is its share of `--requests` (0: unlimited, the run is
  /// timed).
  ConnectionDriver(const Shared& shared, asio::io_context& io, const Target& server, unsigned index,
                   std::uint64_t prefill_begin, std::uint64_t prefill_end, std::uint64_t budget);

  /// The io_context whose thread runs this driver.
  asio::io_context& io() const { return io_; }

  /// Opens the session and starts the prefill (its calls wait for the connection).
  void open();
  /// Start the timed (or counted) load; requests sent in [from, until) are measured.
  void start_run(Clock::time_point from, Clock::time_point until);
  /// Send nothing new; report finished once every call has completed.
  void stop();
  /// Closes and destroys the session: calls still pending complete now, as lost.
  void close();

  /// Whether the session ever had a connection (known after close()).
  bool connected() const { return connected_; }
  /// What this connection counted.
  const Totals& totals() const { return totals_; }

 private:
  enum class Phase { kIdle, kPrefill, kRun, kDone };

  void fill(Clock::time_point now);
  void send_next(Clock::time_point now);
  void send_set(std::uint64_t key, Clock::time_point now, bool measured);
  void send_get(Clock::time_point now, bool measured);
  void send_multiget(Clock::time_point now, bool measured);
  void check(std::uint64_t asked, const client::Item& item);
  void check(const std::vector<std::uint64_t>& asked, const client::Item& item);
  bool answered(std::error_code error);
  void record(Clock::time_point sent, bool measured, bool is_get, std::uint64_t keys,
              std::uint64_t hits);
  void give_up();
  void report_prefilled();
  void report_finished();

  const Shared& shared_;
  asio::io_context& io_;
  const Target& server_;
  KeyChooser chooser_;
  std::uint64_t next_prefill_;
  const std::uint64_t prefill_end_;
  std::uint64_t budget_;  // requests left to send when counted (has_budget_)
  const bool has_budget_;
  std::uint64_t mix_counter_ = 0;

  std::optional<client::Session> session_;
  Phase phase_ = Phase::kIdle;
  bool connected_ = false;
  bool stopping_ = false;
  bool filling_ = false;  // fill() is on the stack: a call failing at once must not recurse
  bool prefill_reported_ = false;
  bool finish_reported_ = false;
  Clock::time_point measure_from_{};
  Clock::time_point measure_until_{};

  std::size_t in_flight_ = 0;  // calls made whose callback has not run yet
  std::string key_;            // the wire name being built (the session copies it)
  std::vector<std::string> multiget_names_;
  Totals totals_;
};

}  // namespace mc::bench::detail
