// Helpers shared by the tests that run a Server<LineCodec> and look at its connections.

#pragma once

#include <fmt/format.h>

#include <future>
#include <mutex>
#include <string>
#include <system_error>

#include "mc/net/server.hpp"
#include "test_support.hpp"

namespace mc::net::testing {

using LineConnection = Connection<LineCodec>;

inline std::string close_event(std::error_code reason) { return "close:" + reason.message(); }

// A line echo server whose callbacks record what happens, in order.
inline Callbacks<LineCodec> recording_echo(EventLog& log) {
  return {
      .on_connect = [&log](LineConnection&) { log.add("connect"); },
      .on_message =
          [&log](LineConnection& connection, std::string_view line) {
            log.add(fmt::format("message:{}", line));
            connection.send(fmt::format("{}\n", line));
          },
      .on_close = [&log](LineConnection&, std::error_code reason) { log.add(close_event(reason)); },
  };
}

// Hands the test the server side of the first connection.
struct Captured {
  std::promise<LineConnection::Pointer> promise;
  std::future<LineConnection::Pointer> future = promise.get_future();
  std::once_flag once;
  void set(LineConnection& connection) {
    std::call_once(once, [&] { promise.set_value(connection.shared_from_this()); });
  }
  LineConnection::Pointer get() {
    if (future.wait_for(10s) != std::future_status::ready) return nullptr;
    return future.get();
  }
};

// Hands the test the server side of the first connection, and records how it closed.
inline Callbacks<LineCodec> capturing(Captured& captured, EventLog& log) {
  return {.on_connect = [&captured](LineConnection& c) { captured.set(c); },
          .on_close = [&log](LineConnection&,
                             std::error_code reason) { log.add(close_event(reason)); }};
}

}  // namespace mc::net::testing
