/// \file
/// \brief The memcached text-protocol responses, one struct per reply line, shared by the
/// server (which composes them) and the client (which parses them).
///
/// A multi-line reply is a sequence of these: a `get` is answered with ValueResponse pieces and
/// an EndResponse, `stats` with StatResponse pieces and an EndResponse. Views point into the
/// buffer a response was parsed from, or into whatever the server composes them from.

#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "mc/codec/tokens.hpp"

namespace mc::codec {

/// \brief `VALUE <key> <flags> <bytes> [<cas unique>]` and its data block.
struct ValueResponse {
  std::string_view key;     ///< the key
  std::uint32_t flags = 0;  ///< client flags
  bool has_cas = false;     ///< gets/gats: the cas unique is present
  std::uint64_t cas = 0;    ///< the cas unique (when has_cas)
  std::string_view data;    ///< the value, without its `\r\n`
  friend bool operator==(const ValueResponse&, const ValueResponse&) = default;  ///< field by field
};

/// \brief `END`: the end of a get or stats reply.
struct EndResponse {
  friend bool operator==(const EndResponse&, const EndResponse&) = default;  ///< field by field
};

/// \brief The one-word replies.
enum class Status { kStored, kNotStored, kExists, kNotFound, kDeleted, kTouched, kOk, kReset };

/// \brief `STORED`, `NOT_STORED`, `EXISTS`, `NOT_FOUND`, `DELETED`, `TOUCHED`, `OK`, `RESET`.
struct StatusResponse {
  Status status = Status::kOk;  ///< which word
  friend bool operator==(const StatusResponse&,
                         const StatusResponse&) = default;  ///< field by field
};

/// \brief The new value after incr/decr, a bare decimal number.
struct NumberResponse {
  std::uint64_t value = 0;  ///< the number
  friend bool operator==(const NumberResponse&,
                         const NumberResponse&) = default;  ///< field by field
};

/// \brief `STAT <name> <value>`.
struct StatResponse {
  std::string_view name;   ///< statistic name
  std::string_view value;  ///< its value, the rest of the line
  friend bool operator==(const StatResponse&, const StatResponse&) = default;  ///< field by field
};

/// \brief `VERSION <version>`.
struct VersionResponse {
  std::string_view version;  ///< e.g. `1.6.18`
  friend bool operator==(const VersionResponse&,
                         const VersionResponse&) = default;  ///< field by field
};

/// \brief An error line: `ERROR`, `CLIENT_ERROR ...`, `SERVER_ERROR ...`, and memcached's
/// other refusals (`ERROR: shutdown not enabled`, `MEMLIMIT_TOO_SMALL ...`).
struct ErrorResponse {
  std::string_view line;  ///< the whole line, without `\r\n`
  friend bool operator==(const ErrorResponse&, const ErrorResponse&) = default;  ///< field by field
};

/// \brief The status codes of meta replies.
enum class MetaStatus { kHd, kVa, kEn, kNs, kEx, kNf, kMn };

/// \brief A meta reply: `<code> <flags>*`, and for `VA <size> <flags>*` its data block.
struct MetaResponse {
  MetaStatus status = MetaStatus::kHd;  ///< the code
  std::string_view flag_list;           ///< return flags as sent, e.g. `f5 s3 t-1 kfoo O123`
  std::string_view data;                ///< kVa only: the value, without its `\r\n`
  /// \brief The return flags, one view each.
  Tokens flag_tokens() const { return Tokens(flag_list); }
  friend bool operator==(const MetaResponse&, const MetaResponse&) = default;  ///< field by field
};

/// \brief `ME <key> <key=value>*`, the answer to `me`.
struct MetaDebugResponse {
  std::string_view key;   ///< the key (base64 for binary keys)
  std::string_view info;  ///< the rest: `exp=-1 la=6 cas=15 fetch=yes cls=1 size=63`
  friend bool operator==(const MetaDebugResponse&,
                         const MetaDebugResponse&) = default;  ///< field by field
};

/// \brief One line of `lru_crawler metadump`: `key=<key> exp=... la=... cas=... ...`.
struct MetadumpResponse {
  std::string_view line;  ///< the whole line, without `\r\n`
  friend bool operator==(const MetadumpResponse&,
                         const MetadumpResponse&) = default;  ///< field by field
};

/// \brief Everything the response parser can produce.
using Response =
    std::variant<ValueResponse, EndResponse, StatusResponse, NumberResponse, StatResponse,
                 VersionResponse, ErrorResponse, MetaResponse, MetaDebugResponse, MetadumpResponse>;

}  // namespace mc::codec
