/// \file
/// \brief Graceful stop on SIGINT and SIGTERM, delivered on an io_context's own thread.

#pragma once

#include <functional>

#include <asio/any_io_executor.hpp>
#include <asio/signal_set.hpp>

namespace mc::common {

/// \brief Waits for SIGINT or SIGTERM and then calls a stop function once, as an ordinary
/// handler on the given executor, so the function may touch that thread's state freely.
///
/// A pending signal wait keeps `io_context::run()` busy: a program that stops for another
/// reason calls cancel() so that run() can return.
class StopSignals {
 public:
  /// \brief Starts waiting at once.
  /// \param executor where `on_stop` runs
  /// \param on_stop receives the signal number (SIGINT or SIGTERM)
  StopSignals(asio::any_io_executor executor, std::function<void(int)> on_stop);

  /// \brief Stops waiting; `on_stop` will not be called.
  void cancel();

 private:
  asio::signal_set signals_;
};

/// \brief Blocks the calling thread until SIGINT or SIGTERM arrives, for a main() whose server
/// runs on threads of its own.
///
/// The signal handlers are installed before `ready` runs, so a signal sent as soon as `ready`
/// has announced the server (a test does exactly that) stops it instead of killing it.
/// \return the signal that arrived
int wait_for_stop_signal(const std::function<void()>& ready);

}  // namespace mc::common
