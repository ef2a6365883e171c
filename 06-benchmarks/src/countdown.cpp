#include "countdown.hpp"

namespace mc::bench::detail {

void Countdown::arrive() {
  std::lock_guard lock(mutex_);
  if (count_ > 0 && --count_ == 0) zero_.notify_all();
}

bool Countdown::wait_until(Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return zero_.wait_until(lock, deadline, [this] { return count_ == 0; });
}

}  // namespace mc::bench::detail
