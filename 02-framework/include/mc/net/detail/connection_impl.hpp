/// \file
/// \brief The definitions of Connection's members (a template, so they are in a header).
/// Included at the end of mc/net/connection.hpp; include that one.

#pragma once

#include "mc/net/connection.hpp"

namespace mc::net {

template <Codec C>
Connection<C>::Connection(Transport transport, C codec,
                          std::shared_ptr<const ConnectionOptions> options,
                          std::shared_ptr<const Callbacks<C>> callbacks)
    : executor_(transport.get_executor()),
      transport_(std::move(transport)),
      codec_(std::move(codec)),
      options_(std::move(options)),
      callbacks_(std::move(callbacks)) {
  Socket& socket = transport_.socket();
  asio::error_code ignored;  // a peer that has already gone leaves an empty endpoint
  peer_ = socket.remote_endpoint(ignored);
  // The writer coalesces by itself; Nagle's algorithm would only delay small replies.
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  // Each read then says whether it left the socket empty (DrainingBuffer).
  if constexpr (detail::kDrainingReads) detail::ask_for_bytes_left(socket);
}

template <Codec C>
Connection<C>::~Connection() {
  if (dormant_fd_ >= 0) {
    dormitory().dismiss(dormant_fd_);
    ::close(dormant_fd_);
  }
}

template <Codec C>
void Connection<C>::start() {
  asio::dispatch(executor_, [self = this->shared_from_this()] {
    const bool watchdog = self->options_->idle_timeout.count() > 0;
    if (watchdog) self->watchdog_ = std::make_unique<Watchdog>(self->executor_);
    self->touch();
    // Every task is counted before any starts: none may end the connection early.
    self->live_tasks_ = watchdog ? 1 : 0;
    if (self->callbacks_->on_connect) self->callbacks_->on_connect(*self);
    if (self->transport_.secure()) {
      // The writer starts after the handshake, so replies queued by on_connect wait for it.
      self->live_tasks_ += 2;
      self->io_tasks_ = 2;
      if (!self->awake_) self->awake_ = std::make_unique<Awake>(self->executor_);
      self->spawn(self->handshake_then_read(), "connection reader");
    } else if (self->options_->sleep_after.count() > 0) {
      // A new connection starts asleep: its coroutines start with its first bytes, and one that
      // never sends any never has them. (If on_connect queued a greeting, it wakes at once.)
      self->fall_asleep();
    } else {
      self->wake_up({});
    }
    if (watchdog) self->spawn(self->watchdog(), "connection watchdog", false);
  });
}

template <Codec C>
void Connection<C>::spawn(Task<> task, const char* name, bool io) {
  // The completion handler holds a shared_ptr for as long as the coroutine runs, so `this`
  // inside reader() and writer() stays valid.
  asio::co_spawn(executor_, std::move(task),
                 [self = this->shared_from_this(), name, io](std::exception_ptr error) {
                   if (error) common::log_exception(name, error);
                   self->task_done(io);
                 });
}

template <Codec C>
void Connection<C>::task_done(bool io) {
  --live_tasks_;
  if (io) --io_tasks_;
  if (phase_ == Phase::kFallingAsleep && !closed_) {
    if (io_tasks_ == 0) fall_asleep();  // the reader and the writer have both ended
    return;
  }
  close_now(Error::kClosed);  // the tasks share one socket: when one ends, all end
  // Asleep, the connection finishes in the wake_up() that leaving the dormitory posts.
  if (live_tasks_ == 0 && phase_ != Phase::kAsleep) finish();
}

// [sleep]
template <Codec C>
void Connection<C>::sleep_if_idle() {
  const bool was_active = std::exchange(active_, false);
  if (was_active || phase_ != Phase::kAwake || closed_ || draining_) return;
  // TLS keeps its coroutines: its stream may hold decrypted bytes the socket no longer shows.
  if (transport_.secure() || !reader_waiting_idle_ || !writer_idle_ ||
      awake_->pending_messages > 0) {
    return;
  }
  phase_ = Phase::kFallingAsleep;
  asio::error_code ignored;
  transport_.socket().cancel(ignored);  // the reader's idle read ends with operation_aborted
}

template <Codec C>
void Connection<C>::fall_asleep() {
  // Bytes read just before the cancellation, a message sent or a drain asked for while the
  // coroutines ended: there is work, so wake up at once.
  // (A new connection has an Awake block only if on_connect sent something.)
  if (draining_ ||
      (awake_ && (awake_->read_start != awake_->read_end || awake_->pending_messages > 0))) {
    wake_up({});
    return;
  }
  assert(!awake_ || awake_->queue.empty());
  phase_ = Phase::kAsleep;
  common::bump(stats_.sleeps);
  if (awake_) give_back_read_buffer();  // kept while it waited, if its requests are large
  awake_.reset();
  // The socket leaves Asio's reactor for the thread's dormitory (see detail::Dormitory): what
  // is left of a sleeping connection is this object. While it sleeps, its owner (the thread's
  // ConnectionManager, or a client's session) keeps it alive; the dormitory only points at it.
  asio::error_code ignored;
  dormant_fd_ = transport_.socket().release(ignored);
  if (dormitory().admit(dormant_fd_, *this)) leave_dormitory();  // refused: stay awake
}

template <Codec C>
void Connection<C>::wake_in_dormitory() {
  dormitory().dismiss(dormant_fd_);
  leave_dormitory();
}

template <Codec C>
void Connection<C>::leave_dormitory() {
  // The socket takes its descriptor back, and Asio watches it again. wake_up() is posted, as
  // the completion of a wait would be: the dormitory may be walking other sleepers.
  asio::error_code error;
  const int fd = std::exchange(dormant_fd_, -1);
  transport_.socket().assign(peer_.protocol(), fd, error);
  if (error) ::close(fd);  // Asio cannot watch it: wake_up() ends the connection
  asio::post(executor_, [self = this->shared_from_this(), error] { self->wake_up(error); });
}

template <Codec C>
void Connection<C>::wake_up(std::error_code error) {
  phase_ = Phase::kAwake;
  active_ = true;
  if (error) close_now(error);
  if (closed_) {
    if (live_tasks_ == 0) finish();
    return;
  }
  live_tasks_ += 2;
  io_tasks_ = 2;
  if (!awake_) awake_ = std::make_unique<Awake>(executor_);
  spawn(reader(), "connection reader");
  spawn(writer(), "connection writer");
}
// [sleep]

template <Codec C>
void Connection<C>::finish() {
  // Nothing reads or writes any more: give the memory back now, not when the last
  // shared_ptr to the connection goes.
  awake_.reset();
  if (callbacks_->on_close) callbacks_->on_close(*this, reason_);
}

// [handshake]
template <Codec C>
auto Connection<C>::handshake_then_read() -> Task<> {
  // A peer that connects and says nothing must not hold its slot: the deadline closes the
  // socket, which ends the handshake with operation_aborted.
  Timer deadline(executor_, options_->handshake_timeout);
  deadline.async_wait([self = this->shared_from_this()](asio::error_code error) {
    if (!error && !self->handshake_done_) self->close_now(Error::kHandshakeTimeout);
  });
  auto [error] = co_await transport_.async_handshake(kUseTuple);
  handshake_done_ = true;
  deadline.cancel();
  if (error) {
    // A plain client on a TLS port ends here at its first bytes: closed, with no reply.
    close_now(error);
    --live_tasks_;  // the writer that never started; task_done() counts this task
    --io_tasks_;
    co_return;
  }
  spawn(writer(), "connection writer");
  co_await reader();
}
// [handshake]

// [flush]
template <Codec C>
void Connection<C>::flush_from_reader() {
  // The replies to one read are queued and the writer is idle: write them from here with
  // non-blocking gathered sends, instead of waking the writer coroutine for it. That saves a
  // wake-up and two coroutine switches per read; whatever the kernel does not take right
  // away is left to the writer, which waits until the socket is writable.
  if (closed_ || !writer_idle_ || awake_->pending_messages == 0) return;
  if (transport_.secure()) {
    // TLS encrypts as it writes, and an encrypted record cut short by "would block" cannot be
    // left half-sent: the writer's asynchronous write does it whole.
    awake_->wakeup.cancel_one();
    return;
  }
  common::bump(stats_.write_calls);
  Awake& awake = *awake_;
  std::size_t bytes = 0;
  asio::error_code error;
  while (!awake.pending.empty() && !error) {
    // Each call takes at most 64 buffers (Asio's limit), so a large batch needs a few.
    std::size_t sent = detail::send_now(transport_.socket(), awake.pending, error);
    bytes += sent;
    auto first = awake.pending.begin();
    for (; first != awake.pending.end() && sent >= first->size(); ++first) sent -= first->size();
    awake.pending.erase(awake.pending.begin(), first);
    if (sent > 0) awake.pending.front() += sent;  // a buffer the kernel took only part of
  }
  if (awake.pending.empty()) {
    awake.queue.clear();  // the writer is idle, so every queued message was pending
    written(bytes, std::exchange(awake.pending_messages, 0));
    return;
  }
  if (error != asio::error::would_block && error != asio::error::try_again) {
    close_now(error);
    return;
  }
  // The messages stay queued until the writer has sent the rest of their bytes.
  awake.queued_bytes -= bytes;
  common::bump(stats_.bytes_written, std::uint64_t{bytes});
  awake.wakeup.cancel_one();
}
// [flush]

template <Codec C>
void Connection<C>::written(std::size_t bytes, std::size_t messages) {
  Awake& awake = *awake_;
  awake.queued_bytes -= bytes;
  stats_.queued_bytes.store(awake.queued_bytes, std::memory_order_relaxed);
  common::bump(stats_.bytes_written, std::uint64_t{bytes});
  touch();
  if (awake.queue.empty()) release_spare_capacity();
  if (reader_paused_ && (awake.queue.empty() || held_bytes() <= options_->max_held_bytes / 2)) {
    awake.resume.cancel();
  }
  if (callbacks_->on_written) callbacks_->on_written(*this, messages);
}

template <Codec C>
void Connection<C>::release_spare_capacity() {
  // After a burst, an idle connection gives back the gather lists it grew for it.
  constexpr std::size_t kKeep = 1024;
  if (awake_->pending.capacity() > kKeep) std::vector<asio::const_buffer>().swap(awake_->pending);
  if (awake_->writing.capacity() > kKeep) std::vector<asio::const_buffer>().swap(awake_->writing);
}

// [writer]
template <Codec C>
auto Connection<C>::writer() -> Task<> {
  Awake& awake = *awake_;  // given back only after the reader and the writer have ended
  while (!closed_) {
    if (awake.pending_messages == 0) {
      if (draining_) {
        close_now(drain_reason_);  // everything queued has been written
        co_return;
      }
      if (phase_ == Phase::kFallingAsleep) co_return;  // the reader has ended to sleep
      writer_idle_ = true;
      co_await awake.wakeup.async_wait(kUseTuple);  // cancellation is the wake-up
      writer_idle_ = false;
      continue;
    }
    // Take everything queued so far in one gathered write; send() appends to the other vector.
    awake.writing.clear();
    std::swap(awake.writing, awake.pending);
    const std::size_t messages = std::exchange(awake.pending_messages, 0);
    common::bump(stats_.write_calls);
    auto [error, bytes] = co_await asio::async_write(transport_, awake.writing, kUseTuple);
    if (error) {
      close_now(error);
      co_return;
    }
    auto& queue = awake.queue;
    queue.erase(queue.begin(), std::next(queue.begin(), static_cast<std::ptrdiff_t>(messages)));
    written(bytes, messages);
  }
}
// [writer]

template <Codec C>
auto Connection<C>::watchdog() -> Task<> {
  const auto timeout = options_->idle_timeout;
  while (!closed_) {
    watchdog_->timer.expires_at(watchdog_->last_activity + timeout);
    co_await watchdog_->timer.async_wait(kUseTuple);
    if (!closed_ && Clock::now() - watchdog_->last_activity >= timeout) {
      close_now(Error::kIdleTimeout);
    }
  }
}

// [send]
template <Codec C>
void Connection<C>::send(OutMessage message) {
  if (running_in_this_thread()) {
    enqueue(std::move(message));
    return;
  }
  // The queue belongs to the connection's thread: hand the message over instead of locking.
  asio::post(executor_, [self = this->shared_from_this(), message = std::move(message)]() mutable {
    self->enqueue(std::move(message));
  });
}

template <Codec C>
void Connection<C>::enqueue(OutMessage message) {
  if (closed_) return;                                       // no writer is left to write it
  if (!awake_) awake_ = std::make_unique<Awake>(executor_);  // asleep: it wakes below
  Awake& awake = *awake_;
  const OutMessage& stored = awake.queue.emplace_back(std::move(message));
  [[maybe_unused]] const std::size_t first = awake.pending.size();
  const std::size_t bytes = codec_.encode(stored, awake.pending);
  assert(bytes == detail::total_size(awake.pending.begin() + first, awake.pending.end()));
  ++awake.pending_messages;
  awake.queued_bytes += bytes;
  common::bump(stats_.messages_sent);
  stats_.queued_bytes.store(awake.queued_bytes, std::memory_order_relaxed);
  if (awake.queued_bytes > stats_.peak_queued_bytes.load(std::memory_order_relaxed)) {
    stats_.peak_queued_bytes.store(awake.queued_bytes, std::memory_order_relaxed);
  }
  // During a read's batch the reader flushes when the batch ends; otherwise wake the writer,
  // or the whole connection if it sleeps.
  if (phase_ == Phase::kAsleep) wake_from_sleep();
  if (writer_idle_ && !reading_batch_) awake.wakeup.cancel_one();
}
// [send]

template <Codec C>
void Connection<C>::close() {
  asio::dispatch(executor_, [self = this->shared_from_this()] { self->close_now(Error::kClosed); });
}

template <Codec C>
void Connection<C>::close_after_flush() {
  asio::dispatch(executor_, [self = this->shared_from_this()] { self->drain(Error::kStopped); });
}

template <Codec C>
void Connection<C>::drain(Error reason) {
  if (draining_) return;
  draining_ = true;
  drain_reason_ = reason;
  if (phase_ == Phase::kAsleep) wake_from_sleep();
  if (writer_idle_) awake_->wakeup.cancel_one();  // it closes once it sees the queue empty
}

// [close]
template <Codec C>
void Connection<C>::close_now(std::error_code reason) {
  if (closed_) return;
  closed_ = true;
  reason_ = reason;
  // Asleep, the socket comes back from the dormitory to be closed; wake_up() then finishes.
  if (phase_ == Phase::kAsleep) wake_from_sleep();
  asio::error_code ignored;
  transport_.close(ignored);  // the pending read and write complete with operation_aborted
  if (awake_) {
    awake_->wakeup.cancel();
    awake_->resume.cancel();
  }
  if (watchdog_) watchdog_->timer.cancel();
}
// [close]

template <Codec C>
void Connection<C>::touch() {
  active_ = true;
  if (watchdog_) watchdog_->last_activity = Clock::now();
}

template <Codec C>
void Connection<C>::wake_from_sleep() {
  // Once out of the dormitory, its wake_up() is on its way.
  if (dormant_fd_ >= 0) wake_in_dormitory();
}

}  // namespace mc::net
