#include "mc/net/connector.hpp"

#include <future>
#include <memory>
#include <utility>

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>

#include "mc/common/asio.hpp"
#include "mc/net/error.hpp"

namespace mc::net {
namespace {

using namespace asio::experimental::awaitable_operators;

asio::awaitable<std::error_code> resolve_and_connect(asio::ip::tcp::resolver& resolver,
                                                     Socket& socket, const std::string& host,
                                                     std::uint16_t port) {
  auto [error, endpoints] =
      co_await resolver.async_resolve(host, std::to_string(port), common::kUseTuple);
  if (error) co_return error;
  auto [connect_error, endpoint] =
      co_await asio::async_connect(socket, endpoints, common::kUseTuple);
  co_return connect_error;
}

}  // namespace

//! [connect]
asio::awaitable<std::error_code> async_connect(Socket& socket, std::string host, std::uint16_t port,
                                               std::chrono::milliseconds timeout) {
  asio::ip::tcp::resolver resolver(socket.get_executor());
  asio::steady_timer timer(socket.get_executor(), timeout);
  // Whichever finishes first wins and the other is cancelled: Go's select over a dial and
  // time.After. The deadline covers resolving and connecting.
  auto winner = co_await (resolve_and_connect(resolver, socket, host, port) ||
                          timer.async_wait(asio::use_awaitable));
  if (winner.index() == 1) co_return Error::kConnectTimeout;
  co_return std::get<0>(winner);
}
//! [connect]

namespace {

/// The attempt outlives the caller's wait if the io_context never runs the coroutine.
struct Attempt {
  explicit Attempt(asio::io_context& io) : socket(io) {}
  Socket socket;
  std::promise<std::error_code> done;
};

}  // namespace

Socket connect_socket(asio::io_context& io, const std::string& host, std::uint16_t port,
                      std::chrono::milliseconds timeout, std::error_code& error) {
  auto attempt = std::make_shared<Attempt>(io);
  auto outcome = attempt->done.get_future();
  asio::co_spawn(io, async_connect(attempt->socket, host, port, timeout),
                 [attempt](std::exception_ptr failure, std::error_code result) {
                   if (failure) {
                     attempt->done.set_exception(failure);
                   } else {
                     attempt->done.set_value(result);
                   }
                 });
  // The coroutine has its own deadline; this one only guards against an io_context that
  // is not running at all.
  if (outcome.wait_for(timeout + std::chrono::seconds(1)) != std::future_status::ready) {
    error = Error::kConnectTimeout;
    return Socket(io);
  }
  error = outcome.get();  // the coroutine has finished: the socket is ours alone now
  if (error) attempt->socket.close();
  return std::move(attempt->socket);
}

}  // namespace mc::net
