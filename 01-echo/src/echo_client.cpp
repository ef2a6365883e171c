// Chapter 1: an echo client. It sends lines and prints what comes back.
//
// Sending and receiving run as two coroutines at the same time. Doing them one after the
// other would deadlock on a large message: the server cannot echo more than the socket
// buffers hold while we are still writing and nobody reads.

#include <fmt/format.h>

#include <iostream>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>

#include "mc/common/asio.hpp"
#include "mc/common/cli.hpp"
#include "mc/common/log.hpp"

namespace mc::echo {
namespace {

using asio::ip::tcp;
using mc::common::kUseTuple;
using namespace asio::experimental::awaitable_operators;

struct ClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 11211;
  std::string message;
  unsigned count = 1;
  int verbosity = 0;
};

//! [send-lines]
asio::awaitable<void> send_lines(tcp::socket& socket, const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(line), asio::buffer("\n", 1)};
    auto [error, n] = co_await asio::async_write(socket, buffers, kUseTuple);
    if (error) throw asio::system_error(error, "send");
  }
}
//! [send-lines]

//! [receive-lines]
asio::awaitable<void> receive_lines(tcp::socket& socket, std::size_t expected) {
  asio::streambuf buffer;
  std::string line;
  for (std::size_t received = 0; received < expected; ++received) {
    auto [error, n] = co_await asio::async_read_until(socket, buffer, '\n', kUseTuple);
    if (error == asio::error::eof) {
      throw std::runtime_error(
          fmt::format("server closed the connection after {} of {} lines", received, expected));
    }
    if (error) throw asio::system_error(error, "receive");
    std::istream stream(&buffer);
    std::getline(stream, line);
    std::cout << line << '\n';
  }
}
//! [receive-lines]

asio::awaitable<void> converse(const ClientOptions& options, std::vector<std::string> lines) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  const auto endpoints = co_await resolver.async_resolve(options.host, std::to_string(options.port),
                                                         asio::use_awaitable);
  tcp::socket socket(executor);
  auto [error, endpoint] = co_await asio::async_connect(socket, endpoints, kUseTuple);
  if (error) {
    throw std::runtime_error(
        fmt::format("cannot connect to {}:{}: {}", options.host, options.port, error.message()));
  }
  common::log_info("connected to {}:{}", endpoint.address().to_string(), endpoint.port());
  //! [both-directions]
  co_await (send_lines(socket, lines) && receive_lines(socket, lines.size()));
  //! [both-directions]
}

std::vector<std::string> input_lines(const ClientOptions& options) {
  std::vector<std::string> lines;
  if (!options.message.empty()) {
    lines.assign(options.count, options.message);
    return lines;
  }
  for (std::string line; std::getline(std::cin, line);) lines.push_back(std::move(line));
  return lines;
}

}  // namespace
}  // namespace mc::echo

int main(int argc, char** argv) {
  CLI::App app{
      "Chapter 1 echo client: sends lines (stdin, or -m repeated -n times), prints the echo"};
  mc::echo::ClientOptions options;
  app.add_option("-H,--host", options.host, "Server address")->capture_default_str();
  app.add_option("-p,--port", options.port, "Server port")->capture_default_str();
  app.add_option("-m,--message", options.message, "Send this line instead of reading stdin");
  app.add_option("-n,--count", options.count, "How many times to send the -m message")
      ->capture_default_str();
  mc::common::add_verbosity_flag(app, options.verbosity);
  CLI11_PARSE(app, argc, argv);
  mc::common::apply_verbosity(options.verbosity);

  asio::io_context io(1);
  int status = 0;
  asio::co_spawn(io, mc::echo::converse(options, mc::echo::input_lines(options)),
                 [&status](std::exception_ptr error) {
                   if (!error) return;
                   try {
                     std::rethrow_exception(error);
                   } catch (const std::exception& e) {
                     fmt::print(stderr, "echo_client: {}\n", e.what());
                   }
                   status = 1;
                 });
  io.run();
  return status;
}
