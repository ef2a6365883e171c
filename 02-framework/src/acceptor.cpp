#include "mc/net/acceptor.hpp"

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>

#include "mc/common/asio.hpp"
#include "mc/common/log.hpp"

namespace mc::net {

Acceptor::Acceptor(asio::io_context& io, const asio::ip::tcp::endpoint& endpoint, int backlog)
    : acceptor_(io) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(backlog);
}

void Acceptor::start(Pick pick, OnAccept on_accept) {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(std::move(pick), std::move(on_accept)),
                 common::report_exception("accept loop"));
}

//! [accept-loop]
asio::awaitable<void> Acceptor::accept_loop(Pick pick, OnAccept on_accept) {
  for (;;) {
    // The new socket is created on the io_context it will live on, not on ours.
    auto [error, socket] =
        co_await acceptor_.async_accept(pick().get_executor(), common::kUseTuple);
    if (error == asio::error::operation_aborted || !acceptor_.is_open()) co_return;  // close()
    if (error) {
      common::log_warn("accept failed: {}", error.message());
      continue;  // e.g. out of file descriptors; the listener itself is fine
    }
    on_accept(std::move(socket));
  }
}
//! [accept-loop]

void Acceptor::close() {
  // The acceptor belongs to its io_context's thread: close it there, whoever asks.
  asio::post(acceptor_.get_executor(), [this] {
    asio::error_code ignored;
    acceptor_.close(ignored);
  });
}

}  // namespace mc::net
