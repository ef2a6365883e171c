/// \file
/// \brief SyncClient: the cluster client as plain blocking calls, for scripts, tools and tests.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mc/client/cluster.hpp"

namespace mc::client {

/// \brief A Cluster on an io_context and thread of its own, driven by blocking calls.
///
/// Each call hands its request to the client's thread and waits for the result; every call
/// has a deadline, so none waits longer than it (plus the time to connect, for the very
/// first calls). Calls may come from any number of threads at once, never from a completion
/// handler running on the client's own thread.
class SyncClient {
 public:
  /// \brief Connects to every server in the background and starts the client's thread.
  explicit SyncClient(std::vector<ServerAddress> servers, ClusterOptions options = {});
  /// \brief Closes the cluster and joins the thread.
  ~SyncClient();
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  /// \brief The servers, in the order given.
  [[nodiscard]] const std::vector<ServerAddress>& servers() const { return servers_; }

  /// \brief The server that holds `key` now (ejections considered); empty if none is live.
  [[nodiscard]] std::optional<std::size_t> locate(std::string_view key);

  /// \brief `get`: the item or an empty optional.
  Result<std::optional<Item>> get(std::string_view key, CallOptions options = {});
  /// \brief `gets`: as get(), with Item::cas.
  Result<std::optional<Item>> gets(std::string_view key, CallOptions options = {});
  /// \brief `gat`: get and set a new expiry.
  Result<std::optional<Item>> gat(std::int32_t exptime, std::string_view key,
                                  CallOptions options = {});
  /// \brief Many keys over every server involved, in parallel: the hits.
  Result<std::vector<Item>> get_multi(std::span<const std::string_view> keys,
                                      CallOptions options = {});
  /// \brief Many keys, one answer per key in the order given: item, miss or error (see
  /// Cluster::get_each()).
  Result<std::vector<Cluster::KeyResult>> get_each(std::span<const std::string_view> keys,
                                                   CallOptions options = {});
  /// \brief `set`.
  Result<Status> set(std::string_view key, std::string_view value, StoreOptions options = {});
  /// \brief `add`.
  Result<Status> add(std::string_view key, std::string_view value, StoreOptions options = {});
  /// \brief `replace`.
  Result<Status> replace(std::string_view key, std::string_view value, StoreOptions options = {});
  /// \brief `append`.
  Result<Status> append(std::string_view key, std::string_view value, StoreOptions options = {});
  /// \brief `prepend`.
  Result<Status> prepend(std::string_view key, std::string_view value, StoreOptions options = {});
  /// \brief `cas`.
  Result<Status> cas(std::string_view key, std::string_view value, std::uint64_t cas_unique,
                     StoreOptions options = {});
  /// \brief `delete`.
  Result<Status> remove(std::string_view key, WriteOptions options = {});
  /// \brief `incr`: the new value, or empty if the key is absent.
  Result<std::optional<std::uint64_t>> incr(std::string_view key, std::uint64_t delta,
                                            WriteOptions options = {});
  /// \brief `decr`: as incr().
  Result<std::optional<std::uint64_t>> decr(std::string_view key, std::uint64_t delta,
                                            WriteOptions options = {});
  /// \brief `touch`.
  Result<Status> touch(std::string_view key, std::int32_t exptime, WriteOptions options = {});
  /// \brief `mg` with `flags`.
  Result<MetaReply> meta_get(std::string_view key, std::string_view flags,
                             CallOptions options = {});
  /// \brief `ms` with `flags`.
  Result<MetaReply> meta_set(std::string_view key, std::string_view value, std::string_view flags,
                             CallOptions options = {});
  /// \brief `md` with `flags`.
  Result<MetaReply> meta_delete(std::string_view key, std::string_view flags,
                                CallOptions options = {});
  /// \brief `flush_all` on every server.
  Result<Status> flush_all(std::int32_t delay = 0, WriteOptions options = {});
  /// \brief `version` of server `server`.
  Result<std::string> version(std::size_t server, CallOptions options = {});
  /// \brief `stats [group]` of server `server`.
  Result<std::vector<Stat>> stats(std::size_t server, std::string_view group = {},
                                  CallOptions options = {});

 private:
  class Runner;

  std::vector<ServerAddress> servers_;
  std::unique_ptr<Runner> runner_;
};

}  // namespace mc::client
