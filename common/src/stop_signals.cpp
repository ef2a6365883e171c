#include "mc/common/stop_signals.hpp"

#include <csignal>

#include <asio/io_context.hpp>

#include "mc/common/log.hpp"

namespace mc::common {

StopSignals::StopSignals(asio::any_io_executor executor, std::function<void(int)> on_stop)
    : signals_(executor, SIGINT, SIGTERM) {
  signals_.async_wait(
      [on_stop = std::move(on_stop)](const asio::error_code& error, int signal_number) {
        if (error) return;  // cancelled: the program is stopping some other way
        log_info("signal {} received, stopping", signal_number);
        on_stop(signal_number);
      });
}

void StopSignals::cancel() { signals_.cancel(); }

int wait_for_stop_signal(const std::function<void()>& ready) {
  asio::io_context io(1);
  int received = 0;
  StopSignals signals(io.get_executor(),
                      [&received](int signal_number) { received = signal_number; });
  ready();
  io.run();  // returns once the signal's handler has run: nothing else is waiting
  return received;
}

}  // namespace mc::common
