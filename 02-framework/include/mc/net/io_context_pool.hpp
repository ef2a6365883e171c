/// \file
/// \brief One io_context per thread: the threads of a Server or a Client.

#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <future>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

namespace mc::net {

/// \brief N io_contexts, each run by its own thread. A connection lives on one of them for its
/// whole life, so its state is only ever touched by one thread and needs no lock.
///
/// Each context holds a work guard, so its thread keeps running while it has nothing to do.
/// join() drops the guards: every run() then returns by itself once its last handler is done.
class IoContextPool {
 public:
  /// \brief Creates `threads` io_contexts (at least one); no thread runs until start().
  explicit IoContextPool(unsigned threads);
  /// \brief Stops at once (io_context::stop) and joins, if join() was not called.
  ~IoContextPool();
  IoContextPool(const IoContextPool&) = delete;
  IoContextPool& operator=(const IoContextPool&) = delete;

  /// \brief Number of io_contexts (and threads).
  std::size_t size() const { return contexts_.size(); }

  /// \brief The io_context at `index` (less than size()).
  asio::io_context& context(std::size_t index) { return *contexts_[index]; }

  /// \brief The index of the next context in round-robin order; callable from any thread.
  std::size_t next();

  /// \brief Starts one thread per io_context.
  void start();

  /// \brief The index of the io_context the calling thread runs, if it is a pool thread
  /// (of any pool): lets per-thread data be indexed without a lock.
  static std::optional<std::size_t> this_thread_index();

  /// \brief Whether the calling thread is one of the pool's threads.
  bool runs_this_thread() const;

  /// \brief Lets every run() return once it is out of work, waits until `deadline` for that,
  /// then, as a last resort, stops the io_contexts that are still busy. Joins every thread.
  /// Must not be called from one of the pool's own threads.
  /// \return true if every thread finished on its own before the deadline
  bool join(std::chrono::steady_clock::time_point deadline);

 private:
  using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;

  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<std::optional<WorkGuard>> guards_;
  std::vector<std::future<void>> finished_;  // ready when a thread's run() has returned
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace mc::net
