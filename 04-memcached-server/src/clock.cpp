#include "mc/server/clock.hpp"

#include <ctime>

namespace mc::server {

namespace {
// memcached starts `current_time` at ITEM_UPDATE_INTERVAL + 2 = 62 so that no real time
// can equal the marker 1 used for "expired" exptimes.
constexpr std::int64_t kEpochOffset = 62;
}  // namespace

Clock::Clock(std::int64_t unix_now)
    : epoch_(unix_now - kEpochOffset), now_(static_cast<RelTime>(kEpochOffset)) {}

Clock::Clock() : Clock(static_cast<std::int64_t>(std::time(nullptr))) {}

void Clock::set_unix_time(std::int64_t unix_now) {
  // The clock never goes back: an exptime that was due must stay due.
  const auto rel = static_cast<RelTime>(unix_now - epoch_);
  if (rel > now()) now_.store(rel, std::memory_order_relaxed);
}

void Clock::advance(std::uint32_t seconds) {
  now_.store(now() + seconds, std::memory_order_relaxed);
}

RelTime Clock::exptime_to_rel(std::int64_t exptime) const {
  if (exptime == 0) return 0;
  if (exptime < 0) return 1;
  if (exptime > kMaxRelativeExptime) {
    if (exptime <= epoch_) return 1;
    return static_cast<RelTime>(exptime - epoch_);
  }
  return static_cast<RelTime>(exptime + now());
}

std::int64_t Clock::seconds_left(RelTime exptime) const {
  if (exptime == 0) return -1;
  return static_cast<std::int64_t>(exptime) - static_cast<std::int64_t>(now());
}

}  // namespace mc::server
