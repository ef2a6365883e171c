// One connection of the look-aside benchmark: a chapter 5 Session running `--depth` look-ups at
// once, each a get and, on a miss, a set. Private to cppmc_lookaside's engine (lookaside.cpp).

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <asio/io_context.hpp>

#include "countdown.hpp"
#include "mc/bench/key_profile.hpp"
#include "mc/bench/lookaside.hpp"
#include "mc/bench/workload.hpp"
#include "mc/bench/zipf_sampler.hpp"
#include "mc/client/session.hpp"

namespace mc::bench::detail {

/// What every connection reads and nobody writes during a run.
struct LookasideShared {
  const LookasideOptions& options;
  const ZipfSampler& zipf;
  const KeyProfile& profile;
  std::string_view text;      // kMaxValueSize bytes: every value is a prefix of it
  Clock::time_point start;    // when the first get was allowed
  Clock::time_point stop_at;  // no get is sent from then on (max() when only counted)
  Countdown& finished;        // each connection arrives once its look-ups are all done
};

/// The look-aside loop on one Session. Every member function but the constructor, io(),
/// connected() and counts() runs on the thread of io(), and so do the callbacks of its calls:
/// its state has one owner, no lock.
class LookasideConnection {
 public:
  /// A connection living on `io`, the `index`-th of the run. It sends `budget` gets (0: no
  /// limit but the clock) and does not count the first `warmup` of them.
  LookasideConnection(const LookasideShared& shared, asio::io_context& io, unsigned index,
                      std::uint64_t budget, std::uint64_t warmup);

  /// The io_context whose thread runs this connection.
  asio::io_context& io() const { return io_; }

  /// Opens the session and starts `--depth` look-ups (they wait for the connection).
  void start();
  /// Closes and destroys the session: calls still pending complete now, as lost.
  void close();

  /// Whether the session ever had a connection (known after close()).
  bool connected() const { return connected_; }
  /// What this connection counted (read after close()).
  const LookasideCounts& counts() const { return counts_; }

 private:
  void look_up();
  void on_get(std::uint64_t key, unsigned phase, bool measured,
              client::Result<std::optional<client::Item>> item);
  void on_set(bool measured, client::Result<client::Status> stored);
  bool more_to_send() const;
  unsigned current_phase() const;
  bool expected(std::uint64_t key, const client::Item& item) const;
  void give_up();
  void finish_one();

  const LookasideShared& shared_;
  asio::io_context& io_;
  Random random_;
  const std::uint64_t budget_;
  const std::uint64_t warmup_;
  std::uint64_t sent_ = 0;  // gets sent so far
  std::optional<client::Session> session_;
  unsigned active_ = 0;  // look-ups still running (a get, maybe followed by its set)
  bool gave_up_ = false;
  bool connected_ = false;
  bool finish_reported_ = false;
  std::string key_;  // the wire name being built (the session copies it)
  LookasideCounts counts_;
};

}  // namespace mc::bench::detail
