/// \file
/// \brief A receive buffer whose read tells Asio's epoll reactor when the socket is empty.

#pragma once

#include <asio/buffer.hpp>
#include <asio/version.hpp>

namespace mc::net::detail {

/// \brief One buffer to receive into, like asio::mutable_buffer, except that a read into it
/// that leaves the socket empty ends Asio's speculative reads until epoll reports it again.
///
/// Asio's epoll reactor starts every read with a `recv` of its own ("speculative"), and only an
/// end of file stops it from trying first next time. When the peer waits for each reply, that
/// costs a system call per request: the read that returns the request, and after the reply one
/// that answers "nothing yet". Asio registers sockets edge-triggered, so epoll reports the next
/// bytes when they come, and once the socket is empty the next read can wait for that without
/// asking first, which is what memcached does: it reads when libevent says there is something
/// to read. Which read left the socket empty the kernel says itself, with each read, once
/// ask_for_bytes_left() has been called for the socket (see receive_and_ask(): a short read is
/// not enough).
///
/// With `wait` false, a read that finds the socket empty does not wait for epoll either: it
/// completes at once with `asio::error::would_block`. That reads "the rest, if any" of a
/// message whose first bytes filled their buffer, and leaves the reactor knowing the socket is
/// empty, which a system call of our own (receive_now()) would not tell it.
struct DrainingBuffer {
  asio::mutable_buffer buffer;  ///< where the bytes go
  bool wait = true;             ///< false: an empty socket completes the read, would_block
  bool* emptied = nullptr;      ///< if set, told whether the read left the socket empty

  /// \brief The sequence of one buffer, as Asio's MutableBufferSequence wants.
  const asio::mutable_buffer* begin() const { return &buffer; }
  /// \brief The end of that sequence.
  const asio::mutable_buffer* end() const { return &buffer + 1; }
};

}  // namespace mc::net::detail

// How: Asio's receive operation keeps its system call in reactive_socket_recv_op_base, a
// template over the buffer type, whose answer `done_and_exhausted` is what makes the reactor
// skip the next speculative read (Asio gives it for a short send, and for a receive only at an
// end of file). This specialisation gives it whenever the kernel says the socket is empty. It
// is written against the Asio Debian 12 ships and its epoll reactor; elsewhere the buffer is an
// ordinary one, one more system call per wait and otherwise the same.
#if ASIO_VERSION >= 102200 && ASIO_VERSION < 102300 && !defined(ASIO_DISABLE_EPOLL)
#include <asio/detail/reactive_socket_recv_op.hpp>

#include "mc/net/detail/socket_now.hpp"

namespace mc::net::detail {
/// \brief True where reads into a DrainingBuffer behave as it says (Asio 1.22's epoll reactor);
/// elsewhere it is an ordinary buffer: `emptied` is never set, and `wait` false waits all the
/// same.
inline constexpr bool kDrainingReads = true;
}  // namespace mc::net::detail

namespace asio::detail {

/// \cond INTERNAL
template <>
class reactive_socket_recv_op_base<mc::net::detail::DrainingBuffer> : public reactor_op {
 public:
  reactive_socket_recv_op_base(const asio::error_code& success_ec, socket_type socket,
                               socket_ops::state_type /*state*/,
                               const mc::net::detail::DrainingBuffer& buffers,
                               socket_base::message_flags flags, func_type complete_func)
      : reactor_op(success_ec, &reactive_socket_recv_op_base::do_perform, complete_func),
        socket_(socket),
        buffers_(buffers),
        flags_(flags) {}

  // [draining]
  static status do_perform(reactor_op* base) {
    auto* op = static_cast<reactive_socket_recv_op_base*>(base);
    const mc::net::detail::DrainingBuffer& target = op->buffers_;
    const auto receipt = mc::net::detail::receive_and_ask(op->socket_, target.buffer, op->flags_);
    if (receipt.error == asio::error::would_block && target.wait) {
      return not_done;  // nothing yet: wait for epoll
    }
    op->ec_ = receipt.error;
    op->bytes_transferred_ = receipt.bytes;
    if (target.emptied != nullptr) *target.emptied = receipt.emptied;
    // Empty, or at an end or an error: the next read waits for epoll to report the socket.
    return receipt.emptied || receipt.error ? done_and_exhausted : done;
  }
  // [draining]

 private:
  socket_type socket_;
  mc::net::detail::DrainingBuffer buffers_;
  socket_base::message_flags flags_;
};
/// \endcond

}  // namespace asio::detail
#else
namespace mc::net::detail {
/// \brief False: this build's reactor is not the one DrainingBuffer is written for, so it is an
/// ordinary buffer (`emptied` is never set, and `wait` false waits all the same).
inline constexpr bool kDrainingReads = false;
}  // namespace mc::net::detail
#endif
