/// \file
/// \brief Cluster calls that go to several servers at once: get_multi and flush_all.

#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "mc/client/cluster.hpp"

namespace mc::client {
namespace detail {

/// \brief Joins the replies of one fanned-out call: each server's part arrives on the cluster's
/// thread; the last one completes the caller's handler.
template <typename T, typename Handler>
class FanOut {
 public:
  /// \brief Waits for `parts` replies; `merge(total, part)` folds a successful part into the
  /// total, which starts as `T{}`.
  using Merge = void (*)(T& total, T&& part);

  /// \brief A join of `parts` replies for `handler`.
  FanOut(Handler handler, std::size_t parts, Merge merge, asio::io_context::executor_type fallback)
      : handler_(std::move(handler)), parts_(parts), merge_(merge), fallback_(fallback) {}

  /// \brief One server's reply.
  void add(Result<T>&& part) {
    if (part) {
      merge_(total_, std::move(*part));
    } else {
      if (!first_error_) first_error_ = part.error();
      ++failed_;
    }
    if (++arrived_ < parts_) return;
    const bool failed = fail_on_any_ ? failed_ > 0 : failed_ == parts_;
    complete_on_own_executor(std::move(handler_), fallback_,
                             failed ? Result<T>(first_error_) : Result<T>(std::move(total_)));
  }

  /// \brief Fail the whole call if any part fails (flush_all), not only if all do (get_multi).
  void fail_on_any() { fail_on_any_ = true; }

 private:
  Handler handler_;
  std::size_t parts_;
  Merge merge_;
  asio::io_context::executor_type fallback_;
  T total_{};
  std::size_t arrived_ = 0;
  std::size_t failed_ = 0;
  std::error_code first_error_;
  bool fail_on_any_ = false;
};

/// \brief Joins the per-server replies of Cluster::get_each() and answers for each key.
template <typename Handler>
class PerKeyJoin {
 public:
  using Items = std::vector<Item>;                          ///< one server's hits
  using PerKey = std::vector<Result<std::optional<Item>>>;  ///< the answer, key by key

  /// \brief Waits for `parts` server replies; `keys[i]` lives on server `where[i]` (none: no
  /// live server).
  PerKeyJoin(Handler handler, std::size_t servers, std::size_t parts, std::vector<std::string> keys,
             std::vector<std::optional<std::size_t>> where,
             asio::io_context::executor_type fallback)
      : handler_(std::move(handler)),
        replies_(servers),
        left_(parts),
        keys_(std::move(keys)),
        where_(std::move(where)),
        fallback_(fallback) {}

  /// \brief Server `server`'s reply; the last one completes the caller's handler.
  void add(std::size_t server, Result<Items>&& reply) {
    replies_[server] = std::move(reply);
    if (--left_ == 0) {
      complete_on_own_executor(std::move(handler_), fallback_, Result<PerKey>(answer()));
    }
  }

  /// \brief Completes with no server asked (no key has a live server), queued: this happens
  /// inside the initiating call.
  void complete_at_once() {
    post_to_own_executor(std::move(handler_), fallback_, Result<PerKey>(answer()));
  }

 private:
  // Every key's answer, from the replies of the servers.
  PerKey answer() {
    // One index per server reply, so each key is one lookup, not a scan.
    std::vector<std::unordered_map<std::string_view, const Item*>> found(replies_.size());
    for (std::size_t s = 0; s < replies_.size(); ++s) {
      if (!replies_[s]) continue;
      for (const Item& item : *replies_[s]) found[s].emplace(item.key, &item);
    }
    PerKey answers;
    answers.reserve(keys_.size());
    for (std::size_t k = 0; k < keys_.size(); ++k) {
      if (!where_[k]) {
        answers.emplace_back(Error::kNoServer);
      } else if (const auto& reply = replies_[*where_[k]]; !reply) {
        answers.emplace_back(reply.error());
      } else if (const auto hit = found[*where_[k]].find(keys_[k]);
                 hit != found[*where_[k]].end()) {
        answers.emplace_back(std::optional<Item>(*hit->second));
      } else {
        answers.emplace_back(std::optional<Item>());  // a miss
      }
    }
    return answers;
  }

  Handler handler_;
  std::vector<Result<Items>> replies_;  // by server; only those asked are ever filled
  std::size_t left_;
  std::vector<std::string> keys_;
  std::vector<std::optional<std::size_t>> where_;
  asio::io_context::executor_type fallback_;
};

}  // namespace detail

//! [get-multi]
template <typename Token>
auto Cluster::get_multi(std::span<const std::string_view> keys, CallOptions options,
                        Token&& token) {
  // Group the keys by server now, on the cluster's thread: one request line per server.
  std::vector<std::pair<std::size_t, detail::Command>> requests;
  std::error_code invalid = keys.empty() ? make_error_code(Error::kBadArgument) : std::error_code{};
  std::vector<std::vector<std::string_view>> by_server(size());
  for (const std::string_view key : keys) {
    if (!invalid) invalid = validate_key(key);
    if (const auto server = locate(key)) by_server[*server].push_back(key);
  }
  for (std::size_t server = 0; server < by_server.size() && !invalid; ++server) {
    if (by_server[server].empty()) continue;
    requests.emplace_back(
        server, detail::retrieve(codec::RetrieveCommand::kGet, by_server[server], 0, options));
  }
  using Items = std::vector<Item>;
  return asio::async_initiate<Token, void(Result<Items>)>(
      [](auto handler, std::shared_ptr<detail::ClusterState> state, std::error_code invalid,
         std::vector<std::pair<std::size_t, detail::Command>> requests) {
        const auto fallback = state->io.get_executor();
        if (invalid || requests.empty()) {
          detail::post_to_own_executor(std::move(handler), fallback,
                                       invalid ? Result<Items>(invalid) : Result<Items>(Items{}));
          return;
        }
        using Join = detail::FanOut<Items, std::decay_t<decltype(handler)>>;
        auto join = std::make_shared<Join>(
            std::move(handler), requests.size(),
            [](Items& total, Items&& part) {
              total.insert(total.end(), std::make_move_iterator(part.begin()),
                           std::make_move_iterator(part.end()));
            },
            fallback);
        // Every request is queued before any reply can arrive: the servers work in parallel.
        for (auto& [server, command] : requests) {
          state->sessions[server].template launch<Items>(std::move(command),
                                                         [state, server, join](Result<Items> part) {
                                                           state->record(server, part.error());
                                                           join->add(std::move(part));
                                                         });
        }
      },
      token, state_, invalid, std::move(requests));
}
//! [get-multi]

template <typename Token>
auto Cluster::get_each(std::span<const std::string_view> keys, CallOptions options, Token&& token) {
  // As get_multi(), remembering each key's server to give each key its own answer.
  std::error_code invalid = keys.empty() ? make_error_code(Error::kBadArgument) : std::error_code{};
  std::vector<std::optional<std::size_t>> where;
  where.reserve(keys.size());
  std::vector<std::vector<std::string_view>> by_server(size());
  for (const std::string_view key : keys) {
    if (!invalid) invalid = validate_key(key);
    where.push_back(locate(key));
    if (where.back()) by_server[*where.back()].push_back(key);
  }
  std::vector<std::pair<std::size_t, detail::Command>> requests;
  for (std::size_t server = 0; server < by_server.size() && !invalid; ++server) {
    if (by_server[server].empty()) continue;
    requests.emplace_back(
        server, detail::retrieve(codec::RetrieveCommand::kGets, by_server[server], 0, options));
  }
  using PerKey = std::vector<KeyResult>;
  return asio::async_initiate<Token, void(Result<PerKey>)>(
      [](auto handler, std::shared_ptr<detail::ClusterState> state, std::error_code invalid,
         std::vector<std::pair<std::size_t, detail::Command>> requests,
         std::vector<std::string> keys, std::vector<std::optional<std::size_t>> where) {
        const auto fallback = state->io.get_executor();
        if (invalid) {
          detail::post_to_own_executor(std::move(handler), fallback, Result<PerKey>(invalid));
          return;
        }
        using Join = detail::PerKeyJoin<std::decay_t<decltype(handler)>>;
        auto join =
            std::make_shared<Join>(std::move(handler), state->sessions.size(), requests.size(),
                                   std::move(keys), std::move(where), fallback);
        if (requests.empty()) {  // no key has a live server
          join->complete_at_once();
          return;
        }
        for (auto& [server, command] : requests) {
          state->sessions[server].template launch<std::vector<Item>>(
              std::move(command), [state, server, join](Result<std::vector<Item>> reply) {
                state->record(server, reply.error());
                join->add(server, std::move(reply));
              });
        }
      },
      token, state_, invalid, std::move(requests),
      std::vector<std::string>(keys.begin(), keys.end()), std::move(where));
}

template <typename Token>
auto Cluster::flush_all(std::int32_t delay, WriteOptions options, Token&& token) {
  return asio::async_initiate<Token, void(Result<Status>)>(
      [](auto handler, std::shared_ptr<detail::ClusterState> state, detail::Command command) {
        using Join = detail::FanOut<Status, std::decay_t<decltype(handler)>>;
        auto join = std::make_shared<Join>(
            std::move(handler), state->sessions.size(),
            [](Status& total, Status&& part) { total = part; }, state->io.get_executor());
        join->fail_on_any();
        for (std::size_t server = 0; server < state->sessions.size(); ++server) {
          state->sessions[server].template launch<Status>(
              detail::Command(command), [state, server, join](Result<Status> part) {
                state->record(server, part.error());
                join->add(std::move(part));
              });
        }
      },
      token, state_, detail::flush_all(delay, options));
}

}  // namespace mc::client
