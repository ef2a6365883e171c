/// \file
/// \brief Connection's reading half: the reader coroutine, the idle read, decoding and the read
/// buffer. Included at the end of mc/net/connection.hpp; include that one.

#pragma once

#include "mc/net/connection.hpp"

namespace mc::net {

// [reader]
template <Codec C>
auto Connection<C>::reader() -> Task<> {
  Awake& awake = *awake_;
  while (!closed_) {
    if (draining_) {
      // Closing after a flush: read nothing more, but stay alive until the writer closes.
      co_await awake.resume.async_wait(kUseTuple);
      continue;
    }
    const Stop stop = decode_buffered();
    flush_from_reader();
    // A closed connection's timers have been cancelled: waiting on one now would never end.
    if (closed_ || stop == Stop::kClosing) continue;
    if (stop == Stop::kHoldingTooMuch) {
      if (!holding_too_much()) continue;  // the flush took enough
      // Backpressure: stop until the writer drains below half. The peer's further bytes wait
      // in the kernel, and then in the peer: TCP flow control does the rest.
      common::bump(stats_.read_pauses);
      reader_paused_ = true;
      stats_.reader_paused.store(true, std::memory_order_relaxed);
      co_await awake.resume.async_wait(kUseTuple);  // cancelled by the writer or close
      reader_paused_ = false;
      stats_.reader_paused.store(false, std::memory_order_relaxed);
      continue;
    }
    if (stop == Stop::kTurnUsed) {
      // Fairness: the thread's other connections run before this one decodes more.
      common::bump(stats_.yields);
      co_await asio::post(executor_, kUseTuple);
      continue;
    }
    // With nothing buffered, the read buffer goes back to the thread for others to use, unless
    // this peer's requests outgrow first_bytes (reads_whole_, see read_while_idle()).
    const bool idle = awake.read_start == awake.read_end;
    if (idle && !reads_whole_) give_back_read_buffer();
    // A read that did not fill the buffer emptied the socket, and a peer that waits for our
    // replies has not sent its next request yet. A plain read then waits for epoll without
    // asking first (DrainingBuffer). Under TLS, Asio reads the socket with a buffer of its own
    // and asks first, a system call that only says "nothing yet": letting this thread's other
    // connections go first gives the request time to arrive.
    if (socket_emptied_ && transport_.secure()) co_await asio::post(executor_, kUseTuple);
    const auto [error, n] = idle ? co_await read_while_idle() : co_await read_more();
    common::bump(stats_.bytes_read, std::uint64_t{n});
    if (phase_ == Phase::kFallingAsleep && !closed_ &&
        (!error || error == asio::error::operation_aborted)) {
      // Told to sleep while it waited (sleep_if_idle): end, and wake the writer to end too.
      // Bytes that came before the cancellation stay buffered; fall_asleep() sees them.
      awake.wakeup.cancel_one();
      co_return;
    }
    if (error) {
      close_now(error);
      co_return;
    }
    touch();
  }
}
// [reader]

// [idle]
template <Codec C>
auto Connection<C>::read_while_idle() -> Task<std::tuple<std::error_code, std::size_t>> {
  Awake& awake = *awake_;
  // Nothing is buffered, so the connection may be idle for hours. Its read buffer has gone back
  // to the thread; it waits with a read into first_bytes, a few bytes inside the connection.
  // A small request arrives whole in them; then the connection takes a buffer (usually the one
  // another connection of this thread just gave back) and copies them in.
  const std::size_t first_size = std::min(awake.first_bytes.size(), initial_read_size());
  if (reads_whole_) {
    // This peer's last request did not fit in first_bytes (a set of a 1 KB value, say), so it
    // kept its buffer and waits with a read into it: one read where first_bytes would take
    // two and a copy. It goes back to first_bytes after a request that fits them.
    awake.read_needed = 0;  // nothing is buffered, so nothing is needed yet
    reader_waiting_idle_ = true;
    const auto [error, n] = co_await read_more();
    reader_waiting_idle_ = false;
    reads_whole_ = n > first_size;
    co_return std::tuple{error, n};
  }
  bool emptied = false;
  reader_waiting_idle_ = true;  // the moment sleep_if_idle() may cancel
  auto [error, n] = co_await transport_.async_read_some(
      detail::DrainingBuffer{asio::buffer(awake.first_bytes, first_size), true, &emptied},
      kUseTuple);
  reader_waiting_idle_ = false;
  if (error) co_return std::tuple{error, n};
  common::bump(stats_.reads);
  make_room();  // takes a spare buffer of initial_read_size() bytes
  std::memcpy(awake.read_buffer.get(), awake.first_bytes.data(), n);
  awake.read_end = n;
  // TLS decrypts whole records, so a full first read says nothing about the socket: the next
  // read, into the buffer, takes the rest of the record.
  if (transport_.secure()) {
    socket_emptied_ = n < first_size;
    co_return std::tuple{error, n};
  }
  socket_emptied_ = detail::kDrainingReads ? emptied : n < first_size;
  if (socket_emptied_) co_return std::tuple{error, n};
  // More is there (the first bytes were full, or the peer's end of the stream came with them):
  // take it now, without waiting, before any of it is decoded. (Decoding first would answer a
  // part of the peer's batch, and the peer would see its replies come in two writes.) Where
  // Asio can be told, the read also tells its reactor whether the socket is empty now; else it
  // is a system call of our own, and the next read asks the socket first.
  reads_whole_ = true;  // the next request, too, is read straight into the buffer
  const std::size_t room = awake.read_capacity - awake.read_end;
  const asio::mutable_buffer rest(awake.read_buffer.get() + n, room);
  std::size_t more = 0;
  if constexpr (detail::kDrainingReads) {
    std::tie(error, more) = co_await transport_.async_read_some(
        detail::DrainingBuffer{rest, /*wait=*/false, &socket_emptied_}, kUseTuple);
  } else {
    more = detail::receive_now(transport_.socket(), rest, error);
    socket_emptied_ = more < room;
  }
  if (error == asio::error::would_block) error = {};
  if (more > 0) common::bump(stats_.reads);
  awake.read_end += more;
  co_return std::tuple{error, n + more};
}

template <Codec C>
auto Connection<C>::read_more() -> Task<std::tuple<std::error_code, std::size_t>> {
  Awake& awake = *awake_;
  // Part of a message is buffered: the rest is read into the buffer, grown if it must.
  if (!make_room()) {
    drain(Error::kBadMessage);  // one message larger than max_read_buffer_size
    co_return std::tuple{std::error_code{}, std::size_t{0}};
  }
  const std::size_t room = awake.read_capacity - awake.read_end;
  const asio::mutable_buffer buffer(awake.read_buffer.get() + awake.read_end, room);
  // The rest of a message larger than the initial buffer streams in, and more of it is usually
  // there already: the read asks first. Any other rest comes when the peer sends it, so once a
  // read has emptied the socket the next waits for epoll, as a new request's does.
  bool emptied = false;
  auto [error, n] = awake.read_capacity > initial_read_size()
                        ? co_await transport_.async_read_some(buffer, kUseTuple)
                        : co_await transport_.async_read_some(
                              detail::DrainingBuffer{buffer, true, &emptied}, kUseTuple);
  awake.read_end += n;
  if (n > 0) common::bump(stats_.reads);
  socket_emptied_ = transport_.secure() || !detail::kDrainingReads ? n < room : emptied;
  co_return std::tuple{error, n};
}
// [idle]

template <Codec C>
typename Connection<C>::Stop Connection<C>::decode_buffered() {
  Awake& awake = *awake_;
  const std::size_t turn = options_->max_messages_per_turn;
  std::size_t handled = 0;
  Stop stop = Stop::kNeedMore;
  reading_batch_ = true;  // replies queued meanwhile are flushed by the reader afterwards
  for (;;) {
    if (closed_ || draining_) {  // on_message may close the connection
      stop = Stop::kClosing;
      break;
    }
    if (holding_too_much()) {
      stop = Stop::kHoldingTooMuch;
      break;
    }
    if (awake.read_start == awake.read_end) break;  // no bytes, no message (and maybe no buffer)
    if (handled == turn && turn != 0) {
      stop = Stop::kTurnUsed;
      break;
    }
    auto decoded = codec_.decode(std::string_view(awake.read_buffer.get() + awake.read_start,
                                                  awake.read_end - awake.read_start));
    if (decoded.status == DecodeStatus::kNeedMore) {
      awake.read_needed = decoded.needed;
      break;
    }
    if (decoded.status == DecodeStatus::kError) {
      // Replies to the messages before the bad bytes still go out; then the writer closes.
      drain(Error::kBadMessage);
      stop = Stop::kClosing;
      break;
    }
    assert(decoded.consumed > 0 && decoded.consumed <= awake.read_end - awake.read_start);
    awake.read_start += decoded.consumed;
    ++handled;
    common::bump(stats_.messages_decoded);
    if (callbacks_->on_message) callbacks_->on_message(*this, decoded.message);
  }
  reading_batch_ = false;
  return stop;
}

template <Codec C>
bool Connection<C>::make_room() {
  Awake& awake = *awake_;
  // The undecoded tail moves to the front. A full buffer grows: to what the codec said the
  // message needs, or else to twice its size, never past max_read_buffer_size. Once a large
  // message has gone, the buffer returns to its initial size, so a connection that once sent
  // a big value does not keep its buffer.
  const std::size_t pending = awake.read_end - awake.read_start;
  const std::size_t initial = initial_read_size();
  if (!awake.read_buffer) {  // given back while idle: take one of the thread's spares
    awake.read_buffer = SpareReadBuffers::take(initial);
    awake.read_capacity = initial;
    awake.read_start = awake.read_end = 0;
    stats_.read_buffer_bytes.store(initial, std::memory_order_relaxed);
    return true;
  }
  std::size_t size = awake.read_capacity;
  if (pending == size || awake.read_needed > size) {
    size = std::min(awake.read_needed > size ? awake.read_needed : size * 2,
                    options_->max_read_buffer_size);
    if (size <= pending) return false;
  } else if (size > initial && pending < initial && awake.read_needed <= initial) {
    size = initial;
  }
  if (size != awake.read_capacity) {
    auto fresh = std::make_unique_for_overwrite<char[]>(size);
    std::memcpy(fresh.get(), awake.read_buffer.get() + awake.read_start, pending);
    awake.read_buffer = std::move(fresh);
    awake.read_capacity = size;
    stats_.read_buffer_bytes.store(size, std::memory_order_relaxed);
  } else if (awake.read_start > 0) {
    std::memmove(awake.read_buffer.get(), awake.read_buffer.get() + awake.read_start, pending);
  }
  awake.read_start = 0;
  awake.read_end = pending;
  return true;
}

template <Codec C>
void Connection<C>::give_back_read_buffer() {
  Awake& awake = *awake_;
  if (!awake.read_buffer) return;
  // A buffer grown for a large message is freed rather than kept: spares are of one size.
  if (awake.read_capacity == initial_read_size()) {
    SpareReadBuffers::give_back(std::move(awake.read_buffer), awake.read_capacity);
  }
  awake.read_buffer.reset();
  awake.read_capacity = awake.read_start = awake.read_end = 0;
  awake.read_needed = 0;
  stats_.read_buffer_bytes.store(0, std::memory_order_relaxed);
}

template <Codec C>
std::size_t Connection<C>::held_bytes() const {
  // The queued messages' bytes (a reply's value counts, though it may view stored memory),
  // plus the queue's own cost per message: the message object and its gather buffers.
  const Awake& awake = *awake_;
  return transport_.held_bytes() + awake.read_capacity + awake.queued_bytes +
         awake.queue.size() * sizeof(OutMessage) +
         (awake.pending.capacity() + awake.writing.capacity()) * sizeof(asio::const_buffer);
}

template <Codec C>
bool Connection<C>::holding_too_much() const {
  // With nothing queued, nothing would wake a paused reader: the read buffer alone never
  // stops it.
  return !awake_->queue.empty() && held_bytes() > options_->max_held_bytes;
}

}  // namespace mc::net
