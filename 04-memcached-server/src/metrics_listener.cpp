#include "mc/server/metrics_listener.hpp"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <set>
#include <string_view>
#include <variant>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include "mc/common/asio.hpp"
#include "mc/common/log.hpp"
#include "mc/server/http_request.hpp"
#include "mc/server/prometheus_text.hpp"

namespace mc::server {

using namespace asio::experimental::awaitable_operators;
using asio::ip::tcp;

namespace {

// A scraper sends its request at once; anything slower is stalled or hostile.
constexpr std::chrono::seconds kRequestTimeout{5};

namespace status {
constexpr std::string_view kOk = "200 OK";
constexpr std::string_view kBadRequest = "400 Bad Request";
constexpr std::string_view kNotFound = "404 Not Found";
constexpr std::string_view kMethodNotAllowed = "405 Method Not Allowed";
}  // namespace status

constexpr std::string_view kPlainText = "text/plain; charset=utf-8";

struct HttpReply {
  std::string_view status;
  std::string_view content_type = kPlainText;
  std::string body;
};

HttpReply stock_reply(std::string_view status) {
  return {
      .status = status, .content_type = kPlainText, .body = fmt::format("{}\n", status.substr(4))};
}

}  // namespace

struct MetricsListener::State : std::enable_shared_from_this<State> {
  State(asio::io_context& io, const tcp::endpoint& endpoint, Scrape scrape_body)
      : acceptor(io, endpoint), retry(io), scrape(std::move(scrape_body)) {}

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(tcp::socket socket);
  HttpReply route(const HttpRequest& request) const;

  tcp::acceptor acceptor;
  asio::steady_timer retry;  // the accept loop's pause after an error (out of descriptors)
  Scrape scrape;
  // Only touched on the acceptor's thread, like everything here.
  std::set<tcp::socket*> open;
  bool stopped = false;
};

asio::awaitable<void> MetricsListener::State::accept_loop() {
  const auto self = shared_from_this();
  while (!stopped) {
    auto [error, socket] = co_await acceptor.async_accept(common::kUseTuple);
    if (stopped) co_return;
    if (error) {
      common::log_warn("metrics listener: accept failed: {}", error.message());
      retry.expires_after(std::chrono::milliseconds(100));
      co_await retry.async_wait(common::kUseTuple);
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)),
                   common::report_exception("metrics connection"));
  }
}

asio::awaitable<void> MetricsListener::State::serve(tcp::socket socket) {
  const auto self = shared_from_this();
  // co_spawn starts this coroutine later: a stop() in between did not see the socket, so it is
  // closed here, not left to the request timeout (which would hold up the server's exit).
  if (stopped) co_return;
  open.insert(&socket);
  struct Forget {
    std::set<tcp::socket*>& open;
    tcp::socket* socket;
    ~Forget() { open.erase(socket); }
  } forget{open, &socket};

  asio::steady_timer deadline(socket.get_executor());
  deadline.expires_after(kRequestTimeout);
  std::string head;
  std::array<char, 1024> chunk{};
  HttpRequest request;
  while ((request = parse_http_request(head)).status == HttpRequest::Status::kNeedMore) {
    auto read = co_await (socket.async_read_some(asio::buffer(chunk), common::kUseTuple) ||
                          deadline.async_wait(common::kUseTuple));
    if (read.index() == 1) co_return;  // too slow: closed without a word
    const auto [error, n] = std::get<0>(read);
    if (error) co_return;  // the peer left, or stop() closed the socket
    head.append(chunk.data(), n);
  }
  const HttpReply reply = request.status == HttpRequest::Status::kGood
                              ? route(request)
                              : stock_reply(status::kBadRequest);
  const std::string header = fmt::format(
      "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n",
      reply.status, reply.content_type, reply.body.size(),
      reply.status == status::kMethodNotAllowed ? "Allow: GET\r\n" : "");
  const std::array buffers{asio::buffer(header), asio::buffer(reply.body)};
  auto written = co_await (asio::async_write(socket, buffers, common::kUseTuple) ||
                           deadline.async_wait(common::kUseTuple));
  if (written.index() == 0 && !std::get<0>(std::get<0>(written))) {
    // Closing with our FIN, not a reset: the client reads the whole reply.
    asio::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
  }
}

HttpReply MetricsListener::State::route(const HttpRequest& request) const {
  const bool known = request.path == "/metrics" || request.path == "/healthz";
  if (!known) return stock_reply(status::kNotFound);
  if (request.method != "GET") return stock_reply(status::kMethodNotAllowed);
  if (request.path == "/healthz")
    return {.status = status::kOk, .content_type = kPlainText, .body = "OK\n"};
  return {.status = status::kOk, .content_type = kPrometheusContentType, .body = scrape()};
}

MetricsListener::MetricsListener(asio::io_context& io, const tcp::endpoint& endpoint, Scrape scrape)
    : state_(std::make_shared<State>(io, endpoint, std::move(scrape))),
      endpoint_(state_->acceptor.local_endpoint()) {
  asio::co_spawn(io, state_->accept_loop(), common::report_exception("metrics listener"));
}

MetricsListener::~MetricsListener() { stop(); }

void MetricsListener::stop() {
  asio::post(state_->acceptor.get_executor(), [state = state_] {
    if (state->stopped) return;
    state->stopped = true;
    asio::error_code ignored;
    state->acceptor.close(ignored);
    state->retry.cancel();
    for (tcp::socket* socket : state->open) socket->close(ignored);
  });
}

}  // namespace mc::server
