/// \file
/// \brief What client calls take and give back: items, stats, meta replies, per-call options
/// and the key rule every call checks before anything is sent.

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "mc/codec/response.hpp"

namespace mc::client {

/// \brief The server's one-word answers (`STORED`, `NOT_STORED`, `EXISTS`, `NOT_FOUND`,
/// `DELETED`, `TOUCHED`, `OK`): values, not errors.
using Status = codec::Status;

/// \brief The status code of a meta reply (`HD`, `VA`, `EN`, `NS`, `EX`, `NF`).
using MetaStatus = codec::MetaStatus;

/// \brief One cached item as a retrieval command returns it. The value is bytes: any byte may
/// appear in it, `\0` and `\r\n` included.
struct Item {
  std::string key;          ///< the key
  std::string value;        ///< the value, binary safe
  std::uint32_t flags = 0;  ///< the client flags stored with it
  std::uint64_t cas = 0;    ///< its cas unique (gets and gats only; 0 otherwise)
  /// \brief Field-by-field equality.
  friend bool operator==(const Item&, const Item&) = default;
};

/// \brief One `STAT <name> <value>` line.
struct Stat {
  std::string name;   ///< statistic name
  std::string value;  ///< its value, as text
  /// \brief Field-by-field equality.
  friend bool operator==(const Stat&, const Stat&) = default;
};

/// \brief The reply to a meta command: a status, the return flags and, for `VA`, a value.
struct MetaReply {
  MetaStatus status = MetaStatus::kHd;  ///< the status code
  std::string flags;                    ///< return flags as sent, e.g. `f5 t-1` (without `O`)
  std::string value;                    ///< the value (status kVa only)

  /// \brief The text after the return flag `letter` (`flag('f')` is `"5"` above); nothing if
  /// the server did not return that flag.
  [[nodiscard]] std::optional<std::string_view> flag(char letter) const;
};

/// \brief Options of a call that always has a reply (retrievals, version, stats, meta).
struct CallOptions {
  /// How long to wait for the reply; zero means the session's default
  /// (SessionOptions::timeout, 1 s unless changed).
  std::chrono::milliseconds timeout{0};
};

/// \brief Options of delete, incr, decr, touch and flush_all.
struct WriteOptions {
  /// Ask for no reply (`noreply`): the call completes once the request is written.
  bool noreply = false;
  /// As CallOptions::timeout.
  std::chrono::milliseconds timeout{0};
};

/// \brief Options of the storage commands (set, add, replace, append, prepend, cas).
struct StoreOptions {
  std::uint32_t flags = 0;   ///< client flags stored with the item
  std::int32_t exptime = 0;  ///< expiry: 0 never, seconds up to 30 days, else a unix time
  bool noreply = false;      ///< as WriteOptions::noreply
  std::chrono::milliseconds timeout{0};  ///< as CallOptions::timeout
};

/// \brief Checks a key as memcached's text protocol requires: 1 to 250 bytes, none of them a
/// space or a control character (protocol.txt, "Keys").
/// \return Error::kBadKey, or an empty code for a good key
[[nodiscard]] std::error_code validate_key(std::string_view key);

}  // namespace mc::client
