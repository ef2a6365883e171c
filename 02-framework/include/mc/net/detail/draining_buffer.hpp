/// \file
/// \brief A receive buffer whose short read tells Asio's epoll reactor the socket is empty.

#pragma once

#include <asio/buffer.hpp>
#include <asio/version.hpp>

namespace mc::net::detail {

/// \brief One buffer to receive into, like asio::mutable_buffer, except that a read into it
/// that comes back short ends Asio's speculative reads until epoll reports the socket again.
///
/// Asio's epoll reactor starts every read with a `recv` of its own ("speculative"), and only an
/// end of file stops it from trying first next time. When the peer waits for each reply, that
/// costs a system call per request: the read that returns the request, and after the reply one
/// that answers "nothing yet". But a TCP read that returns less than it had room for has
/// emptied the socket, and Asio registers sockets edge-triggered, so epoll reports the next
/// bytes when they come. The next read can wait for that without asking first, which is what
/// memcached does: it reads when libevent says there is something to read.
struct DrainingBuffer {
  asio::mutable_buffer buffer;  ///< where the bytes go

  /// \brief The sequence of one buffer, as Asio's MutableBufferSequence wants.
  const asio::mutable_buffer* begin() const { return &buffer; }
  /// \brief The end of that sequence.
  const asio::mutable_buffer* end() const { return &buffer + 1; }
};

}  // namespace mc::net::detail

// How: Asio's receive operation keeps its system call in reactive_socket_recv_op_base, a
// template over the buffer type, whose answer `done_and_exhausted` is what makes the reactor
// skip the next speculative read (Asio gives it for a short send, and for a receive only at an
// end of file). This specialisation gives it for a short receive too. It is written against
// the Asio Debian 12 ships; with another version the buffer is an ordinary one, one more
// system call per wait and otherwise the same.
#if ASIO_VERSION >= 102200 && ASIO_VERSION < 102300
#include <asio/detail/reactive_socket_recv_op.hpp>

namespace asio::detail {

/// \cond INTERNAL
template <>
class reactive_socket_recv_op_base<mc::net::detail::DrainingBuffer> : public reactor_op {
 public:
  reactive_socket_recv_op_base(const asio::error_code& success_ec, socket_type socket,
                               socket_ops::state_type state,
                               const mc::net::detail::DrainingBuffer& buffers,
                               socket_base::message_flags flags, func_type complete_func)
      : reactor_op(success_ec, &reactive_socket_recv_op_base::do_perform, complete_func),
        socket_(socket),
        state_(state),
        buffers_(buffers),
        flags_(flags) {}

  // [draining]
  static status do_perform(reactor_op* base) {
    auto* op = static_cast<reactive_socket_recv_op_base*>(base);
    const asio::mutable_buffer& buffer = op->buffers_.buffer;
    const bool stream = (op->state_ & socket_ops::stream_oriented) != 0;
    if (!socket_ops::non_blocking_recv1(op->socket_, buffer.data(), buffer.size(), op->flags_,
                                        stream, op->ec_, op->bytes_transferred_)) {
      return not_done;  // nothing yet: wait for epoll
    }
    // Short, an end of file or an error included: the socket has nothing more right now.
    return stream && op->bytes_transferred_ < buffer.size() ? done_and_exhausted : done;
  }
  // [draining]

 private:
  socket_type socket_;
  socket_ops::state_type state_;
  mc::net::detail::DrainingBuffer buffers_;
  socket_base::message_flags flags_;
};
/// \endcond

}  // namespace asio::detail
#endif
