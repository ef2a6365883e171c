// Helpers shared by the session, cluster and cppmc tests: an io_context on its own thread,
// the servers to test against (real memcached, and cppmemcached when it is built), and a fake
// server whose every byte the test controls.

#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include "mc/testing/process.hpp"

namespace mc::client::testing {

using namespace std::chrono_literals;

/// An io_context run by a thread of its own, so that tests can block while sessions work.
class IoThread {
 public:
  IoThread();
  /// Lets run() return once every session is closed; stops it by force after 10 s.
  ~IoThread();
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  asio::io_context& io() { return io_; }

  /// Runs `task` on the io thread and waits for its result (throws after `timeout`).
  template <typename T>
  T run(asio::awaitable<T> task, std::chrono::milliseconds timeout = 60s) {
    auto future = asio::co_spawn(io_, std::move(task), asio::use_future);
    if (future.wait_for(timeout) != std::future_status::ready) {
      throw std::runtime_error("coroutine did not finish in time");
    }
    return future.get();
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::promise<void> finished_;
  std::thread thread_;
};

/// Which server binary a test talks to.
enum class Backend { kMemcached, kCppmemcached };

/// memcached always; cppmemcached too when the build has it.
std::vector<Backend> backends();

/// `memcached` or `cppmemcached`, for test names.
std::string backend_name(Backend backend);

/// A server process on 127.0.0.1.
struct RunningServer {
  mc::testing::Process process;  ///< the child
  std::uint16_t port;            ///< where it listens
};

/// Starts `backend` on `port` (0: a free one) and waits until it accepts connections.
RunningServer start_backend(Backend backend, std::uint16_t port = 0,
                            std::vector<std::string> extra = {});

/// Polls `condition` every millisecond until it holds or `timeout` passes.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s);

/// A listening socket on 127.0.0.1 that answers nothing by itself: the test accepts its
/// connections, reads what the client sent and writes what it likes, when it likes.
class FakeServer {
 public:
  FakeServer();
  ~FakeServer();
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  std::uint16_t port() const { return port_; }

  /// One accepted connection.
  class Peer {
   public:
    explicit Peer(int fd) : fd_(fd) {}
    Peer(Peer&& other) noexcept : fd_(std::exchange(other.fd_, -1)), buffer_(other.buffer_) {}
    Peer& operator=(Peer&&) = delete;
    ~Peer();
    /// The next line, `\r\n` included; throws on timeout or end of stream.
    std::string read_line(std::chrono::milliseconds timeout = 10s);
    /// Whether the client closed the connection within `timeout` (bytes are discarded).
    bool wait_closed(std::chrono::milliseconds timeout = 10s);
    /// Writes all of `bytes`.
    void send(std::string_view bytes);

   private:
    int fd_;
    std::string buffer_;
  };

  /// Accepts the next connection; nothing if none comes within `timeout`.
  std::optional<Peer> accept(std::chrono::milliseconds timeout = 10s);

 private:
  int fd_;
  std::uint16_t port_;
};

}  // namespace mc::client::testing
