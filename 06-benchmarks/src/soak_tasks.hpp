// Coroutines spawned on the soak's one thread, and a bounded wait for all of them to end: Go's
// WaitGroup with a deadline. Private to cppmc_soak's engine.

#pragma once

#include <chrono>
#include <cstddef>
#include <exception>
#include <string>
#include <utility>

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>

#include "mc/common/asio.hpp"

namespace mc::bench::soak::detail {

class TaskGroup {
 public:
  explicit TaskGroup(asio::any_io_executor executor) : executor_(executor), wake_(executor) {}

  /// Starts `task`; an exception escaping it is kept (the first one) for failure().
  void spawn(asio::awaitable<void> task) {
    ++live_;
    asio::co_spawn(executor_, std::move(task), [this](std::exception_ptr error) {
      if (error && !failure_) failure_ = error;
      --live_;
      wake_.cancel();  // the waiter, if any, looks at live_ again
    });
  }

  /// Waits until every task has ended or `deadline` has passed.
  /// \return whether every task ended
  asio::awaitable<bool> wait(std::chrono::steady_clock::time_point deadline) {
    while (live_ > 0 && std::chrono::steady_clock::now() < deadline) {
      wake_.expires_at(deadline);
      co_await wake_.async_wait(common::kUseTuple);
    }
    co_return live_ == 0;
  }

  std::size_t live() const { return live_; }
  /// The first exception a task let escape, or null: a bug of the soak, not of the server.
  std::exception_ptr failure() const { return failure_; }

 private:
  asio::any_io_executor executor_;
  asio::steady_timer wake_;
  std::size_t live_ = 0;
  std::exception_ptr failure_;
};

}  // namespace mc::bench::soak::detail
