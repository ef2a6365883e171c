#include "mc/net/acceptor.hpp"

#include <algorithm>
#include <chrono>
#include <system_error>

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>

#include "mc/common/asio.hpp"
#include "mc/common/log.hpp"

namespace mc::net {

Acceptor::Acceptor(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint, int backlog)
    : acceptor_(io), pause_(io) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(backlog);
}

void Acceptor::start(Pick pick, OnAccept on_accept, std::atomic<std::uint64_t>* pauses) {
  asio::co_spawn(acceptor_.get_executor(),
                 accept_loop(std::move(pick), std::move(on_accept), pauses),
                 common::report_exception("accept loop"));
}

namespace {
// Out of file descriptors, for the process or the whole system.
bool out_of_descriptors(const asio::error_code& error) {
  return error == asio::error::no_descriptors ||
         error == std::make_error_code(std::errc::too_many_files_open_in_system);
}
}  // namespace

//! [accept-loop]
asio::awaitable<void> Acceptor::accept_loop(Pick pick, OnAccept on_accept,
                                            std::atomic<std::uint64_t>* pauses) {
  // Out of file descriptors, accept fails at once for as long as the waiting connection is
  // there: retrying straight away would spin and flood the log. Like memcached, stop
  // accepting for a while (the connections wait in the listen queue), say so once, and try
  // again later, longer each time until a descriptor is free.
  constexpr auto kFirstPause = std::chrono::milliseconds(10);
  constexpr auto kLongestPause = std::chrono::milliseconds(1000);
  auto pause = kFirstPause;
  bool paused = false;
  for (;;) {
    // The new socket is created on the io_context it will live on, not on ours.
    auto [error, socket] =
        co_await acceptor_.async_accept(pick().get_executor(), common::kUseTuple);
    if (error == asio::error::operation_aborted || !acceptor_.is_open()) co_return;  // close()
    if (out_of_descriptors(error)) {
      if (!paused) {
        common::log_warn("accept failed: {}; accepting again when a descriptor is free",
                         error.message());
        if (pauses != nullptr) pauses->fetch_add(1, std::memory_order_relaxed);
        paused = true;
      }
      pause_.expires_after(pause);
      co_await pause_.async_wait(common::kUseTuple);
      pause = std::min(pause * 2, kLongestPause);
      continue;
    }
    if (error) {
      common::log_warn("accept failed: {}", error.message());
      continue;  // e.g. the peer reset the connection before we took it
    }
    paused = false;
    pause = kFirstPause;
    on_accept(std::move(socket));
  }
}
//! [accept-loop]

void Acceptor::close() {
  // The acceptor belongs to its io_context's thread: close it there, whoever asks.
  asio::post(acceptor_.get_executor(), [this] {
    asio::error_code ignored;
    acceptor_.close(ignored);
    pause_.cancel();
  });
}

}  // namespace mc::net
