/// \file
/// \brief A request ready to send, composed in the caller's thread, and what reply it expects.

#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "mc/client/operations.hpp"
#include "mc/codec/request.hpp"

namespace mc::client::detail {

/// \brief The shape of the reply a request is answered with, which tells the reader where the
/// reply ends.
enum class Expect {
  kValues,   ///< `VALUE ...` lines, then `END` (get, gets, gat, gats)
  kStats,    ///< `STAT ...` lines, then `END`
  kStatus,   ///< one word: `STORED`, `DELETED`, `TOUCHED`, `OK`, ...
  kNumber,   ///< incr/decr: a number, or `NOT_FOUND`
  kVersion,  ///< `VERSION <text>`
  kMeta,     ///< one meta reply line (with a value for `VA`)
};

/// \brief Everything a session needs to send one request and match its reply. Composing it
/// copies the caller's key and value, so the call may return before the request is written.
struct Command {
  std::string line;                 ///< the request line, `\r\n` included
  std::string data;                 ///< the data block without its `\r\n` (storage commands, ms)
  bool has_data = false;            ///< whether a data block follows the line
  Expect expect = Expect::kStatus;  ///< the reply's shape
  bool noreply = false;             ///< no reply will come: complete once written
  std::chrono::milliseconds timeout{0};  ///< zero: the session's default
  std::string opaque;                    ///< meta only: the `O` token the reply must echo
  std::error_code invalid;               ///< set when the request must not be sent (a bad key, ...)
};

/// \brief get, gets, gat or gats of one or more keys, in one request line.
Command retrieve(codec::RetrieveCommand command, std::span<const std::string_view> keys,
                 std::int32_t exptime, CallOptions options);

/// \brief set, add, replace, append, prepend or cas (`cas_unique` for kCas only).
Command store(codec::StoreCommand command, std::string_view key, std::string_view value,
              std::uint64_t cas_unique, const StoreOptions& options);

/// \brief `delete <key>`.
Command remove(std::string_view key, WriteOptions options);

/// \brief `incr|decr <key> <delta>`.
Command arithmetic(bool increment, std::string_view key, std::uint64_t delta, WriteOptions options);

/// \brief `touch <key> <exptime>`.
Command touch(std::string_view key, std::int32_t exptime, WriteOptions options);

/// \brief `flush_all [delay]`.
Command flush_all(std::int32_t delay, WriteOptions options);

/// \brief `version`.
Command version(CallOptions options);

/// \brief `stats [group]`.
Command stats(std::string_view group, CallOptions options);

/// \brief `mg`, `ms` or `md` with the caller's flags plus `O<opaque>`, which the reply echoes.
/// The flags `q` (no reply on success) and `O` are the session's own and are refused.
Command meta(codec::MetaCommand command, std::string_view key, std::string_view flags,
             std::string_view value, std::uint32_t opaque, CallOptions options);

}  // namespace mc::client::detail
