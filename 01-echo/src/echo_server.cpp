// Chapter 1: an echo server on C++20 coroutines.
//
// Each accepted connection gets its own coroutine, the way a Go server starts one goroutine per
// connection. `-t N` runs N independent copies of the server, one per thread, each with its own
// io_context and its own listening socket on the same port (SO_REUSEPORT): the kernel spreads
// connections over them and no state is ever shared between threads.

#include <array>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>

#include "mc/common/asio.hpp"
#include "mc/common/cli.hpp"
#include "mc/common/log.hpp"
#include "mc/common/stop_signals.hpp"

namespace mc::echo {
namespace {

using asio::ip::tcp;
using mc::common::kUseTuple;

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

//! [server-class]
/// Accepts connections on one io_context and echoes every byte back. Single-threaded: all of
/// its state is touched only by handlers of its own io_context.
class EchoServer {
 public:
  EchoServer(asio::io_context& io, const tcp::endpoint& endpoint) : acceptor_(io) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.set_option(ReusePort(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
  }

  tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  asio::awaitable<void> accept_loop();
  void stop();

 private:
  asio::awaitable<void> echo(tcp::socket socket);

  tcp::acceptor acceptor_;
  std::set<tcp::socket*> live_;  // every open connection, so that stop() can close them
};
//! [server-class]

//! [accept-loop]
asio::awaitable<void> EchoServer::accept_loop() {
  for (;;) {
    auto [error, socket] = co_await acceptor_.async_accept(kUseTuple);
    // stop() closed the acceptor: the pending accept is aborted, or, if one had just completed,
    // the next fails at once on the closed socket (looping on that would spin forever).
    if (error == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (error) {
      common::log_warn("accept failed: {}", error.message());
      continue;  // e.g. out of file descriptors; the listener itself is fine
    }
    // One coroutine per connection, like `go echo(conn)` in Go.
    asio::co_spawn(acceptor_.get_executor(), echo(std::move(socket)),
                   common::report_exception("echo"));
  }
}
//! [accept-loop]

//! [echo-loop]
asio::awaitable<void> EchoServer::echo(tcp::socket socket) {
  asio::error_code ignored;  // a peer that has already gone leaves an empty endpoint
  const auto peer = socket.remote_endpoint(ignored);
  common::log_info("{}:{} connected", peer.address().to_string(), peer.port());
  live_.insert(&socket);

  std::array<char, 16 * 1024> data;
  for (;;) {
    auto [read_error, n] = co_await socket.async_read_some(asio::buffer(data), kUseTuple);
    if (read_error) break;  // end of stream, a reset, or stop() closing the socket
    auto [write_error, written] =
        co_await asio::async_write(socket, asio::buffer(data, n), kUseTuple);
    if (write_error) break;
  }

  live_.erase(&socket);
  common::log_info("{}:{} disconnected", peer.address().to_string(), peer.port());
}
//! [echo-loop]

//! [stop]
void EchoServer::stop() {
  acceptor_.close();
  // Closing a socket cancels its pending read; the echo coroutine then sees an error and ends.
  // The cancellations are delivered later as handlers, so live_ is not modified while we loop.
  for (tcp::socket* socket : live_) socket->close();
}
//! [stop]

int run(const common::ServerOptions& options) {
  // One io_context and one server per thread. The first server picks the port (for -p 0);
  // the others bind to the same one.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<EchoServer>> servers;
  tcp::endpoint endpoint(asio::ip::make_address(options.listen), options.port);
  for (unsigned i = 0; i < options.threads; ++i) {
    auto& io = *contexts.emplace_back(std::make_unique<asio::io_context>(1));
    auto& server = *servers.emplace_back(std::make_unique<EchoServer>(io, endpoint));
    endpoint = server.local_endpoint();
    asio::co_spawn(io, server.accept_loop(), common::report_exception("accept loop"));
  }

  // Each server is stopped on its own thread, so no server's state is touched from outside.
  common::StopSignals signals(contexts.front()->get_executor(), [&](int) {
    for (std::size_t i = 0; i < servers.size(); ++i) {
      asio::post(*contexts[i], [server = servers[i].get()] { server->stop(); });
    }
  });
  common::announce_listening(endpoint);

  std::vector<std::jthread> threads;
  for (std::size_t i = 1; i < contexts.size(); ++i) {
    threads.emplace_back([&io = *contexts[i]] { io.run(); });
  }
  contexts.front()->run();  // returns when every coroutine on it has finished
  return 0;
}

}  // namespace
}  // namespace mc::echo

int main(int argc, char** argv) {
  CLI::App app{"Chapter 1 echo server: sends every byte it receives back to its sender"};
  mc::common::ServerOptions options;
  mc::common::add_server_options(app, options);
  CLI11_PARSE(app, argc, argv);
  mc::common::apply_verbosity(options.verbosity);

  try {
    return mc::echo::run(options);
  } catch (const std::exception& error) {
    mc::common::log_error("echo_server: {}", error.what());
    return 1;
  }
}
