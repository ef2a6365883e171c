/// \file
/// \brief Session: one connection to one memcached server, with pipelining, deadlines,
/// heartbeat and reconnection; every call as a coroutine, a callback or a future.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <asio/async_result.hpp>
#include <asio/io_context.hpp>
#include <asio/use_awaitable.hpp>

#include "mc/client/detail/command.hpp"
#include "mc/client/detail/operation.hpp"
#include "mc/client/detail/session_core.hpp"
#include "mc/client/operations.hpp"
#include "mc/client/result.hpp"
#include "mc/client/server_address.hpp"
#include "mc/client/session_options.hpp"

namespace mc::client {

/// \brief One TCP connection to a memcached server, shared by any number of concurrent calls.
///
/// Calls are pipelined: each is written as soon as it is made (the connection's writer
/// gathers everything queued into one write) and replies are matched to calls in order. Every
/// call completes exactly once, with its reply, a protocol error, Error::kTimeout at its
/// deadline, or a connection error; a lost connection fails every pending call at once and the
/// session reconnects in the background with exponential backoff and jitter.
///
/// Every call takes an Asio completion token as its last argument, so the same call works in
/// three styles: `co_await session.get(key)` (the default, asio::use_awaitable), a callback
/// `session.get(key, {}, [](Result<std::optional<Item>> r) { ... })`, or `asio::use_future`.
/// The completion signature is `void(Result<T>)`.
///
/// Calls may be made from any thread. The session lives on the io_context it was given, which
/// must be run by one thread and outlive the session. Destroying the session closes it.
class Session {
 public:
  /// \brief Starts connecting to `server` in the background; calls made before the connection
  /// is up wait for it (within their deadlines).
  Session(asio::io_context& io, ServerAddress server, SessionOptions options = {})
      : core_(std::make_shared<detail::SessionCore>(io, std::move(server), options)) {
    core_->start();
  }
  /// \brief Closes the session, as close() does.
  ~Session() { close(); }
  /// \brief Takes over `other`'s connection; `other` may only be destroyed afterwards.
  Session(Session&& other) noexcept = default;
  Session& operator=(Session&&) = delete;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// \brief Fails every pending call (Error::kSessionClosed, or kConnectionLost for those
  /// already written), closes the connection and stops reconnecting. Idempotent.
  void close() {
    if (core_) core_->close();
  }

  /// \brief The server this session talks to.
  [[nodiscard]] const ServerAddress& server() const { return core_->server(); }
  /// \brief Counters: requests, write calls, replies, timeouts, connects...
  [[nodiscard]] const SessionCounters& counters() const { return core_->counters(); }
  /// \brief Whether the connection is up right now.
  [[nodiscard]] bool connected() const { return core_->connected(); }

  //! [get]
  /// \brief `get <key>`: the item, or an empty optional on a miss.
  template <typename Token = asio::use_awaitable_t<>>
  auto get(std::string_view key, CallOptions options = {}, Token&& token = {}) {
    return retrieve<std::optional<Item>>(codec::RetrieveCommand::kGet, key, 0, options,
                                         std::forward<Token>(token));
  }
  //! [get]

  /// \brief `gets <key>`: as get(), with Item::cas set for a later cas().
  template <typename Token = asio::use_awaitable_t<>>
  auto gets(std::string_view key, CallOptions options = {}, Token&& token = {}) {
    return retrieve<std::optional<Item>>(codec::RetrieveCommand::kGets, key, 0, options,
                                         std::forward<Token>(token));
  }

  /// \brief `gat <exptime> <key>`: get and set a new expiry.
  template <typename Token = asio::use_awaitable_t<>>
  auto gat(std::int32_t exptime, std::string_view key, CallOptions options = {},
           Token&& token = {}) {
    return retrieve<std::optional<Item>>(codec::RetrieveCommand::kGat, key, exptime, options,
                                         std::forward<Token>(token));
  }

  /// \brief `gats <exptime> <key>`: gat() with Item::cas set.
  template <typename Token = asio::use_awaitable_t<>>
  auto gats(std::int32_t exptime, std::string_view key, CallOptions options = {},
            Token&& token = {}) {
    return retrieve<std::optional<Item>>(codec::RetrieveCommand::kGats, key, exptime, options,
                                         std::forward<Token>(token));
  }

  /// \brief `get <key>*` in one request line: the hits, in the server's order.
  template <typename Token = asio::use_awaitable_t<>>
  auto get_multi(std::span<const std::string_view> keys, CallOptions options = {},
                 Token&& token = {}) {
    return launch<std::vector<Item>>(
        detail::retrieve(codec::RetrieveCommand::kGet, keys, 0, options),
        std::forward<Token>(token));
  }

  /// \brief get_multi() for keys held as strings.
  template <typename Token = asio::use_awaitable_t<>>
  auto get_multi(std::span<const std::string> keys, CallOptions options = {}, Token&& token = {}) {
    const std::vector<std::string_view> views(keys.begin(), keys.end());
    return get_multi(std::span<const std::string_view>(views), options, std::forward<Token>(token));
  }

  /// \brief `set`: store unconditionally. Answers Status::kStored.
  template <typename Token = asio::use_awaitable_t<>>
  auto set(std::string_view key, std::string_view value, StoreOptions options = {},
           Token&& token = {}) {
    return store(codec::StoreCommand::kSet, key, value, 0, options, std::forward<Token>(token));
  }

  /// \brief `add`: store only if absent (else Status::kNotStored).
  template <typename Token = asio::use_awaitable_t<>>
  auto add(std::string_view key, std::string_view value, StoreOptions options = {},
           Token&& token = {}) {
    return store(codec::StoreCommand::kAdd, key, value, 0, options, std::forward<Token>(token));
  }

  /// \brief `replace`: store only if present (else Status::kNotStored).
  template <typename Token = asio::use_awaitable_t<>>
  auto replace(std::string_view key, std::string_view value, StoreOptions options = {},
               Token&& token = {}) {
    return store(codec::StoreCommand::kReplace, key, value, 0, options, std::forward<Token>(token));
  }

  /// \brief `append`: add bytes after an existing value (else Status::kNotStored).
  template <typename Token = asio::use_awaitable_t<>>
  auto append(std::string_view key, std::string_view value, StoreOptions options = {},
              Token&& token = {}) {
    return store(codec::StoreCommand::kAppend, key, value, 0, options, std::forward<Token>(token));
  }

  /// \brief `prepend`: add bytes before an existing value (else Status::kNotStored).
  template <typename Token = asio::use_awaitable_t<>>
  auto prepend(std::string_view key, std::string_view value, StoreOptions options = {},
               Token&& token = {}) {
    return store(codec::StoreCommand::kPrepend, key, value, 0, options, std::forward<Token>(token));
  }

  /// \brief `cas`: store only if the item's cas unique is still `cas_unique` (else
  /// Status::kExists, or Status::kNotFound if it is gone).
  template <typename Token = asio::use_awaitable_t<>>
  auto cas(std::string_view key, std::string_view value, std::uint64_t cas_unique,
           StoreOptions options = {}, Token&& token = {}) {
    return store(codec::StoreCommand::kCas, key, value, cas_unique, options,
                 std::forward<Token>(token));
  }

  /// \brief `delete <key>`: Status::kDeleted or Status::kNotFound.
  template <typename Token = asio::use_awaitable_t<>>
  auto remove(std::string_view key, WriteOptions options = {}, Token&& token = {}) {
    return launch<Status>(detail::remove(key, options), std::forward<Token>(token));
  }

  /// \brief `incr <key> <delta>`: the new value, or an empty optional if the key is absent.
  template <typename Token = asio::use_awaitable_t<>>
  auto incr(std::string_view key, std::uint64_t delta, WriteOptions options = {},
            Token&& token = {}) {
    return launch<std::optional<std::uint64_t>>(detail::arithmetic(true, key, delta, options),
                                                std::forward<Token>(token));
  }

  /// \brief `decr <key> <delta>` (memcached stops at 0): as incr().
  template <typename Token = asio::use_awaitable_t<>>
  auto decr(std::string_view key, std::uint64_t delta, WriteOptions options = {},
            Token&& token = {}) {
    return launch<std::optional<std::uint64_t>>(detail::arithmetic(false, key, delta, options),
                                                std::forward<Token>(token));
  }

  /// \brief `touch <key> <exptime>`: Status::kTouched or Status::kNotFound.
  template <typename Token = asio::use_awaitable_t<>>
  auto touch(std::string_view key, std::int32_t exptime, WriteOptions options = {},
             Token&& token = {}) {
    return launch<Status>(detail::touch(key, exptime, options), std::forward<Token>(token));
  }

  /// \brief `flush_all [delay]`: Status::kOk.
  template <typename Token = asio::use_awaitable_t<>>
  auto flush_all(std::int32_t delay = 0, WriteOptions options = {}, Token&& token = {}) {
    return launch<Status>(detail::flush_all(delay, options), std::forward<Token>(token));
  }

  /// \brief `version`: the server's version text, e.g. `1.6.18`.
  template <typename Token = asio::use_awaitable_t<>>
  auto version(CallOptions options = {}, Token&& token = {}) {
    return launch<std::string>(detail::version(options), std::forward<Token>(token));
  }

  /// \brief `stats [group]`: every `STAT` line, in order.
  template <typename Token = asio::use_awaitable_t<>>
  auto stats(std::string_view group = {}, CallOptions options = {}, Token&& token = {}) {
    return launch<std::vector<Stat>>(detail::stats(group, options), std::forward<Token>(token));
  }

  /// \brief `mg <key> <flags>`, e.g. flags `"v f t"`: value, client flags and TTL.
  template <typename Token = asio::use_awaitable_t<>>
  auto meta_get(std::string_view key, std::string_view flags, CallOptions options = {},
                Token&& token = {}) {
    return meta(codec::MetaCommand::kGet, key, flags, {}, options, std::forward<Token>(token));
  }

  /// \brief `ms <key> <size> <flags>` with `value`, e.g. flags `"T60 F5"`.
  template <typename Token = asio::use_awaitable_t<>>
  auto meta_set(std::string_view key, std::string_view value, std::string_view flags,
                CallOptions options = {}, Token&& token = {}) {
    return meta(codec::MetaCommand::kSet, key, flags, value, options, std::forward<Token>(token));
  }

  /// \brief `md <key> <flags>`.
  template <typename Token = asio::use_awaitable_t<>>
  auto meta_delete(std::string_view key, std::string_view flags, CallOptions options = {},
                   Token&& token = {}) {
    return meta(codec::MetaCommand::kDelete, key, flags, {}, options, std::forward<Token>(token));
  }

 private:
  //! [launch]
  // The one core under every call and every style: async_initiate turns the token into a
  // handler, the handler goes into an Operation, and the session takes it from there.
  template <typename T, typename Token>
  auto launch(detail::Command command, Token&& token) {
    return asio::async_initiate<Token, void(Result<T>)>(
        [](auto handler, std::shared_ptr<detail::SessionCore> core, detail::Command command) {
          using Handler = std::decay_t<decltype(handler)>;
          core->submit(std::make_shared<detail::TypedOperation<T, Handler>>(
              std::move(command), core->executor(), std::move(handler)));
        },
        token, core_, std::move(command));
  }
  //! [launch]

  template <typename T, typename Token>
  auto retrieve(codec::RetrieveCommand command, std::string_view key, std::int32_t exptime,
                CallOptions options, Token&& token) {
    const std::string_view keys[] = {key};
    return launch<T>(detail::retrieve(command, keys, exptime, options), std::forward<Token>(token));
  }

  template <typename Token>
  auto store(codec::StoreCommand command, std::string_view key, std::string_view value,
             std::uint64_t cas_unique, const StoreOptions& options, Token&& token) {
    return launch<Status>(detail::store(command, key, value, cas_unique, options),
                          std::forward<Token>(token));
  }

  template <typename Token>
  auto meta(codec::MetaCommand command, std::string_view key, std::string_view flags,
            std::string_view value, CallOptions options, Token&& token) {
    return launch<MetaReply>(
        detail::meta(command, key, flags, value, core_->next_opaque(), options),
        std::forward<Token>(token));
  }

  friend class Cluster;  // routes prepared commands through launch()

  std::shared_ptr<detail::SessionCore> core_;
};

}  // namespace mc::client
