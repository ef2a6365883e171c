#include "mc/client/detail/session_core.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/dispatch.hpp>

#include "mc/common/asio.hpp"
#include "mc/common/log.hpp"
#include "mc/net/connector.hpp"

namespace mc::client {

std::chrono::milliseconds reconnect_delay(unsigned failures,
                                          std::chrono::milliseconds reconnect_min,
                                          std::chrono::milliseconds reconnect_max, double jitter) {
  // Doubling 2^failures overflows quickly; past 30 doublings any minimum is beyond the cap.
  const double base =
      std::min<double>(static_cast<double>(reconnect_max.count()),
                       static_cast<double>(reconnect_min.count()) *
                           std::ldexp(1.0, static_cast<int>(std::min(failures, 30u))));
  const double delay = base / 2 + std::clamp(jitter, 0.0, 1.0) * base / 2;
  return std::chrono::milliseconds(static_cast<std::int64_t>(delay));
}

namespace detail {

using common::kUseTuple;

SessionCore::SessionCore(asio::io_context& io, ServerAddress server, SessionOptions options)
    : io_(io),
      server_(std::move(server)),
      options_(options),
      deadlines_(io),
      closed_(io, Clock::time_point::max()),
      retry_(io),
      heartbeat_(io),
      random_(std::random_device{}()) {}

void SessionCore::start() {
  asio::co_spawn(
      io_, [self = shared_from_this()] { return self->connector(); },
      common::report_exception("session connector"));
}

//! [connector]
asio::awaitable<void> SessionCore::connector() {
  unsigned failures = 0;  // attempts in a row that ended without a single reply
  while (!closing_) {
    state_ = State::kConnecting;
    net::Socket socket(io_);
    connecting_ = &socket;
    const std::error_code error = co_await net::async_connect(
        socket, std::string(server_.connect_host()), server_.port, options_.connect_timeout);
    connecting_ = nullptr;
    if (closing_) break;
    if (error) {
      counters_.connect_failures.fetch_add(1, std::memory_order_relaxed);
      common::log_debug("session {}: connect failed: {}", server_.to_string(), error.message());
      state_ = State::kWaiting;
      fail_waiting(Error::kNotConnected);
    } else {
      const std::uint64_t replies_before = counters_.replies.load(std::memory_order_relaxed);
      start_connection(std::move(socket));
      while (connection_) co_await closed_.async_wait(kUseTuple);  // on_close() wakes us
      if (closing_) break;
      // A server that accepts and hangs up at once must not be retried at full speed.
      if (counters_.replies.load(std::memory_order_relaxed) != replies_before) failures = 0;
    }
    std::uniform_real_distribution<double> jitter(0.0, 1.0);
    retry_.expires_after(reconnect_delay(failures++, options_.reconnect_min, options_.reconnect_max,
                                         jitter(random_)));
    co_await retry_.async_wait(kUseTuple);
  }
  state_ = State::kClosed;
  fail_waiting(Error::kSessionClosed);
}
//! [connector]

void SessionCore::start_connection(net::Socket socket) {
  auto self = shared_from_this();
  // The callbacks hold the session; the connection lets go of them when it is destroyed,
  // after on_close, so the cycle session -> connection -> callbacks -> session ends there.
  net::Callbacks<Codec> callbacks{
      .on_message = [self](Connection& c, const codec::Response& r) { self->on_message(c, r); },
      .on_close = [self](Connection& c, std::error_code reason) { self->on_close(c, reason); },
      .on_written = [self](Connection& c, std::size_t n) { self->on_written(c, n); },
  };
  // Over TLS the connection handshakes first; calls queued meanwhile wait for it.
  net::Transport transport =
      options_.tls ? net::Transport(std::move(socket), options_.tls, net::TlsRole::kClient,
                                    std::string(server_.connect_host()))
                   : net::Transport(std::move(socket));
  connection_ = std::make_shared<Connection>(
      std::move(transport), Codec{},
      std::make_shared<const net::ConnectionOptions>(options_.connection),
      std::make_shared<const net::Callbacks<Codec>>(std::move(callbacks)));
  connection_->start();
  messages_sent_ = messages_written_ = 0;
  state_ = State::kConnected;
  connected_.store(true, std::memory_order_relaxed);
  counters_.connects.fetch_add(1, std::memory_order_relaxed);
  last_sent_ = progress_at_ = Clock::now();

  // Calls made while we connected go first, in the order they were made.
  auto waiting = std::exchange(waiting_, {});
  for (auto& operation : waiting) {
    // A timed-out one is simply dropped.
    if (!operation->done()) send(std::move(operation), last_sent_);
  }
  if (options_.heartbeat_interval.count() > 0 || options_.heartbeat_timeout.count() > 0) {
    asio::co_spawn(io_, heartbeat(connection_), common::report_exception("session heartbeat"));
  }
}

void SessionCore::submit(std::shared_ptr<Operation> operation) {
  // The queues belong to the session's thread: hand the call over instead of locking.
  asio::dispatch(io_, [self = shared_from_this(), operation = std::move(operation)]() mutable {
    self->start_operation(std::move(operation));
  });
}

void SessionCore::start_operation(std::shared_ptr<Operation> operation) {
  // Failing here may be failing inside the caller's own call (submit() dispatches), so the
  // outcome is posted: a coroutine that loops on calls to a down server must not recurse.
  if (operation->command.invalid) {
    operation->complete_posted(operation->command.invalid);  // nothing was sent
    return;
  }
  if (state_ == State::kWaiting || state_ == State::kClosed) {
    // No connection and none being made: fail now rather than wait for the next attempt.
    operation->complete_posted(state_ == State::kClosed ? Error::kSessionClosed
                                                        : Error::kNotConnected);
    return;
  }
  const auto now = Clock::now();
  const auto timeout =
      operation->command.timeout.count() > 0 ? operation->command.timeout : options_.timeout;
  operation->deadline = now + timeout;
  if (operation->deadline < armed_for_) arm_deadlines(operation->deadline);
  if (state_ == State::kConnecting) {
    waiting_.push_back(std::move(operation));
  } else {
    send(std::move(operation), now);
  }
}

//! [send]
void SessionCore::send(std::shared_ptr<Operation> operation, Clock::time_point now) {
  if (operation->command.noreply) {
    unwritten_.emplace_back(messages_sent_, operation);
  } else {
    if (in_flight_.empty()) progress_at_ = now;  // the server owes us a reply from now on
    in_flight_.push_back(operation);
  }
  ++messages_sent_;
  last_sent_ = now;
  counters_.requests.fetch_add(1, std::memory_order_relaxed);
  Command& command = operation->command;
  // The write queue keeps the operation alive until the bytes are written: `data` is a view.
  connection_->send(codec::OutRequest{std::move(command.line), command.data, command.has_data,
                                      std::move(operation)});
}
//! [send]

//! [on-message]
void SessionCore::on_message(Connection& connection, const codec::Response& piece) {
  ++pieces_;  // progress, for the heartbeat (cheaper than reading the clock per piece)
  if (in_flight_.empty()) {
    common::log_warn("session {}: reply with no request waiting", server_.to_string());
    connection.close();  // out of step: on_close fails whatever is left
    return;
  }
  Operation& head = *in_flight_.front();
  const Feed fed = feed(head.command.expect, head.command.opaque, piece, head.reply);
  if (fed == Feed::kMore) return;
  // Pop before completing: completing may resume a coroutine that submits more calls.
  const auto finished = std::move(in_flight_.front());
  in_flight_.pop_front();
  if (fed == Feed::kUnexpected) {
    finished->complete(Error::kUnexpectedReply);
    connection.close();
    return;
  }
  counters_.replies.fetch_add(1, std::memory_order_relaxed);
  // A call that timed out kept its place so that this reply would not be given to the next
  // call; now that its reply is here, it is thrown away.
  if (finished->done()) counters_.late_replies.fetch_add(1, std::memory_order_relaxed);
  finished->complete({});
}
//! [on-message]

void SessionCore::on_written(Connection& connection, std::size_t messages) {
  counters_.write_calls.store(write_calls_before_ + connection.stats().write_calls.load(),
                              std::memory_order_relaxed);
  messages_written_ += messages;
  while (!unwritten_.empty() && unwritten_.front().first < messages_written_) {
    const auto written = std::move(unwritten_.front().second);
    unwritten_.pop_front();
    written->complete({});  // noreply: written is all the success there is
  }
}

void SessionCore::on_close(Connection& connection, std::error_code reason) {
  if (&connection != connection_.get()) return;
  common::log_debug("session {}: connection closed: {}", server_.to_string(), reason.message());
  write_calls_before_ += connection.stats().write_calls.load();
  counters_.write_calls.store(write_calls_before_, std::memory_order_relaxed);
  counters_.disconnects.fetch_add(1, std::memory_order_relaxed);
  connection_.reset();
  connected_.store(false, std::memory_order_relaxed);
  if (state_ != State::kClosed) state_ = State::kWaiting;  // new calls fail fast from now on
  heartbeat_.cancel();
  closed_.cancel();  // wakes the connector
  fail_sent(Error::kConnectionLost);
}

//! [deadlines]
// One timer for all the calls of the session, set to the earliest deadline, rather than a timer
// per call: arming and cancelling a timer per call would cost more than writing the request.
void SessionCore::arm_deadlines(Clock::time_point at) {
  armed_for_ = at;
  deadlines_.expires_at(at);  // a wait already pending completes with operation_aborted
  deadlines_.async_wait([self = shared_from_this()](std::error_code error) {
    if (!error) self->expire_deadlines();
  });
}

// Times out every call whose deadline has passed and re-arms for the earliest one left. Calls
// complete in the order they were made; whoever they call back may make new calls.
void SessionCore::expire_deadlines() {
  armed_for_ = Clock::time_point::max();
  const auto now = Clock::now();
  auto next = Clock::time_point::max();
  std::vector<std::shared_ptr<Operation>> expired;
  const auto look_at = [&](const std::shared_ptr<Operation>& operation) {
    if (operation->done()) return;
    if (operation->deadline <= now) {
      expired.push_back(operation);
    } else {
      next = std::min(next, operation->deadline);
    }
  };
  for (const auto& operation : waiting_) look_at(operation);
  for (const auto& operation : in_flight_) look_at(operation);
  for (const auto& [number, operation] : unwritten_) look_at(operation);
  // Collected first, completed after: a completion may add calls to the queues walked above.
  for (const auto& operation : expired) {
    counters_.timeouts.fetch_add(1, std::memory_order_relaxed);
    operation->complete(Error::kTimeout);  // it stays in its queue, done: see on_message
  }
  // A completion may have made a call and armed the timer for it; keep the earlier of the two.
  // Deadlines a hair apart share one wake-up, so a long queue is not walked per call.
  if (next < armed_for_) arm_deadlines(std::max(next, now + kDeadlineResolution));
}
//! [deadlines]

void SessionCore::fail_sent(std::error_code error) {
  // Take the queues first: a completion may submit new calls, which must not land in them.
  auto in_flight = std::exchange(in_flight_, {});
  auto unwritten = std::exchange(unwritten_, {});
  for (const auto& operation : in_flight) operation->complete(error);
  for (const auto& [number, operation] : unwritten) operation->complete(error);
}

void SessionCore::fail_waiting(std::error_code error) {
  auto waiting = std::exchange(waiting_, {});
  for (const auto& operation : waiting) operation->complete(error);
}

void SessionCore::close() {
  asio::dispatch(io_, [self = shared_from_this()] { self->close_now(); });
}

void SessionCore::close_now() {
  if (closing_) return;
  closing_ = true;
  state_ = State::kClosed;
  if (connecting_ != nullptr) {
    std::error_code ignored;
    connecting_->close(ignored);  // the pending connect completes with operation_aborted
  }
  if (connection_) connection_->close();  // on_close fails the calls already sent
  retry_.cancel();
  closed_.cancel();
  heartbeat_.cancel();
  deadlines_.cancel();
  armed_for_ = Clock::time_point::max();
  fail_waiting(Error::kSessionClosed);
}

//! [heartbeat]
asio::awaitable<void> SessionCore::heartbeat(std::shared_ptr<Connection> connection) {
  const auto interval = options_.heartbeat_interval;
  const auto timeout = options_.heartbeat_timeout;
  // Look often enough to notice either condition within half its period.
  const auto tick = std::min(interval.count() > 0 ? interval : timeout,
                             timeout.count() > 0 ? timeout : interval) /
                    2;
  while (connection_ == connection) {
    heartbeat_.expires_after(tick);
    co_await heartbeat_.async_wait(kUseTuple);
    if (connection_ != connection) break;
    const auto now = Clock::now();
    // A reply piece since the last tick is progress; noticed a tick late at most.
    if (std::exchange(pieces_seen_, pieces_) != pieces_) progress_at_ = now;
    if (timeout.count() > 0 && !in_flight_.empty() && now - progress_at_ >= timeout) {
      // The server owes us a reply and has sent nothing for too long: a dead peer (a pulled
      // cable, a frozen process) that TCP alone would not report for many minutes.
      common::log_warn("session {}: no reply for {} ms, reconnecting", server_.to_string(),
                       timeout.count());
      connection->close();
      break;
    }
    if (interval.count() > 0 && in_flight_.empty() && now - last_sent_ >= interval) {
      counters_.heartbeats.fetch_add(1, std::memory_order_relaxed);
      auto ping = std::make_shared<TypedOperation<std::string, void (*)(Result<std::string>)>>(
          version(CallOptions{timeout}), executor(), [](Result<std::string>) {});
      start_operation(std::move(ping));  // its silence is what the check above catches
    }
  }
}
//! [heartbeat]

}  // namespace detail
}  // namespace mc::client
