/// \file
/// \brief The store's coarse clock: seconds since the process started, ticked once a second,
/// and memcached's rules for turning a client's exptime into that time scale.

#pragma once

#include <atomic>
#include <cstdint>

namespace mc::server {

/// \brief Seconds since the clock's epoch (memcached's `rel_time_t`). 0 in an exptime means
/// "never expires".
using RelTime = std::uint32_t;

/// \brief memcached's limit between relative and absolute exptimes: 30 days, in seconds.
inline constexpr std::int64_t kMaxRelativeExptime = 60 * 60 * 24 * 30;

/// \brief A clock that moves only when told to, as memcached's `current_time` does.
///
/// Reading the system time on every request costs a system call (or at best a vDSO call);
/// memcached instead ticks a global once a second from a timer, and so do we: the server calls
/// set_unix_time() from a one-second timer, and tests set the time they want. The epoch is 62
/// seconds before the clock's creation, as memcached's `process_started`, so "now" is never
/// small enough to collide with the "already expired" marker 1.
///
/// now() is an atomic relaxed load: one clock may be read by stores on several threads while
/// one thread ticks it.
class Clock {
 public:
  /// \brief Starts the clock at the given unix time (seconds).
  explicit Clock(std::int64_t unix_now);

  /// \brief Starts the clock at the current system time.
  Clock();

  /// \brief Moves the clock to `unix_now` (the server's one-second tick; tests).
  void set_unix_time(std::int64_t unix_now);

  /// \brief Moves the clock forward by `seconds` (tests).
  void advance(std::uint32_t seconds);

  /// \brief The current time in seconds since the epoch.
  RelTime now() const { return now_.load(std::memory_order_relaxed); }

  /// \brief The current time as a unix time.
  std::int64_t unix_time() const { return epoch_ + now(); }

  /// \brief The unix time of a clock time (key dumps print exptimes and access times so).
  std::int64_t to_unix(RelTime time) const { return epoch_ + time; }

  /// \brief Converts a client's exptime into clock time, as memcached's `realtime()`.
  ///
  /// 0 stays 0 (never expires); a negative value becomes 1, already in the past; up to 30 days
  /// is relative to now; anything larger is an absolute unix time, and one at or before the
  /// epoch becomes 1 as well.
  RelTime exptime_to_rel(std::int64_t exptime) const;

  /// \brief Seconds left before `exptime` (clock time) passes: -1 for "never", 0 or less when
  /// due. Meta commands report this as the `t` flag.
  std::int64_t seconds_left(RelTime exptime) const;

 private:
  std::int64_t epoch_;
  std::atomic<RelTime> now_;
};

}  // namespace mc::server
