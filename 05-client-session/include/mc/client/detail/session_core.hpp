/// \file
/// \brief The state and tasks behind a Session handle: one connection, the FIFO of requests
/// awaiting replies, the connector and the heartbeat.

#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <utility>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "mc/client/detail/operation.hpp"
#include "mc/client/server_address.hpp"
#include "mc/client/session_options.hpp"
#include "mc/codec/memcached_codec.hpp"
#include "mc/net/connection.hpp"

namespace mc::client::detail {

/// \brief Everything a Session does, on the thread of one io_context. submit(), close() and
/// the getters may be called from any thread; the rest runs on that thread only, so nothing
/// here needs a lock.
class SessionCore : public std::enable_shared_from_this<SessionCore> {
 public:
  /// \brief A session to `server`; nothing happens until start().
  SessionCore(asio::io_context& io, ServerAddress server, SessionOptions options);

  /// \brief Starts the connector task, which connects and reconnects until close().
  void start();

  /// \brief Starts `operation`: sends it, queues it while a connection is being made, or fails
  /// it at once (a bad request, no connection, a closed session). Any thread.
  void submit(std::shared_ptr<Operation> operation);

  /// \brief Fails every pending call with Error::kSessionClosed (calls with a written request
  /// get Error::kConnectionLost) and stops reconnecting. Any thread; idempotent.
  void close();

  /// \brief The executor everything runs on.
  asio::io_context::executor_type executor() const { return io_.get_executor(); }

  /// \brief A fresh token for a meta command's `O` flag. Any thread.
  std::uint32_t next_opaque() { return opaque_.fetch_add(1, std::memory_order_relaxed); }

  /// \brief The server this session talks to.
  const ServerAddress& server() const { return server_; }

  /// \brief What the session has done so far.
  const SessionCounters& counters() const { return counters_; }

  /// \brief Whether a connection is up right now. Any thread.
  bool connected() const { return connected_.load(std::memory_order_relaxed); }

 private:
  using Codec = codec::MemcachedClientCodec;
  using Connection = net::Connection<Codec>;
  using Clock = std::chrono::steady_clock;

  /// Where the connector is: it decides what a new call does.
  enum class State { kConnecting, kConnected, kWaiting, kClosed };

  asio::awaitable<void> connector();
  asio::awaitable<void> heartbeat(std::shared_ptr<Connection> connection);
  void start_connection(net::Socket socket);
  void start_operation(std::shared_ptr<Operation> operation);
  void send(std::shared_ptr<Operation> operation, Clock::time_point now);
  void on_message(Connection& connection, const codec::Response& piece);
  void on_written(Connection& connection, std::size_t messages);
  void on_close(Connection& connection, std::error_code reason);
  void arm_deadlines(Clock::time_point at);
  void expire_deadlines();
  void fail_sent(std::error_code error);
  void fail_waiting(std::error_code error);
  void close_now();

  asio::io_context& io_;
  const ServerAddress server_;
  const SessionOptions options_;
  SessionCounters counters_;
  std::atomic<std::uint32_t> opaque_{1};
  std::atomic<bool> connected_{false};

  State state_ = State::kConnecting;
  bool closing_ = false;
  std::shared_ptr<Connection> connection_;
  net::Socket* connecting_ = nullptr;     // the socket being connected, so close() can abort it
  std::uint64_t write_calls_before_ = 0;  // write calls of the connections already closed

  // Calls submitted while connecting, sent (in order) once connected.
  std::deque<std::shared_ptr<Operation>> waiting_;
  // Sent calls that expect a reply, in the order they were sent: replies come back in this
  // order, so the front is always the call the next reply piece belongs to.
  std::deque<std::shared_ptr<Operation>> in_flight_;
  // Sent noreply calls, each with its message number on the connection: on_written completes
  // them once the writer is past that number.
  std::deque<std::pair<std::uint64_t, std::shared_ptr<Operation>>> unwritten_;
  std::uint64_t messages_sent_ = 0;
  std::uint64_t messages_written_ = 0;

  Clock::time_point last_sent_{};    // the last request handed to the connection
  Clock::time_point progress_at_{};  // the last reply piece seen, or when in_flight_ filled up
  std::uint64_t pieces_ = 0;         // reply pieces received
  std::uint64_t pieces_seen_ = 0;    // ... as the heartbeat last saw them

  // Every call's deadline is kept in its Operation; one timer wakes for the earliest.
  static constexpr auto kDeadlineResolution = std::chrono::milliseconds(1);
  asio::steady_timer deadlines_;
  Clock::time_point armed_for_ = Clock::time_point::max();  // where deadlines_ is set, if set

  // Timers that never expire on their own: cancelling one wakes its task.
  asio::steady_timer closed_;     // the connector waits here while the connection is up
  asio::steady_timer retry_;      // ... and here between attempts
  asio::steady_timer heartbeat_;  // the heartbeat's tick
  std::minstd_rand random_;       // reconnect jitter
};

}  // namespace mc::client::detail
