/// \file
/// \brief Opening a TCP connection with a deadline, from a thread outside the io_context.

#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>

#include <asio/io_context.hpp>

#include "mc/net/acceptor.hpp"

namespace mc::net {

/// \brief Resolves `host`, connects to `port` on `io`'s thread and waits for the outcome.
/// Blocks the caller, so it must not run on `io`'s own thread.
/// \param error set to the failure (Error::kConnectTimeout after `timeout`), cleared on success
/// \return the connected socket, bound to `io`; a closed socket on failure
Socket connect_socket(asio::io_context& io, const std::string& host, std::uint16_t port,
                      std::chrono::milliseconds timeout, std::error_code& error);

}  // namespace mc::net
