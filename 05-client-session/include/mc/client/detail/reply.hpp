/// \file
/// \brief Gathering the pieces of one reply, and turning a finished reply into a typed result.

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include "mc/client/detail/command.hpp"
#include "mc/client/operations.hpp"
#include "mc/client/result.hpp"
#include "mc/codec/response.hpp"

namespace mc::client::detail {

/// \brief What a reply carried, copied out of the read buffer piece by piece.
struct Reply {
  std::vector<Item> items;      ///< kValues: one per `VALUE`
  std::vector<Stat> stats;      ///< kStats: one per `STAT`
  Status status = Status::kOk;  ///< kStatus, and `NOT_FOUND` for kNumber
  std::uint64_t number = 0;     ///< kNumber: the new value
  std::string version;          ///< kVersion: the version text
  MetaReply meta;               ///< kMeta
  std::error_code error;        ///< an error line (`ERROR`, `CLIENT_ERROR`, `SERVER_ERROR`)
};

/// \brief What one reply piece meant for the request at the head of the queue.
enum class Feed {
  kMore,        ///< part of the reply; more pieces follow
  kDone,        ///< the reply is complete
  kUnexpected,  ///< not an answer to this request: the connection is out of step
};

/// \brief Adds `piece` to `reply`, for a request expecting `expect` (and, for meta commands,
/// whose reply must echo `opaque`).
Feed feed(Expect expect, std::string_view opaque, const codec::Response& piece, Reply& reply);

/// \brief The typed result of a finished get, gets or gat: the item or an empty optional (the
/// error in `reply.error` if it has one; likewise for every overload).
Result<std::optional<Item>> to_result(Reply&& reply, std::type_identity<std::optional<Item>>);
/// \brief As above, for get_multi: every hit.
Result<std::vector<Item>> to_result(Reply&& reply, std::type_identity<std::vector<Item>>);
/// \brief As above, for storage, delete, touch and flush_all: the server's word.
Result<Status> to_result(Reply&& reply, std::type_identity<Status>);
/// \brief As above, for incr and decr: the new value, or empty for `NOT_FOUND`.
Result<std::optional<std::uint64_t>> to_result(Reply&& reply,
                                               std::type_identity<std::optional<std::uint64_t>>);
/// \brief As above, for version: the version text.
Result<std::string> to_result(Reply&& reply, std::type_identity<std::string>);
/// \brief As above, for stats: every statistic, in order.
Result<std::vector<Stat>> to_result(Reply&& reply, std::type_identity<std::vector<Stat>>);
/// \brief As above, for the meta commands.
Result<MetaReply> to_result(Reply&& reply, std::type_identity<MetaReply>);

}  // namespace mc::client::detail
