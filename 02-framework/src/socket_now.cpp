#include "mc/net/detail/socket_now.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>

#include <asio/error.hpp>

namespace mc::net::detail {

namespace {

std::error_code last_error() { return {errno, asio::error::get_system_category()}; }

}  // namespace

std::size_t send_now(Socket& socket, std::span<const asio::const_buffer> buffers,
                     std::error_code& error) {
  error.clear();
  // One system call per 64 buffers, as Asio does: the iovec array lives on the stack.
  std::array<iovec, 64> iov{};
  const std::size_t count = std::min(buffers.size(), iov.size());
  for (std::size_t i = 0; i < count; ++i) {
    iov[i] = {const_cast<void*>(buffers[i].data()), buffers[i].size()};
  }
  msghdr message{};
  message.msg_iov = iov.data();
  message.msg_iovlen = count;
  // MSG_NOSIGNAL: a peer that has gone is an error code, not a SIGPIPE.
  const ssize_t sent = ::sendmsg(socket.native_handle(), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent < 0) {
    error = last_error();
    return 0;
  }
  return static_cast<std::size_t>(sent);
}

std::size_t receive_now(Socket& socket, asio::mutable_buffer buffer, std::error_code& error) {
  error.clear();
  const ssize_t received =
      ::recv(socket.native_handle(), buffer.data(), buffer.size(), MSG_DONTWAIT);
  if (received < 0) {
    error = last_error();
    return 0;
  }
  if (received == 0 && buffer.size() > 0) error = asio::error::eof;
  return static_cast<std::size_t>(received);
}

}  // namespace mc::net::detail
