// Helpers shared by the in-process tests of mc::net.

#pragma once

#include <sys/resource.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "mc/net/codec.hpp"

namespace mc::net::testing {

using namespace std::chrono_literals;

/// A newline-delimited codec for tests: unlike RawCodec it needs more bytes for a partial line,
/// so messages split across reads exercise the reader's buffer compaction. A line starting
/// with '!' is undecodable.
struct LineCodec {
  using Message = std::string_view;  // the line without its '\n'
  using OutMessage = std::string;    // written as is

  Decoded<Message> decode(std::string_view input) const {
    if (!input.empty() && input.front() == '!') return {DecodeStatus::kError, 0, {}};
    const auto newline = input.find('\n');
    if (newline == std::string_view::npos) return {};
    return {DecodeStatus::kMessage, newline + 1, input.substr(0, newline)};
  }

  std::size_t encode(const OutMessage& message, std::vector<asio::const_buffer>& out) const {
    out.push_back(asio::buffer(message));
    return message.size();
  }
};

/// Polls `condition` until it holds or `timeout` passes: a bounded wait for something that
/// happens on another thread. Returns whether it held.
inline bool wait_until(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

/// Thread-safe list of strings: callbacks append on I/O threads, the test reads.
class EventLog {
 public:
  void add(std::string event) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
  }
  std::vector<std::string> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::size_t count(std::string_view event) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& e : events_) n += e == event;
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> events_;
};

/// Raises the open-file limit to the hard limit (at most `wanted`): tests with a thousand
/// connections hold two sockets per connection in one process.
inline void raise_fd_limit(rlim_t wanted = 8192) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min(wanted, limit.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace mc::net::testing
