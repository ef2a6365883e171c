#include "mc/net/io_context_pool.hpp"

#include <algorithm>
#include <cassert>

#include "mc/common/log.hpp"

namespace mc::net {
namespace {

// Set once by each pool thread before it runs its io_context.
thread_local std::optional<std::size_t> tls_thread_index;

}  // namespace

IoContextPool::IoContextPool(unsigned threads) {
  const unsigned count = std::max(threads, 1u);
  for (unsigned i = 0; i < count; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread.
    auto& io = *contexts_.emplace_back(std::make_unique<asio::io_context>(1));
    guards_.emplace_back(asio::make_work_guard(io));
  }
}

IoContextPool::~IoContextPool() {
  if (!threads_.empty()) join(std::chrono::steady_clock::now());
}

std::size_t IoContextPool::next() {
  return next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size();
}

std::optional<std::size_t> IoContextPool::this_thread_index() { return tls_thread_index; }

void IoContextPool::start() {
  for (std::size_t index = 0; index < contexts_.size(); ++index) {
    std::promise<void> done;
    finished_.push_back(done.get_future());
    threads_.emplace_back([&io = *contexts_[index], index, done = std::move(done)]() mutable {
      tls_thread_index = index;
      // An exception escaping a handler leaves run(); log it and carry on serving the others.
      for (;;) {
        try {
          io.run();
          break;
        } catch (const std::exception& error) {
          common::log_error("I/O thread: handler threw: {}", error.what());
        }
      }
      done.set_value();
    });
  }
}

bool IoContextPool::runs_this_thread() const {
  return std::any_of(contexts_.begin(), contexts_.end(), [](const auto& context) {
    return context->get_executor().running_in_this_thread();
  });
}

bool IoContextPool::join(std::chrono::steady_clock::time_point deadline) {
  assert(!runs_this_thread() && "a pool thread cannot join itself");
  for (auto& guard : guards_) guard.reset();
  bool clean = true;
  for (std::size_t i = 0; i < finished_.size(); ++i) {
    if (finished_[i].wait_until(deadline) != std::future_status::ready) {
      common::log_warn("I/O thread {} still busy at the stop deadline; stopping it", i);
      contexts_[i]->stop();
      clean = false;
    }
  }
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  finished_.clear();
  return clean;
}

}  // namespace mc::net
