#include "mc/client/detail/reply.hpp"

#include <type_traits>
#include <variant>

namespace mc::client {

std::optional<std::string_view> MetaReply::flag(char letter) const {
  for (const std::string_view token : codec::Tokens(flags)) {
    if (token.front() == letter) return token.substr(1);
  }
  return std::nullopt;
}

namespace detail {
namespace {

// memcached's error lines (protocol.txt, "Error strings"), as error codes. The few that a
// caller can act on get codes of their own.
std::error_code classify(std::string_view line) {
  if (line.starts_with("CLIENT_ERROR cannot increment or decrement non-numeric value")) {
    return Error::kNonNumeric;
  }
  if (line.starts_with("CLIENT_ERROR")) return Error::kClientError;
  if (line.starts_with("SERVER_ERROR object too large")) return Error::kValueTooLarge;
  if (line.starts_with("SERVER_ERROR")) return Error::kServerError;
  return Error::kUnknownCommand;  // ERROR, and its variants such as `ERROR: ...`
}

Feed feed_meta(std::string_view opaque, const codec::MetaResponse& piece, Reply& reply) {
  if (piece.status == codec::MetaStatus::kMn) return Feed::kUnexpected;  // we never send mn
  bool echoed = false;
  for (const std::string_view token : piece.flag_tokens()) {
    if (token == opaque) {
      echoed = true;
    } else {
      if (!reply.meta.flags.empty()) reply.meta.flags += ' ';
      reply.meta.flags += token;
    }
  }
  // Meta replies carry our opaque back: a different one means the reply belongs to another
  // request, and every reply after it would be matched wrongly too.
  if (!echoed) return Feed::kUnexpected;
  reply.meta.status = piece.status;
  reply.meta.value.assign(piece.data);
  return Feed::kDone;
}

}  // namespace

//! [feed]
Feed feed(Expect expect, std::string_view opaque, const codec::Response& piece, Reply& reply) {
  if (const auto* error = std::get_if<codec::ErrorResponse>(&piece)) {
    reply.error = classify(error->line);  // an error line ends every kind of reply
    return Feed::kDone;
  }
  const bool end = std::holds_alternative<codec::EndResponse>(piece);
  const auto* status = std::get_if<codec::StatusResponse>(&piece);
  switch (expect) {
    case Expect::kValues:
      if (const auto* value = std::get_if<codec::ValueResponse>(&piece)) {
        reply.items.push_back(
            {std::string(value->key), std::string(value->data), value->flags, value->cas});
        return Feed::kMore;
      }
      return end ? Feed::kDone : Feed::kUnexpected;
    case Expect::kStats:
      if (const auto* stat = std::get_if<codec::StatResponse>(&piece)) {
        reply.stats.push_back({std::string(stat->name), std::string(stat->value)});
        return Feed::kMore;
      }
      if (status != nullptr) reply.status = status->status;  // `stats reset` says RESET
      return end || status != nullptr ? Feed::kDone : Feed::kUnexpected;
    case Expect::kStatus:
      if (status == nullptr) return Feed::kUnexpected;
      reply.status = status->status;
      return Feed::kDone;
    case Expect::kNumber:
      if (const auto* number = std::get_if<codec::NumberResponse>(&piece)) {
        reply.number = number->value;
        return Feed::kDone;
      }
      if (status == nullptr || status->status != Status::kNotFound) return Feed::kUnexpected;
      reply.status = Status::kNotFound;
      return Feed::kDone;
    case Expect::kVersion:
      if (const auto* version = std::get_if<codec::VersionResponse>(&piece)) {
        reply.version.assign(version->version);
        return Feed::kDone;
      }
      return Feed::kUnexpected;
    case Expect::kMeta:
      if (const auto* meta = std::get_if<codec::MetaResponse>(&piece)) {
        return feed_meta(opaque, *meta, reply);
      }
      return Feed::kUnexpected;
  }
  return Feed::kUnexpected;
}
//! [feed]

Result<std::optional<Item>> to_result(Reply&& reply, std::type_identity<std::optional<Item>>) {
  if (reply.error) return reply.error;
  if (reply.items.empty()) return std::optional<Item>{};
  return std::optional<Item>{std::move(reply.items.front())};
}

Result<std::vector<Item>> to_result(Reply&& reply, std::type_identity<std::vector<Item>>) {
  if (reply.error) return reply.error;
  return std::move(reply.items);
}

Result<Status> to_result(Reply&& reply, std::type_identity<Status>) {
  if (reply.error) return reply.error;
  return reply.status;
}

Result<std::optional<std::uint64_t>> to_result(Reply&& reply,
                                               std::type_identity<std::optional<std::uint64_t>>) {
  if (reply.error) return reply.error;
  if (reply.status == Status::kNotFound) return std::optional<std::uint64_t>{};
  return std::optional<std::uint64_t>{reply.number};
}

Result<std::string> to_result(Reply&& reply, std::type_identity<std::string>) {
  if (reply.error) return reply.error;
  return std::move(reply.version);
}

Result<std::vector<Stat>> to_result(Reply&& reply, std::type_identity<std::vector<Stat>>) {
  if (reply.error) return reply.error;
  return std::move(reply.stats);
}

Result<MetaReply> to_result(Reply&& reply, std::type_identity<MetaReply>) {
  if (reply.error) return reply.error;
  return std::move(reply.meta);
}

}  // namespace detail
}  // namespace mc::client
