// A count of arrivals that a thread waits to reach zero, with a deadline: how the main thread of
// a load generator learns that every connection is done. Private to mc::bench's engines.

#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace mc::bench::detail {

using Clock = std::chrono::steady_clock;

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

}  // namespace mc::bench::detail
