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

}  // namespace mc::net::detail
