/// \file
/// \brief The memcached text-protocol requests, one struct per command family, shared by the
/// server (which parses them) and the client (which composes them).
///
/// Every `std::string_view` in a request points into the buffer it was parsed from (or, for a
/// base64 meta key, into the parser's own scratch space): it is valid until the next call to
/// the parser, that is, for the duration of the connection's message callback.

#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "mc/codec/limits.hpp"
#include "mc/codec/tokens.hpp"

namespace mc::codec {

/// \brief The six storage commands.
enum class StoreCommand { kSet, kAdd, kReplace, kAppend, kPrepend, kCas };

/// \brief `<command> <key> <flags> <exptime> <bytes> [<cas unique>] [noreply]` and its data.
struct StorageRequest {
  StoreCommand command = StoreCommand::kSet;  ///< which storage command
  std::string_view key;                       ///< the key
  std::uint32_t flags = 0;                    ///< opaque client flags
  std::int32_t exptime = 0;                   ///< expiry as sent (relative or unix time)
  std::uint64_t cas = 0;                      ///< compare-and-swap value (kCas only)
  bool noreply = false;                       ///< the client wants no reply
  std::string_view data;                      ///< the data block, without its `\r\n`
  friend bool operator==(const StorageRequest&,
                         const StorageRequest&) = default;  ///< field by field
};

/// \brief The four retrieval commands.
enum class RetrieveCommand { kGet, kGets, kGat, kGats };

/// \brief `get|gets <key>*` and `gat|gats <exptime> <key>*`.
struct RetrievalRequest {
  RetrieveCommand command = RetrieveCommand::kGet;  ///< which retrieval command
  std::int32_t exptime = 0;                         ///< new expiry (gat/gats only)
  /// \brief The keys as sent, separated by spaces; iterate with keys(). Kept as one view so
  /// that a request with thousands of keys costs no allocation.
  std::string_view key_list;
  /// \brief The keys, one view each.
  Tokens keys() const { return Tokens(key_list); }
  friend bool operator==(const RetrievalRequest&,
                         const RetrievalRequest&) = default;  ///< field by field
};

/// \brief `delete <key> [0] [noreply]`.
struct DeleteRequest {
  std::string_view key;  ///< the key
  bool noreply = false;  ///< the client wants no reply
  friend bool operator==(const DeleteRequest&, const DeleteRequest&) = default;  ///< field by field
};

/// \brief `incr|decr <key> <delta> [noreply]`.
struct ArithmeticRequest {
  bool increment = true;    ///< incr (true) or decr (false)
  std::string_view key;     ///< the key
  std::uint64_t delta = 0;  ///< amount to add or subtract
  bool noreply = false;     ///< the client wants no reply
  friend bool operator==(const ArithmeticRequest&,
                         const ArithmeticRequest&) = default;  ///< field by field
};

/// \brief `touch <key> <exptime> [noreply]`.
struct TouchRequest {
  std::string_view key;      ///< the key
  std::int32_t exptime = 0;  ///< new expiry
  bool noreply = false;      ///< the client wants no reply
  friend bool operator==(const TouchRequest&, const TouchRequest&) = default;  ///< field by field
};

/// \brief `flush_all [delay] [noreply]`.
struct FlushAllRequest {
  std::int32_t delay = 0;  ///< seconds before the flush takes effect (0: now)
  bool noreply = false;    ///< the client wants no reply
  friend bool operator==(const FlushAllRequest&,
                         const FlushAllRequest&) = default;  ///< field by field
};

/// \brief `version`.
struct VersionRequest {
  friend bool operator==(const VersionRequest&,
                         const VersionRequest&) = default;  ///< field by field
};

/// \brief `verbosity <level> [noreply]`.
struct VerbosityRequest {
  std::uint32_t level = 0;  ///< new verbosity
  bool noreply = false;     ///< the client wants no reply
  friend bool operator==(const VerbosityRequest&,
                         const VerbosityRequest&) = default;  ///< field by field
};

/// \brief `quit`: the server closes the connection.
struct QuitRequest {
  friend bool operator==(const QuitRequest&, const QuitRequest&) = default;  ///< field by field
};

/// \brief `stats [group]`: general statistics, or a group such as `items`, `slabs`, `reset`.
struct StatsRequest {
  std::string_view group;  ///< empty for plain `stats`
  friend bool operator==(const StatsRequest&, const StatsRequest&) = default;  ///< field by field
};

/// \brief `stats cachedump <slab class> <limit>` (memcdump uses it to list keys).
struct StatsCachedumpRequest {
  std::uint32_t slab_class = 0;  ///< slab class id, below 64
  std::uint32_t limit = 0;       ///< most keys to list, 0 for all
  friend bool operator==(const StatsCachedumpRequest&,
                         const StatsCachedumpRequest&) = default;  ///< field by field
};

/// \brief `lru_crawler metadump <all|classes>` (memcached-tool uses it to dump keys).
struct LruCrawlerMetadumpRequest {
  std::string_view classes;  ///< `all`, or comma-separated slab class ids
  friend bool operator==(const LruCrawlerMetadumpRequest&,
                         const LruCrawlerMetadumpRequest&) = default;  ///< field by field
};

/// \brief How `shutdown` asked to stop.
enum class ShutdownMode {
  kImmediate,  ///< `shutdown`
  kGraceful,   ///< `shutdown graceful`
  kInvalid,    ///< anything else: answered with reply::kInvalidShutdownMode when enabled
};

/// \brief `shutdown [graceful]`; a server refuses it unless started with shutdown enabled.
struct ShutdownRequest {
  ShutdownMode mode = ShutdownMode::kImmediate;  ///< what was asked
  friend bool operator==(const ShutdownRequest&,
                         const ShutdownRequest&) = default;  ///< field by field
};

/// \brief `cache_memlimit <megabytes> [noreply]`.
struct CacheMemlimitRequest {
  std::uint32_t megabytes = 0;  ///< the new memory limit
  bool noreply = false;         ///< the client wants no reply
  friend bool operator==(const CacheMemlimitRequest&,
                         const CacheMemlimitRequest&) = default;  ///< field by field
};

/// \brief The four meta commands that take flags.
enum class MetaCommand { kGet, kSet, kDelete, kArithmetic };

/// \brief The flags of a meta command, parsed. Which ones a command uses is the server's
/// business; the parser accepts the same set for all four, as memcached does.
struct MetaFlags {
  std::uint64_t present = 0;       ///< one bit per flag letter, see has()
  std::string_view opaque;         ///< `O`: echoed back, at most 32 bytes
  std::int32_t ttl = 0;            ///< `T`: new expiry
  std::int32_t vivify_ttl = 0;     ///< `N`: expiry of an item created on miss
  std::int32_t recache_ttl = 0;    ///< `R`: win a recache token below this TTL
  std::uint32_t client_flags = 0;  ///< `F`: client flags to store (ms)
  std::uint64_t compare_cas = 0;   ///< `C`: compare-and-swap value
  std::uint64_t delta = 1;         ///< `D`: ma delta (default 1)
  std::uint64_t initial = 0;       ///< `J`: ma initial value on autovivify
  char mode = 0;                   ///< `M`: mode letter (ms: E A P R S; ma: I + D -), 0 if none

  /// \brief The bit of `flag` in `present` (flags are ASCII letters).
  static constexpr std::uint64_t bit(char flag) {
    return std::uint64_t{1} << static_cast<unsigned>((flag - 'A') & 63);
  }
  /// \brief Whether `flag` was sent.
  bool has(char flag) const { return (present & bit(flag)) != 0; }
  friend bool operator==(const MetaFlags&, const MetaFlags&) = default;  ///< field by field
};

/// \brief `mg|ms|md|ma <key> [<datalen>] <flags>*`, plus the data block of ms.
struct MetaRequest {
  MetaCommand command = MetaCommand::kGet;  ///< which meta command
  std::string_view key;                     ///< the key, base64-decoded when the `b` flag is set
  std::string_view key_token;               ///< the key exactly as sent (still base64 with `b`)
  MetaFlags flags;                          ///< the flags, parsed
  /// \brief The flag tokens as sent, in order: memcached writes return flags in this order.
  std::string_view flag_list;
  std::string_view data;  ///< ms only: the data block, without its `\r\n`
  /// \brief The flag tokens, one view each.
  Tokens flag_tokens() const { return Tokens(flag_list); }
  friend bool operator==(const MetaRequest&, const MetaRequest&) = default;  ///< field by field
};

/// \brief `mn`: answered with `MN`, marks the end of a batch of quiet meta commands.
struct MetaNoopRequest {
  friend bool operator==(const MetaNoopRequest&,
                         const MetaNoopRequest&) = default;  ///< field by field
};

/// \brief `me <key> [b]`: human-readable item metadata.
struct MetaDebugRequest {
  std::string_view key;        ///< the key, decoded when `b` was given
  std::string_view key_token;  ///< the key exactly as sent
  bool base64 = false;         ///< the key was sent in base64
  friend bool operator==(const MetaDebugRequest&,
                         const MetaDebugRequest&) = default;  ///< field by field
};

/// \brief Why the parser refused a line, for a server that counts refusals (memcached's
/// `store_too_large`) without reading the reply text.
enum class ErrorCause {
  kBadRequest,  ///< the line or its data block broke the protocol
  kTooLarge,    ///< a storage command's item is larger than the ItemSizeLimit
};

/// \brief A line memcached answers with an error but keeps the connection for: the caller
/// sends `reply` (unless `noreply`) and reads on. Not a command: it is never composed.
struct ProtocolError {
  std::string_view reply;  ///< one of the reply.hpp constants, with its `\r\n`
  bool noreply = false;    ///< the line said `noreply`, which silences errors too
  ErrorCause cause = ErrorCause::kBadRequest;  ///< why, for the server's counters
  /// \brief A `set` or `ms` too large for the cache names its key here: memcached then
  /// deletes the key's old value, so that a reader never sees stale data. Empty otherwise.
  std::string_view stale_key = {};
  friend bool operator==(const ProtocolError&, const ProtocolError&) = default;  ///< field by field
};

/// \brief Bytes of a rejected data block that the parser dropped (after a too-large or
/// otherwise refused storage line), so that the connection stays in step with the client.
/// Nothing to answer. Not a command: it is never composed.
struct SkippedData {
  std::size_t bytes = 0;  ///< how many bytes this piece dropped
  friend bool operator==(const SkippedData&, const SkippedData&) = default;  ///< field by field
};

/// \brief Everything the request parser can produce.
using Request =
    std::variant<StorageRequest, RetrievalRequest, DeleteRequest, ArithmeticRequest, TouchRequest,
                 FlushAllRequest, VersionRequest, VerbosityRequest, QuitRequest, StatsRequest,
                 StatsCachedumpRequest, LruCrawlerMetadumpRequest, ShutdownRequest,
                 CacheMemlimitRequest, MetaRequest, MetaNoopRequest, MetaDebugRequest,
                 ProtocolError, SkippedData>;

}  // namespace mc::codec
