/// \file
/// \brief The listening socket and its accept loop, which hands each new socket to a callback.

#pragma once

#include <atomic>
#include <cstdint>
#include <functional>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

namespace mc::net {

/// \brief The socket type of every connection: bound to a concrete io_context executor, so
/// checking "am I on this connection's thread?" is one cheap call.
using Socket = asio::basic_stream_socket<asio::ip::tcp, asio::io_context::executor_type>;

/// \brief Listens on an endpoint and accepts connections onto io_contexts chosen per socket.
///
/// The accept loop runs on the io_context given to the constructor; each accepted socket is
/// already bound to the io_context that `pick` chose, ready to live there.
class Acceptor {
 public:
  /// \brief Chooses the io_context of the next connection.
  using Pick = std::function<asio::io_context&()>;
  /// \brief Receives each accepted socket, on the acceptor's thread.
  using OnAccept = std::function<void(Socket)>;

  /// \brief Opens, binds (with SO_REUSEADDR) and listens with a queue of `backlog`
  /// connections. Throws asio::system_error if the address is taken or invalid: a startup
  /// error, not a runtime one.
  Acceptor(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint, int backlog = 1024);

  /// \brief The bound address; with port 0, the port the kernel picked.
  asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  /// \brief Starts the accept loop. Call once. If `pauses` is set, the loop counts there
  /// each time it stops accepting for lack of file descriptors.
  void start(Pick pick, OnAccept on_accept, std::atomic<std::uint64_t>* pauses = nullptr);

  /// \brief Closes the listening socket; the accept loop ends. Thread-safe and idempotent.
  void close();

 private:
  asio::awaitable<void> accept_loop(Pick pick, OnAccept on_accept,
                                    std::atomic<std::uint64_t>* pauses);

  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer pause_;  // the accept loop waits here while out of file descriptors
};

}  // namespace mc::net
