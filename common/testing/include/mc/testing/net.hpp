/// \file
/// \brief Blocking loopback networking for integration tests: free ports, readiness polling
/// and a line-oriented client with timeouts.

#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace mc::testing {

using namespace std::chrono_literals;

/// \brief A TCP port on 127.0.0.1 that was free a moment ago (for programs such as memcached
/// that cannot pick their own and report it).
std::uint16_t free_port();

/// \brief Polls `connect()` to 127.0.0.1:`port` until it succeeds or `timeout` passes.
/// \return whether the port accepted a connection in time
bool wait_until_accepting(std::uint16_t port, std::chrono::milliseconds timeout = 10s);

/// \brief A blocking TCP client on 127.0.0.1 for tests. Every read has a deadline; a timeout,
/// an error or an early end of stream throws std::runtime_error naming what was expected.
class LineClient {
 public:
  /// \brief Connects to 127.0.0.1:`port`; throws if the connection is refused.
  explicit LineClient(std::uint16_t port);
  /// \brief Takes over `other`'s connection.
  LineClient(LineClient&& other) noexcept;
  LineClient& operator=(LineClient&& other) = delete;
  LineClient(const LineClient&) = delete;
  LineClient& operator=(const LineClient&) = delete;
  ~LineClient();

  /// \brief Sends all of `bytes`.
  void send(std::string_view bytes);

  /// \brief Reads up to and including the next `\n`.
  std::string read_line(std::chrono::milliseconds timeout = 10s);

  /// \brief Reads exactly `count` bytes.
  std::string read_exact(std::size_t count, std::chrono::milliseconds timeout = 10s);

  /// \brief Waits for the peer to close the connection, discarding any bytes that arrive.
  /// \return true if it closed within `timeout`
  bool wait_closed(std::chrono::milliseconds timeout = 10s);

  /// \brief Closes the connection with a reset instead of an orderly FIN.
  void reset();

  /// \brief Shuts down our sending side (the peer reads end of stream).
  void shutdown_send();

  /// \brief The socket, for a test that writes to it itself (say, without blocking).
  int native_handle() const { return fd_; }

 private:
  /// Reads once into buffer_; returns false on end of stream. Throws on timeout or error.
  bool fill(std::chrono::steady_clock::time_point deadline, std::string_view waiting_for);

  int fd_;
  std::string buffer_;
};

}  // namespace mc::testing
