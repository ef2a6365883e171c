/// \file
/// \brief Reads and writes that never wait: what the kernel gives or takes right now.

#pragma once

#include <cstddef>
#include <span>
#include <system_error>

#include <asio/buffer.hpp>

#include "mc/net/acceptor.hpp"

namespace mc::net::detail {

/// \brief Sends as much of `buffers` as the socket takes right now (`MSG_DONTWAIT`).
///
/// The flag asks for "would block" on this one call, so the socket itself can stay in blocking
/// mode. That matters to Asio's io_uring backend: it submits a blocking socket's reads and
/// writes to the kernel as they are, but a non-blocking socket's as a poll and then a system
/// call, one more step than epoll takes.
/// \return the bytes sent; `error` is `asio::error::would_block` when the kernel took none
std::size_t send_now(Socket& socket, std::span<const asio::const_buffer> buffers,
                     std::error_code& error);

/// \brief Receives into `buffer` what the socket holds right now (`MSG_DONTWAIT`).
/// \return the bytes received; `error` is `asio::error::would_block` when there were none and
/// `asio::error::eof` when the peer has closed its end
std::size_t receive_now(Socket& socket, asio::mutable_buffer buffer, std::error_code& error);

/// \brief Asks the kernel to say, with every `recvmsg` of `socket`, how much is left to read
/// (`TCP_INQ`, Linux 4.18 and later), so that receive_and_ask() can tell an empty socket.
/// \return false where it cannot: then no read knows the socket is empty
bool ask_for_bytes_left(Socket& socket);

/// \brief What one receive_and_ask() read, and what it learned about the socket.
struct Receipt {
  std::size_t bytes = 0;  ///< bytes received
  std::error_code error;  ///< `would_block` when there were none, `eof` at the end of the stream
  bool emptied = false;   ///< the kernel said nothing is left: no bytes, no end of the stream
};

/// \brief One `recvmsg` of a TCP socket into `buffer`, without waiting. If ask_for_bytes_left()
/// was called for the socket, the kernel's count of what is left comes with the bytes.
///
/// A read that returns less than it had room for has taken every byte there was, but not
/// necessarily the end of the stream: a peer that sends its last bytes and closes at once
/// leaves its FIN to be read by the next call, and epoll, edge-triggered, has already
/// reported both. Only the kernel's count says "empty" truthfully, and it counts a FIN as a
/// byte for that reason.
Receipt receive_and_ask(int fd, asio::mutable_buffer buffer, int flags);

}  // namespace mc::net::detail
