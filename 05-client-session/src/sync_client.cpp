#include "mc/client/sync_client.hpp"

#include <future>
#include <thread>

#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>

namespace mc::client {

/// The io_context, its thread and the cluster living on it.
class SyncClient::Runner {
 public:
  Runner(std::vector<ServerAddress> servers, const ClusterOptions& options)
      : guard_(asio::make_work_guard(io_)), cluster_(io_, std::move(servers), options) {
    thread_ = std::thread([this] {
      io_.run();
      finished_.set_value();
    });
  }

  ~Runner() {
    asio::post(io_, [this] { cluster_.close(); });
    guard_.reset();  // run() returns once the sessions have wound down
    if (finished_.get_future().wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
      io_.stop();  // last resort: a task that does not end
    }
    thread_.join();
  }

  //! [sync-call]
  // Runs `start(cluster, done)` on the client's thread and blocks until `done` is called.
  // Arguments may be views of the caller's memory: the caller is blocked until the end.
  template <typename T, typename Start>
  Result<T> call(Start start) {
    std::promise<Result<T>> promise;
    asio::post(io_, [&] {
      start(cluster_, [&promise](Result<T> result) { promise.set_value(std::move(result)); });
    });
    return promise.get_future().get();
  }
  //! [sync-call]

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  Cluster cluster_;
  std::promise<void> finished_;
  std::thread thread_;
};

SyncClient::SyncClient(std::vector<ServerAddress> servers, ClusterOptions options)
    : servers_(servers), runner_(std::make_unique<Runner>(std::move(servers), options)) {}

SyncClient::~SyncClient() = default;

std::optional<std::size_t> SyncClient::locate(std::string_view key) {
  auto where = runner_->call<std::optional<std::size_t>>(
      [&](Cluster& c, auto done) { done(Result<std::optional<std::size_t>>(c.locate(key))); });
  return *where;
}

Result<std::optional<Item>> SyncClient::get(std::string_view key, CallOptions options) {
  return runner_->call<std::optional<Item>>(
      [&](Cluster& c, auto done) { c.get(key, options, std::move(done)); });
}

Result<std::optional<Item>> SyncClient::gets(std::string_view key, CallOptions options) {
  return runner_->call<std::optional<Item>>(
      [&](Cluster& c, auto done) { c.gets(key, options, std::move(done)); });
}

Result<std::optional<Item>> SyncClient::gat(std::int32_t exptime, std::string_view key,
                                            CallOptions options) {
  return runner_->call<std::optional<Item>>(
      [&](Cluster& c, auto done) { c.gat(exptime, key, options, std::move(done)); });
}

Result<std::vector<Item>> SyncClient::get_multi(std::span<const std::string_view> keys,
                                                CallOptions options) {
  return runner_->call<std::vector<Item>>(
      [&](Cluster& c, auto done) { c.get_multi(keys, options, std::move(done)); });
}

Result<std::vector<Cluster::KeyResult>> SyncClient::get_each(std::span<const std::string_view> keys,
                                                             CallOptions options) {
  return runner_->call<std::vector<Cluster::KeyResult>>(
      [&](Cluster& c, auto done) { c.get_each(keys, options, std::move(done)); });
}

namespace {

template <typename Runner>
Result<Status> store(Runner& runner, codec::StoreCommand command, std::string_view key,
                     std::string_view value, std::uint64_t cas_unique,
                     const StoreOptions& options) {
  return runner.template call<Status>([&](Cluster& c, auto done) {
    c.store(command, key, value, options, cas_unique, std::move(done));
  });
}

}  // namespace

Result<Status> SyncClient::set(std::string_view key, std::string_view value, StoreOptions options) {
  return store(*runner_, codec::StoreCommand::kSet, key, value, 0, options);
}

Result<Status> SyncClient::add(std::string_view key, std::string_view value, StoreOptions options) {
  return store(*runner_, codec::StoreCommand::kAdd, key, value, 0, options);
}

Result<Status> SyncClient::replace(std::string_view key, std::string_view value,
                                   StoreOptions options) {
  return store(*runner_, codec::StoreCommand::kReplace, key, value, 0, options);
}

Result<Status> SyncClient::append(std::string_view key, std::string_view value,
                                  StoreOptions options) {
  return store(*runner_, codec::StoreCommand::kAppend, key, value, 0, options);
}

Result<Status> SyncClient::prepend(std::string_view key, std::string_view value,
                                   StoreOptions options) {
  return store(*runner_, codec::StoreCommand::kPrepend, key, value, 0, options);
}

Result<Status> SyncClient::cas(std::string_view key, std::string_view value,
                               std::uint64_t cas_unique, StoreOptions options) {
  return store(*runner_, codec::StoreCommand::kCas, key, value, cas_unique, options);
}

Result<Status> SyncClient::remove(std::string_view key, WriteOptions options) {
  return runner_->call<Status>(
      [&](Cluster& c, auto done) { c.remove(key, options, std::move(done)); });
}

Result<std::optional<std::uint64_t>> SyncClient::incr(std::string_view key, std::uint64_t delta,
                                                      WriteOptions options) {
  return runner_->call<std::optional<std::uint64_t>>(
      [&](Cluster& c, auto done) { c.arithmetic(true, key, delta, options, std::move(done)); });
}

Result<std::optional<std::uint64_t>> SyncClient::decr(std::string_view key, std::uint64_t delta,
                                                      WriteOptions options) {
  return runner_->call<std::optional<std::uint64_t>>(
      [&](Cluster& c, auto done) { c.arithmetic(false, key, delta, options, std::move(done)); });
}

Result<Status> SyncClient::touch(std::string_view key, std::int32_t exptime, WriteOptions options) {
  return runner_->call<Status>(
      [&](Cluster& c, auto done) { c.touch(key, exptime, options, std::move(done)); });
}

Result<MetaReply> SyncClient::meta_get(std::string_view key, std::string_view flags,
                                       CallOptions options) {
  return runner_->call<MetaReply>([&](Cluster& c, auto done) {
    c.meta(codec::MetaCommand::kGet, key, flags, {}, options, std::move(done));
  });
}

Result<MetaReply> SyncClient::meta_set(std::string_view key, std::string_view value,
                                       std::string_view flags, CallOptions options) {
  return runner_->call<MetaReply>([&](Cluster& c, auto done) {
    c.meta(codec::MetaCommand::kSet, key, flags, value, options, std::move(done));
  });
}

Result<MetaReply> SyncClient::meta_delete(std::string_view key, std::string_view flags,
                                          CallOptions options) {
  return runner_->call<MetaReply>([&](Cluster& c, auto done) {
    c.meta(codec::MetaCommand::kDelete, key, flags, {}, options, std::move(done));
  });
}

Result<Status> SyncClient::flush_all(std::int32_t delay, WriteOptions options) {
  return runner_->call<Status>(
      [&](Cluster& c, auto done) { c.flush_all(delay, options, std::move(done)); });
}

Result<std::string> SyncClient::version(std::size_t server, CallOptions options) {
  if (server >= servers_.size()) return Error::kBadArgument;
  return runner_->call<std::string>(
      [&](Cluster& c, auto done) { c.session(server).version(options, std::move(done)); });
}

Result<std::vector<Stat>> SyncClient::stats(std::size_t server, std::string_view group,
                                            CallOptions options) {
  if (server >= servers_.size()) return Error::kBadArgument;
  return runner_->call<std::vector<Stat>>(
      [&](Cluster& c, auto done) { c.session(server).stats(group, options, std::move(done)); });
}

}  // namespace mc::client
