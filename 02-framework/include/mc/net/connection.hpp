/// \file
/// \brief A TCP (or TLS) connection with one reader and one writer coroutine, generic over its
/// Codec.

#pragma once

#include <unistd.h>

#include <algorithm>
#include <any>
#include <array>
#include <cassert>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/dispatch.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "mc/common/asio.hpp"
#include "mc/net/acceptor.hpp"
#include "mc/net/codec.hpp"
#include "mc/net/connection_stats.hpp"
#include "mc/net/detail/dormitory.hpp"
#include "mc/net/detail/draining_buffer.hpp"
#include "mc/net/detail/socket_now.hpp"
#include "mc/net/error.hpp"
#include "mc/net/options.hpp"
#include "mc/net/spare_read_buffers.hpp"
#include "mc/net/transport.hpp"

namespace mc::net {

template <Codec C>
class Connection;

namespace detail {

template <Codec C>
class ConnectionManager;

/// \brief Bytes in a range of buffers: checks that a codec's encode() told the truth.
template <typename Iterator>
std::size_t total_size(Iterator first, Iterator last) {
  std::size_t bytes = 0;
  for (; first != last; ++first) bytes += first->size();
  return bytes;
}

}  // namespace detail

/// \brief What the application plugs into a connection. Every callback runs on the
/// connection's own thread, in this order: on_connect once, on_message any number of times,
/// on_close exactly once. Empty callbacks are skipped.
template <Codec C>
struct Callbacks {
  /// Before the first read; a good place to fill Connection::context() or send a greeting.
  std::function<void(Connection<C>&)> on_connect{};
  /// Each decoded message, called inline by the reader. Views inside the message point into
  /// the read buffer and are valid only during this call.
  std::function<void(Connection<C>&, const typename C::Message&)> on_message{};
  /// After both coroutines have ended: nothing else will be called on this connection.
  /// The reason is an asio::error (eof, connection_reset, ...) or an mc::net::Error.
  std::function<void(Connection<C>&, std::error_code)> on_close{};
  /// After each gathered write has completed, with the number of messages it carried (in
  /// send() order). A client uses it to complete requests that expect no reply.
  std::function<void(Connection<C>&, std::size_t)> on_written{};
};

/// \brief One TCP connection: a reader coroutine that decodes and calls on_message inline,
/// and a writer coroutine that drains everything queued by send() into one gathered write.
/// Over TLS the same two coroutines run once the handshake is done: they see only a
/// Transport that reads and writes plain bytes.
///
/// A connection lives on one io_context thread. send(), close() and close_after_flush() may
/// be called from any thread; everything else belongs to the connection's own thread. It
/// keeps itself alive (shared_ptr) until on_close has run.
template <Codec C>
class Connection : public std::enable_shared_from_this<Connection<C>>, private detail::Sleeper {
 public:
  using Message = typename C::Message;          ///< what the codec decodes
  using OutMessage = typename C::OutMessage;    ///< what send() accepts
  using Pointer = std::shared_ptr<Connection>;  ///< how connections are held

  /// \brief Wraps a connected transport (a plain socket converts to one); nothing happens
  /// until start(). The options and callbacks are shared: all the connections of a server
  /// use the same ones, and each connection holds only two pointers to them.
  Connection(Transport transport, C codec, std::shared_ptr<const ConnectionOptions> options,
             std::shared_ptr<const Callbacks<C>> callbacks);

  /// \brief Closes the socket of a connection let go while asleep (Asio no longer owns it).
  ~Connection();

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// \brief Calls on_connect, then starts the reader and the writer (and the idle watchdog
  /// if ConnectionOptions::idle_timeout is set), all on the connection's own thread. A TLS
  /// transport first completes its handshake within ConnectionOptions::handshake_timeout;
  /// a failed one ends the connection (on_close gets the reason) before anything is read.
  void start();

  /// \brief Queues `message` for writing; callable from any thread, never blocks. From the
  /// connection's own thread it is queued at once; from another it is posted there. After
  /// close, messages are dropped.
  void send(OutMessage message);

  /// \brief Closes now: queued messages are dropped, on_close follows with Error::kClosed.
  /// Thread-safe and idempotent.
  void close();

  /// \brief Stops reading, lets the writer flush what is queued, then closes with
  /// Error::kStopped. Thread-safe; the caller bounds how long it waits (a peer that does not
  /// read keeps the flush waiting until close() or the idle timeout).
  void close_after_flush();

  /// \brief The peer's address, as it was when the connection was made.
  const asio::ip::tcp::endpoint& peer() const { return peer_; }

  /// \brief The socket's descriptor, as the kernel numbers it (for logs and `stats conns`).
  int native_handle() {
    return dormant_fd_ >= 0 ? dormant_fd_ : transport_.socket().native_handle();
  }

  /// \brief Whether the connection is encrypted (TLS).
  bool secure() const { return transport_.secure(); }

  /// \brief A slot for the application's per-connection state (own thread only).
  std::any& context() { return context_; }

  /// \brief Counters about this connection; readable from any thread.
  const ConnectionStats& stats() const { return stats_; }

  /// \brief The executor of the connection's io_context.
  Socket::executor_type get_executor() const { return executor_; }

  /// \brief Whether the caller runs on the connection's own thread.
  bool running_in_this_thread() const { return executor_.running_in_this_thread(); }

  /// \brief Puts the connection to sleep if it has been idle since the last call: nothing
  /// read, nothing buffered, nothing queued. A sleeping connection has no reader or writer
  /// coroutine, and its socket waits in its thread's detail::Dormitory instead of Asio's
  /// reactor; it wakes up (coroutines and all) when bytes come, or when it is sent something
  /// or closed. Its thread's ConnectionManager calls this every
  /// ConnectionOptions::sleep_after; own thread only.
  void sleep_if_idle();

 private:
  friend class detail::ConnectionManager<C>;  // keeps manager_slot_
  using Clock = std::chrono::steady_clock;
  /// Why decode_buffered() stopped handing messages to on_message.
  enum class Stop { kNeedMore, kHoldingTooMuch, kTurnUsed, kClosing };
  /// Whether the reader and writer coroutines run (see sleep_if_idle()).
  enum class Phase : std::uint8_t { kAwake, kFallingAsleep, kAsleep };

  // The connection's coroutines, and its timers, run on the io_context's own executor type, not
  // on asio::any_io_executor: a request's completions then pay no type-erased executor copies
  // and dispatches (chapter 6 measured what they cost).
  using Executor = Socket::executor_type;
  template <typename T = void>
  using Task = asio::awaitable<T, Executor>;
  static constexpr auto kUseTuple = common::kUseTupleOn<Executor>;
  using Timer = asio::basic_waitable_timer<Clock, asio::wait_traits<Clock>, Executor>;

  Task<> handshake_then_read();
  Task<> reader();
  Stop decode_buffered();
  Task<std::tuple<std::error_code, std::size_t>> read_while_idle();
  Task<std::tuple<std::error_code, std::size_t>> read_more();
  bool make_room();
  void give_back_read_buffer();
  std::size_t initial_read_size() const {
    return std::max<std::size_t>(options_->read_buffer_size, 1);
  }
  std::size_t held_bytes() const;
  bool holding_too_much() const;
  Task<> writer();
  Task<> watchdog();
  void spawn(Task<> task, const char* name, bool io = true);
  void task_done(bool io);
  void fall_asleep();
  detail::Dormitory& dormitory() {
    return asio::use_service<detail::Dormitory>(executor_.context());
  }
  void wake_in_dormitory() override;
  void leave_dormitory();
  void wake_up(std::error_code error);
  void wake_from_sleep();
  void finish();
  void enqueue(OutMessage message);
  void flush_from_reader();
  void written(std::size_t bytes, std::size_t messages);
  void release_spare_capacity();
  void drain(Error reason);
  void close_now(std::error_code reason);
  void touch();

  const Executor executor_;  // const: read by send() and close() on any thread
  Transport transport_;
  C codec_;
  const std::shared_ptr<const ConnectionOptions> options_;
  const std::shared_ptr<const Callbacks<C>> callbacks_;
  asio::ip::tcp::endpoint peer_;
  std::uint32_t manager_slot_ = 0;  // where its thread's ConnectionManager holds it
  std::any context_;
  ConnectionStats stats_;

  // What only the reader and the writer use: a sleeping connection has given it back, and
  // takes a new one when it wakes (or when it is sent something while asleep).
  struct Awake {
    explicit Awake(const Executor& executor)
        : wakeup(executor, Clock::time_point::max()), resume(executor, Clock::time_point::max()) {}
    // What an idle connection reads into while it has no read buffer. A request that does not
    // fit costs a second system call for the rest, so it is sized for most requests: a get of
    // ten keys, a set of a few hundred bytes (chapter 6 measured 64 bytes: twice the reads).
    std::array<char, 512> first_bytes{};
    // The read buffer: [read_start, read_end) holds bytes not decoded yet. A connection with
    // nothing buffered has none: it gives it back to its thread's SpareReadBuffers before it
    // waits, and takes one when bytes arrive.
    std::unique_ptr<char[]> read_buffer;
    std::size_t read_capacity = 0;
    std::size_t read_start = 0;
    std::size_t read_end = 0;
    std::size_t read_needed = 0;  // what the codec said the message at read_start needs
    // Timers that never expire by themselves: cancelling one is how a coroutine is woken.
    Timer wakeup;  // the writer waits here while the queue is empty
    Timer resume;  // the reader waits here while backpressure holds it
    // The write queue. Messages stay in `queue` until the write that uses them completes; the
    // codec's buffers point into them (a deque never moves its elements when it grows at an
    // end). send() appends to `pending` while the writer writes `writing`.
    std::deque<OutMessage> queue;
    std::vector<asio::const_buffer> pending;
    std::vector<asio::const_buffer> writing;
    std::size_t pending_messages = 0;  // queued messages not handed to a write yet
    std::size_t queued_bytes = 0;      // their encoded bytes and those of the write in flight
  };
  std::unique_ptr<Awake> awake_;  // null while asleep (and once finished)
  // What the idle timeout needs, if it is set (ConnectionOptions::idle_timeout).
  struct Watchdog {
    explicit Watchdog(const Executor& executor) : timer(executor) {}
    Timer timer;
    Clock::time_point last_activity;
  };
  std::unique_ptr<Watchdog> watchdog_;

  Phase phase_ = Phase::kAwake;
  std::uint8_t live_tasks_ = 0;       // coroutines running: reader, writer, watchdog
  std::uint8_t io_tasks_ = 0;         // of which the reader and the writer
  int dormant_fd_ = -1;               // asleep: the socket's descriptor, released from Asio
  bool active_ = true;                // something was read since the last sleep_if_idle()
  bool reader_waiting_idle_ = false;  // the reader waits in read_while_idle() for a request
  bool handshake_done_ = false;       // a deadline that fires later finds it set and does nothing
  bool writer_idle_ = false;
  bool socket_emptied_ = false;  // the last read took less than it had room for
  bool reads_whole_ = false;     // the last request outgrew first_bytes: wait with the buffer
  bool reading_batch_ = false;   // the reader is calling on_message for the bytes of one read
  bool reader_paused_ = false;
  bool draining_ = false;
  Error drain_reason_ = Error::kStopped;
  bool closed_ = false;
  std::error_code reason_;
};

}  // namespace mc::net

// The member definitions: templates, so they live in a header too, kept apart for reading.
#include "mc/net/detail/connection_impl.hpp"
#include "mc/net/detail/connection_reader.hpp"
