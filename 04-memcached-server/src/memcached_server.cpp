#include "mc/server/memcached_server.hpp"

#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>

#include "listen_addresses.hpp"
#include "mc/codec/reply.hpp"
#include "mc/common/asio.hpp"
#include "mc/common/log.hpp"
#include "mc/net/io_context_pool.hpp"
#include "mc/server/handler.hpp"
#include "mc/server/metrics_report.hpp"
#include "mc/server/tls_context.hpp"

namespace mc::server {
namespace {

using ClientConnection = net::Connection<ServerCodec>;

// How many items the background sweep looks at per shard and second: enough to keep up with
// expiry, little enough to hold a shard's lock for well under a millisecond.
constexpr std::size_t kSweepBatch = 2000;

//! [client-state]
// What each client connection carries in its context slot: its entry in the registry, its
// handler, and the way the handler's replies reach the connection.
class ClientState final : public ReplySink {
 public:
  ClientState(ServerContext& context, ClientConnection& connection)
      : connection_(connection),
        thread_(net::IoContextPool::this_thread_index().value_or(0)),
        handler_(context, context.connections().commands(thread_)),
        latencies_(context.latencies()) {
    info_.fd = connection.native_handle();
    info_.peer = &connection.peer();
    info_.io = &connection.stats();
  }

  void handle(const codec::Request& request) {
    info_.last_command.store(handler_.context().clock().now(), std::memory_order_relaxed);
    if (latencies_ == nullptr) return handler_.handle(request, *this);
    // Timed only with metrics on: two clock reads (vDSO, no system call) per request.
    const auto kind = command_kind(request);
    const auto start = std::chrono::steady_clock::now();
    handler_.handle(request, *this);
    if (kind) latencies_->record(thread_, *kind, std::chrono::steady_clock::now() - start);
  }
  void send(Reply reply) override { connection_.send(std::move(reply)); }
  void close_after_flush() override { connection_.close_after_flush(); }
  ConnectionInfo& info() { return info_; }

 private:
  ClientConnection& connection_;
  const std::size_t thread_;  // this connection's I/O thread: its counters' and histogram's slot
  ConnectionInfo info_;
  Handler handler_;
  LatencyRecorder* const latencies_;  // null without -o metrics_port
};
//! [client-state]

// std::any holds copyable types only, hence the shared_ptr.
using StatePointer = std::shared_ptr<ClientState>;

std::string peer_name(const ClientConnection& connection) {
  return fmt::format("{}:{}", connection.peer().address().to_string(), connection.peer().port());
}

}  // namespace

MemcachedServer::MemcachedServer(const Settings& settings, std::function<void()> on_shutdown) {
  net::ServerOptions options;
  options.listeners =
      detail::parse_listeners(settings.net.listen, settings.net.port, settings.tls.enabled);
  if (settings.tls.enabled) options.tls = make_tls_context(settings.tls);
  options.threads = settings.net.threads;
  options.backlog = settings.listen_backlog;
  options.accept_pauses = &accept_pauses_;
  options.connection.idle_timeout = settings.idle_timeout;
  // A TLS client that never finishes its handshake is idle too: the shorter bound applies.
  if (settings.idle_timeout.count() > 0) {
    options.connection.handshake_timeout = std::min<std::chrono::milliseconds>(
        options.connection.handshake_timeout, settings.idle_timeout);
  }
  options.connection.max_held_bytes = settings.connection_memory;
  options.connection.max_messages_per_turn = settings.reqs_per_event;
  const codec::ItemSizeLimit limit{settings.item_size_max, settings.cas_enabled};
  // The parser refuses what is larger, with memcached's words, before the buffer fills.
  options.connection.max_read_buffer_size = codec::max_request_size(limit);
  // The context holds the port, known only once the first listener is bound (-p 0); the server
  // tells us before its threads start, so every connection sees the context complete.
  const auto make_context = [&](const asio::ip::tcp::endpoint& bound) {
    context_ = std::make_unique<ServerContext>(settings, bound.port(), std::move(on_shutdown),
                                               &accept_pauses_);
  };
  server_ = std::make_unique<net::Server<ServerCodec>>(options, callbacks(), ServerCodec(limit),
                                                       make_context);
  if (settings.metrics_port) {
    // On an I/O thread of the server, not a thread of its own: a scrape is a few hundred
    // microseconds of work between two requests of that thread.
    metrics_ = std::make_unique<MetricsListener>(
        server_->pool().context(0),
        asio::ip::tcp::endpoint{server_->local_endpoint().address(), *settings.metrics_port},
        [this] { return metrics_text(*context_); });
  }
  start_maintenance();
}

MemcachedServer::~MemcachedServer() { stop(); }

//! [callbacks]
net::Callbacks<ServerCodec> MemcachedServer::callbacks() {
  // Built before the context (see the constructor), so they look it up when called.
  return {
      .on_connect =
          [this](ClientConnection& connection) {
            ServerContext& context = *context_;
            auto state = std::make_shared<ClientState>(context, connection);
            if (!context.connections().add(state->info(), context.clock().now(),
                                           context.settings().max_connections)) {
              // memcached's answer beyond -c: one line, then the connection is closed.
              connection.send(codec::constant_reply<ItemHandle>(codec::reply::kTooManyConnections));
              connection.close_after_flush();
              return;
            }
            common::log_info("{} connected", peer_name(connection));
            connection.context() = std::move(state);
          },
      .on_message =
          [](ClientConnection& connection, const codec::Request& request) {
            // A rejected connection has no state: its requests are ignored until it closes.
            if (auto* state = std::any_cast<StatePointer>(&connection.context())) {
              (*state)->handle(request);
            }
          },
      .on_close =
          [this](ClientConnection& connection, std::error_code reason) {
            auto* state = std::any_cast<StatePointer>(&connection.context());
            if (!state) return;
            common::log_info("{} disconnected: {}", peer_name(connection), reason.message());
            context_->connections().remove((*state)->info(),
                                           reason == make_error_code(net::Error::kIdleTimeout));
            connection.context().reset();
            // A connection that filled its memory bound freed megabytes in small pieces, which
            // glibc keeps in this thread's arena: ask it to give the free pages back.
            if (connection.stats().read_pauses.load(std::memory_order_relaxed) > 0) {
              ::malloc_trim(0);
            }
          },
  };
}
//! [callbacks]

//! [maintenance]
void MemcachedServer::start_maintenance() {
  auto tick = [](ServerContext& context, asio::steady_timer& timer,
                 const bool& stopping) -> asio::awaitable<void> {
    for (;;) {
      timer.expires_after(std::chrono::seconds(1));
      auto [error] = co_await timer.async_wait(common::kUseTuple);
      // stop() cancelled the timer; or, if the timer had just fired, set `stopping` before
      // this coroutine resumed (a cancel then finds nothing to cancel).
      if (error || stopping) co_return;
      context.clock().set_unix_time(std::time(nullptr));
      context.store().for_each([](Store& store) {
        store.expire_segments();
        store.expire_some(kSweepBatch);
      });
    }
  };
  asio::co_spawn(maintenance_io_, tick(*context_, maintenance_timer_, maintenance_stopping_),
                 common::report_exception("maintenance"));
  maintenance_thread_ = std::thread([this] { maintenance_io_.run(); });
}
//! [maintenance]

void MemcachedServer::stop() {
  if (!server_) return;
  // Its close is queued before the server's own stop on the same thread, so that thread's
  // run() finds no metrics work left when the connections are gone.
  if (metrics_) metrics_->stop();
  server_->stop();  // every connection is closed, and every reply's item handle released
  // Stopping the maintenance coroutine ends the thread's run().
  asio::post(maintenance_io_, [this] {
    maintenance_stopping_ = true;
    maintenance_timer_.cancel();
  });
  if (maintenance_thread_.joinable()) maintenance_thread_.join();
  metrics_.reset();
  server_.reset();
}

}  // namespace mc::server
