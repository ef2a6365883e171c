/// \file
/// \brief Counters with one writer and many readers.

#pragma once

#include <atomic>

namespace mc::common {

/// \brief Adds to a counter that only one thread writes: a plain load and store is enough
/// (no locked read-modify-write), and readers on other threads still see whole values.
template <typename T>
void bump(std::atomic<T>& counter, T delta = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

}  // namespace mc::common
