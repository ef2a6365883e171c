#include "mc/net/detail/socket_now.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

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

bool ask_for_bytes_left(Socket& socket) {
  const int on = 1;
  return ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INQ, &on, sizeof on) == 0;
}

Receipt receive_and_ask(int fd, asio::mutable_buffer buffer, int flags) {
  iovec iov{buffer.data(), buffer.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr message{};
  message.msg_iov = &iov;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  ssize_t received = 0;
  do {
    received = ::recvmsg(fd, &message, flags | MSG_DONTWAIT);
  } while (received < 0 && errno == EINTR);
  Receipt receipt;
  if (received < 0) {
    receipt.error = errno == EWOULDBLOCK ? asio::error::would_block : last_error();
    // Nothing to read right now is as empty as a socket gets.
    receipt.emptied = receipt.error == asio::error::would_block;
    return receipt;
  }
  receipt.bytes = static_cast<std::size_t>(received);
  if (received == 0 && buffer.size() > 0) {
    receipt.error = asio::error::eof;
    return receipt;
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level == IPPROTO_TCP && c->cmsg_type == TCP_CM_INQ) {
      int left = 0;
      std::memcpy(&left, CMSG_DATA(c), sizeof left);
      receipt.emptied = left == 0;
    }
  }
  return receipt;
}

}  // namespace mc::net::detail
