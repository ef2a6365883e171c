/// \file
/// \brief Opening a TCP connection with a deadline, from outside the io_context or from a
/// coroutine on it.

#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

#include "mc/net/acceptor.hpp"

namespace mc::net {

/// \brief Resolves `host`, connects to `port` on `io`'s thread and waits for the outcome.
/// Blocks the caller, so it must not run on `io`'s own thread.
/// \param io the io_context the socket will belong to (its thread must be running)
/// \param host a name or an address
/// \param port the TCP port
/// \param timeout how long resolving and connecting may take together
/// \param error set to the failure (Error::kConnectTimeout after `timeout`), cleared on success
/// \return the connected socket, bound to `io`; a closed socket on failure
Socket connect_socket(asio::io_context& io, const std::string& host, std::uint16_t port,
                      std::chrono::milliseconds timeout, std::error_code& error);

/// \brief Resolves `host` and connects `socket` to `port` from a coroutine on the socket's own
/// io_context, giving up after `timeout` (which covers resolving and connecting).
/// \return the failure (Error::kConnectTimeout after `timeout`), or an empty code on success
asio::awaitable<std::error_code> async_connect(Socket& socket, std::string host, std::uint16_t port,
                                               std::chrono::milliseconds timeout);

}  // namespace mc::net
