/// \file
/// \brief Cluster: a Session per server, keys placed by a Locator (ketama or modulo), multi-gets
/// fanned out in parallel, and servers ejected after repeated failures, as libmemcached does.

#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <asio/async_result.hpp>
#include <asio/dispatch.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "mc/client/locator.hpp"
#include "mc/client/session.hpp"

namespace mc::client {

/// \brief How a Cluster places keys and treats failing servers.
struct ClusterOptions {
  Distribution distribution = Distribution::kKetama;  ///< ketama (default) or modulo
  SessionOptions session{};                           ///< every server's session
  /// Eject a server after this many calls in a row failed to reach it (timeouts, connection
  /// errors); zero never ejects. libmemcached's `MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT`.
  unsigned eject_after = 3;
  /// How long an ejected server stays out before it is probed (libmemcached's
  /// `MEMCACHED_BEHAVIOR_RETRY_TIMEOUT`). The probe, a `version` in the background, brings it
  /// back only if it answers; otherwise the server stays out for another period.
  std::chrono::milliseconds retry_after{2000};
};

namespace detail {

/// \brief What a Cluster's calls share, so that a call completing after the Cluster is gone
/// still finds it: the sessions, the locator and the failure counts. Lives on one thread.
class ClusterState : public std::enable_shared_from_this<ClusterState> {
 public:
  /// \brief One session per server, all connecting at once.
  ClusterState(asio::io_context& io, std::vector<ServerAddress> servers,
               const ClusterOptions& options);

  /// \brief Counts a call's outcome against server `index`; ejects it after
  /// ClusterOptions::eject_after unreachable calls in a row.
  void record(std::size_t index, std::error_code error);

  /// \brief Closes every session and cancels the retry timers, on the io_context's thread (inline
  /// if the caller is there): the state lives on that thread. Any thread.
  void close();

  asio::io_context& io;            ///< where everything runs
  const ClusterOptions options;    ///< as given
  Locator locator;                 ///< placement, with ejected servers taken out
  std::vector<Session> sessions;   ///< one per server, in the locator's order
  std::vector<unsigned> failures;  ///< unreachable calls in a row, per server
  std::vector<std::unique_ptr<asio::steady_timer>> retry;  ///< per server: when to probe it
  std::uint64_t ejections = 0;                             ///< how many times a server was ejected
  std::uint64_t probes = 0;  ///< how many probes were sent to ejected servers
  bool closed = false;       ///< close() was called: no more probes

 private:
  void close_now();
  void eject(std::size_t index);
  void schedule_probe(std::size_t index);
  void probe(std::size_t index);
};

/// \brief Calls `handler` with `result` on the handler's executor (`fallback` if it has none),
/// inline if the caller is already there.
template <typename Handler, typename T>
void complete_on_own_executor(Handler&& handler, const asio::io_context::executor_type& fallback,
                              Result<T> result) {
  auto executor = asio::get_associated_executor(handler, fallback);
  asio::dispatch(executor,
                 [handler = std::forward<Handler>(handler), result = std::move(result)]() mutable {
                   std::move(handler)(std::move(result));
                 });
}

/// \brief As complete_on_own_executor(), but always queued: for a result known inside the
/// initiating function, whose handler Asio forbids calling from there.
template <typename Handler, typename T>
void post_to_own_executor(Handler&& handler, const asio::io_context::executor_type& fallback,
                          Result<T> result) {
  auto executor = asio::get_associated_executor(handler, fallback);
  asio::post(executor,
             [handler = std::forward<Handler>(handler), result = std::move(result)]() mutable {
               std::move(handler)(std::move(result));
             });
}

}  // namespace detail

/// \brief Many memcached servers seen as one cache. Each key goes to the server the Locator
/// picks (bit-compatible with libmemcached, so C clients agree on where keys live), over that
/// server's Session; get_multi() sends one request line to each server involved, all at once,
/// and merges the hits.
///
/// A server whose calls fail ClusterOptions::eject_after times in a row (timeouts, connection
/// errors) is ejected: the ring is rebuilt without it, so its keys go to the others. Every
/// ClusterOptions::retry_after the cluster probes it in the background, and puts it back only
/// when it answers: callers never pay for a server that is still down. With modulo, keys of an
/// ejected server have no server (Error::kNoServer; a miss for get_multi) until it returns, as with
/// libmemcached.
///
/// Calls take a completion token like Session's. Unlike a Session, a Cluster must be called
/// from the thread that runs its io_context: placement reads state that ejection changes.
/// SyncClient wraps one for other threads.
class Cluster {
 public:
  /// \brief Starts a session to every server of `servers` (at least one).
  Cluster(asio::io_context& io, std::vector<ServerAddress> servers, ClusterOptions options = {});
  /// \brief Closes every session.
  ~Cluster() { close(); }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  /// \brief Closes every session: pending calls fail (see Session::close()). Any thread, as is
  /// the destructor.
  void close() { state_->close(); }

  /// \brief How many servers, ejected or not.
  [[nodiscard]] std::size_t size() const { return state_->sessions.size(); }
  /// \brief The session of server `index` (for version, stats and such, per server).
  [[nodiscard]] Session& session(std::size_t index) { return state_->sessions.at(index); }
  /// \brief Placement: the servers, the ring, who is ejected.
  [[nodiscard]] const Locator& locator() const { return state_->locator; }
  /// \brief The server that holds `key` now; empty if none is live for it.
  [[nodiscard]] std::optional<std::size_t> locate(std::string_view key) const {
    return state_->locator.locate(key);
  }
  /// \brief How many ejections happened so far.
  [[nodiscard]] std::uint64_t ejections() const { return state_->ejections; }
  /// \brief How many background probes of ejected servers were sent so far.
  [[nodiscard]] std::uint64_t probes() const { return state_->probes; }

  /// \brief Session::get() on the key's server.
  template <typename Token = asio::use_awaitable_t<>>
  auto get(std::string_view key, CallOptions options = {}, Token&& token = {}) {
    return retrieve(codec::RetrieveCommand::kGet, key, 0, options, std::forward<Token>(token));
  }
  /// \brief Session::gets() on the key's server.
  template <typename Token = asio::use_awaitable_t<>>
  auto gets(std::string_view key, CallOptions options = {}, Token&& token = {}) {
    return retrieve(codec::RetrieveCommand::kGets, key, 0, options, std::forward<Token>(token));
  }
  /// \brief Session::gat() on the key's server.
  template <typename Token = asio::use_awaitable_t<>>
  auto gat(std::int32_t exptime, std::string_view key, CallOptions options = {},
           Token&& token = {}) {
    return retrieve(codec::RetrieveCommand::kGat, key, exptime, options,
                    std::forward<Token>(token));
  }

  /// \brief Storage on the key's server: `command` is set, add, replace, append, prepend or cas
  /// (`cas_unique` for cas only). Answers as Session::set() and friends.
  template <typename Token = asio::use_awaitable_t<>>
  auto store(codec::StoreCommand command, std::string_view key, std::string_view value,
             StoreOptions options = {}, std::uint64_t cas_unique = 0, Token&& token = {}) {
    return route<Status>(key, detail::store(command, key, value, cas_unique, options),
                         std::forward<Token>(token));
  }
  /// \brief Session::set() on the key's server.
  template <typename Token = asio::use_awaitable_t<>>
  auto set(std::string_view key, std::string_view value, StoreOptions options = {},
           Token&& token = {}) {
    return store(codec::StoreCommand::kSet, key, value, options, 0, std::forward<Token>(token));
  }
  /// \brief Session::remove() on the key's server.
  template <typename Token = asio::use_awaitable_t<>>
  auto remove(std::string_view key, WriteOptions options = {}, Token&& token = {}) {
    return route<Status>(key, detail::remove(key, options), std::forward<Token>(token));
  }
  /// \brief Session::incr() (or decr() when `increment` is false) on the key's server.
  template <typename Token = asio::use_awaitable_t<>>
  auto arithmetic(bool increment, std::string_view key, std::uint64_t delta,
                  WriteOptions options = {}, Token&& token = {}) {
    return route<std::optional<std::uint64_t>>(
        key, detail::arithmetic(increment, key, delta, options), std::forward<Token>(token));
  }
  /// \brief Session::touch() on the key's server.
  template <typename Token = asio::use_awaitable_t<>>
  auto touch(std::string_view key, std::int32_t exptime, WriteOptions options = {},
             Token&& token = {}) {
    return route<Status>(key, detail::touch(key, exptime, options), std::forward<Token>(token));
  }
  /// \brief A meta command (mg, ms, md) on the key's server; see Session::meta_get().
  template <typename Token = asio::use_awaitable_t<>>
  auto meta(codec::MetaCommand command, std::string_view key, std::string_view flags,
            std::string_view value = {}, CallOptions options = {}, Token&& token = {}) {
    const auto server = locate(key);
    const auto opaque = server ? state_->sessions[*server].core_->next_opaque() : 0;
    return route<MetaReply>(key, detail::meta(command, key, flags, value, opaque, options),
                            std::forward<Token>(token));
  }

  /// \brief Gets many keys: one `get` line per server involved, sent to all of them at once;
  /// completes when the last server has answered, with every hit. Keys whose server is
  /// ejected or fails count as misses; only if every server involved fails is the result an
  /// error.
  template <typename Token = asio::use_awaitable_t<>>
  auto get_multi(std::span<const std::string_view> keys, CallOptions options = {},
                 Token&& token = {});

  /// \brief The answer for one key of get_each(): its item, a miss (an empty optional), or
  /// why its server could not say.
  using KeyResult = Result<std::optional<Item>>;

  /// \brief Gets many keys as get_multi() does (one `gets` line per server, all at once), but
  /// answers for each key, in the order of `keys`: a miss and a failed server are told apart.
  /// Items carry their cas unique. The call itself fails only for an empty list or a bad key.
  template <typename Token = asio::use_awaitable_t<>>
  auto get_each(std::span<const std::string_view> keys, CallOptions options = {},
                Token&& token = {});

  /// \brief `flush_all` on every server at once: Status::kOk if all agreed, else the first error.
  template <typename Token = asio::use_awaitable_t<>>
  auto flush_all(std::int32_t delay = 0, WriteOptions options = {}, Token&& token = {});

 private:
  template <typename Token>
  auto retrieve(codec::RetrieveCommand command, std::string_view key, std::int32_t exptime,
                CallOptions options, Token&& token) {
    const std::string_view keys[] = {key};
    return route<std::optional<Item>>(key, detail::retrieve(command, keys, exptime, options),
                                      std::forward<Token>(token));
  }

  //! [route]
  // Placement happens now, on the cluster's thread; the session does the rest. The wrapped
  // handler counts the outcome towards ejection before the caller sees it.
  template <typename T, typename Token>
  auto route(std::string_view key, detail::Command command, Token&& token) {
    return asio::async_initiate<Token, void(Result<T>)>(
        [](auto handler, std::shared_ptr<detail::ClusterState> state,
           std::optional<std::size_t> server, detail::Command command) {
          if (!server) {
            detail::post_to_own_executor(std::move(handler), state->io.get_executor(),
                                         Result<T>(Error::kNoServer));
            return;
          }
          state->sessions[*server].template launch<T>(
              std::move(command),
              [state, index = *server, handler = std::move(handler)](Result<T> result) mutable {
                state->record(index, result.error());
                detail::complete_on_own_executor(std::move(handler), state->io.get_executor(),
                                                 std::move(result));
              });
        },
        token, state_, locate(key), std::move(command));
  }
  //! [route]

  std::shared_ptr<detail::ClusterState> state_;
};

}  // namespace mc::client

#include "mc/client/detail/cluster_fan_out.hpp"
