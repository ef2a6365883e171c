/// \file
/// \brief Every reply line of the memcached text protocol, byte for byte as memcached 1.6.18
/// sends it. One table: the parser, the server and the tests all use these constants.

#pragma once

#include <string_view>

/// \brief Reply lines and their fragments, each with its `\r\n` where it is a whole line.
namespace mc::codec::reply {

/// \brief The line terminator, also written after every data block.
inline constexpr std::string_view kCrlf = "\r\n";

// [storage-replies]
// Storage, retrieval and deletion (protocol.txt, "Commands").
inline constexpr std::string_view kStored = "STORED\r\n";         ///< item stored
inline constexpr std::string_view kNotStored = "NOT_STORED\r\n";  ///< add/replace condition failed
inline constexpr std::string_view kExists = "EXISTS\r\n";         ///< cas mismatch
inline constexpr std::string_view kNotFound = "NOT_FOUND\r\n";    ///< no such item
inline constexpr std::string_view kDeleted = "DELETED\r\n";       ///< item deleted
inline constexpr std::string_view kTouched = "TOUCHED\r\n";       ///< expiry updated
inline constexpr std::string_view kOk = "OK\r\n";                 ///< flush_all, verbosity...
inline constexpr std::string_view kReset = "RESET\r\n";           ///< stats reset
inline constexpr std::string_view kEnd = "END\r\n";               ///< ends get and stats replies
inline constexpr std::string_view kValuePrefix = "VALUE ";        ///< starts a get hit
inline constexpr std::string_view kStatPrefix = "STAT ";          ///< starts a stats line
inline constexpr std::string_view kVersionPrefix = "VERSION ";    ///< starts the version reply
// [storage-replies]

// The three error forms of protocol.txt ("Error strings").
/// \brief Unknown command, or a known one with the wrong number of tokens.
inline constexpr std::string_view kError = "ERROR\r\n";
/// \brief A malformed number, an over-long key, a bad storage line.
inline constexpr std::string_view kBadFormat = "CLIENT_ERROR bad command line format\r\n";
/// \brief `stats cachedump` with too few arguments.
inline constexpr std::string_view kBadCommandLine = "CLIENT_ERROR bad command line\r\n";
/// \brief A data block that does not end in `\r\n`.
inline constexpr std::string_view kBadDataChunk = "CLIENT_ERROR bad data chunk\r\n";
/// \brief `delete` with anything but `[0] [noreply]` after the key.
inline constexpr std::string_view kDeleteUsage =
    "CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]\r\n";
/// \brief incr/decr with a delta that is not a 64-bit unsigned number.
inline constexpr std::string_view kInvalidDelta = "CLIENT_ERROR invalid numeric delta argument\r\n";
/// \brief touch, gat, gats and flush_all with a bad time.
inline constexpr std::string_view kInvalidExptime = "CLIENT_ERROR invalid exptime argument\r\n";
/// \brief incr/decr on a value that is not a decimal number.
inline constexpr std::string_view kNonNumeric =
    "CLIENT_ERROR cannot increment or decrement non-numeric value\r\n";
/// \brief The item (key + value + overhead) is bigger than the item size limit.
inline constexpr std::string_view kTooLarge = "SERVER_ERROR object too large for cache\r\n";
/// \brief The cache could not make room for the item.
inline constexpr std::string_view kOutOfMemory = "SERVER_ERROR out of memory storing object\r\n";
/// \brief incr/decr needed a longer item and the cache could not make room for it.
inline constexpr std::string_view kDeltaOutOfMemory = "SERVER_ERROR out of memory\r\n";
/// \brief Sent to a connection beyond the `-c` limit, which is then closed.
inline constexpr std::string_view kTooManyConnections = "ERROR Too many open connections\r\n";
/// \brief `flush_all` on a server started with `-F`.
inline constexpr std::string_view kFlushDisabled = "CLIENT_ERROR flush_all not allowed\r\n";
/// \brief `stats sizes`: memcached 1.6 only tracks sizes when built to.
inline constexpr std::string_view kSizesDisabled = "STAT sizes_status disabled\r\nEND\r\n";
/// \brief `stats detail` without on, off or dump.
inline constexpr std::string_view kDetailUsage = "CLIENT_ERROR usage: stats detail on|off|dump\r\n";
/// \brief `cache_memlimit` that the cache cannot apply.
inline constexpr std::string_view kMemlimitAdjustFailed =
    "MEMLIMIT_ADJUST_FAILED out of bounds or unable to adjust\r\n";
/// \brief `stats cachedump` with a slab class of 64 or more.
inline constexpr std::string_view kIllegalSlabId = "CLIENT_ERROR Illegal slab id\r\n";
/// \brief `shutdown` on a server started without `-A`.
inline constexpr std::string_view kShutdownNotEnabled = "ERROR: shutdown not enabled\r\n";
/// \brief `shutdown` with a mode other than `graceful`.
inline constexpr std::string_view kInvalidShutdownMode = "CLIENT_ERROR invalid shutdown mode\r\n";
/// \brief `cache_memlimit` below 8 megabytes.
inline constexpr std::string_view kMemlimitTooSmall =
    "MEMLIMIT_TOO_SMALL cannot set maxbytes to less than 8m\r\n";
/// \brief `cache_memlimit` above 10^9: the unit is megabytes.
inline constexpr std::string_view kMemlimitNotBytes =
    "MEMLIMIT_ADJUST_FAILED input value is megabytes not bytes\r\n";

// Meta commands (protocol.txt, "Meta Commands").
inline constexpr std::string_view kMetaHd = "HD";  ///< success, no value
inline constexpr std::string_view kMetaVa = "VA";  ///< success, a value follows
inline constexpr std::string_view kMetaEn = "EN";  ///< mg miss
inline constexpr std::string_view kMetaNs = "NS";  ///< ms not stored
inline constexpr std::string_view kMetaEx = "EX";  ///< cas mismatch
inline constexpr std::string_view kMetaNf = "NF";  ///< md/ma not found
inline constexpr std::string_view kMetaMn = "MN";  ///< answer to mn
inline constexpr std::string_view kMetaMe = "ME";  ///< answer to me
/// \brief The whole answer to `mn`.
inline constexpr std::string_view kMetaNoop = "MN\r\n";
/// \brief The whole answer to `me` for a missing key.
inline constexpr std::string_view kMetaDebugMiss = "EN\r\n";
/// \brief `ma` with `N` could not make room for the new counter (memcached's wording).
inline constexpr std::string_view kVivifyOutOfMemory =
    "SERVER_ERROR Out of memory allocating new item\r\n";
/// \brief `lru_crawler metadump` with a class list that is not "all", "hash" or ids 1 to 63.
inline constexpr std::string_view kBadClass = "BADCLASS invalid class id\r\n";
/// \brief A flag letter the meta parser does not know.
inline constexpr std::string_view kInvalidFlag = "CLIENT_ERROR invalid flag\r\n";
/// \brief The same flag twice (mg/ms).
inline constexpr std::string_view kDuplicateFlag = "CLIENT_ERROR duplicate flag\r\n";
/// \brief md and ma report every flag problem with this one line.
inline constexpr std::string_view kInvalidOrDuplicateFlag =
    "CLIENT_ERROR invalid or duplicate flag\r\n";
/// \brief A numeric flag (`N`, `T`, `R`, `C`) that is not a number.
inline constexpr std::string_view kBadToken = "CLIENT_ERROR bad token in command line format\r\n";
/// \brief The `b` flag on a key that is not base64.
inline constexpr std::string_view kKeyDecodeError = "CLIENT_ERROR error decoding key\r\n";
/// \brief An `M` token that is not exactly one mode letter.
inline constexpr std::string_view kModeTokenLength =
    "CLIENT_ERROR incorrect length for M token\r\n";
/// \brief ma with a bad `J` value.
inline constexpr std::string_view kBadInitial = "CLIENT_ERROR invalid numeric initial value\r\n";
/// \brief ma with a bad `D` value.
inline constexpr std::string_view kBadDelta = "CLIENT_ERROR invalid numeric delta value\r\n";
/// \brief An `O` token longer than 32 bytes.
inline constexpr std::string_view kOpaqueTooLong = "CLIENT_ERROR opaque token too long\r\n";
/// \brief mg with more than 18 tokens after the command (mg's own wording).
inline constexpr std::string_view kMgFlagsTooLong = "CLIENT_ERROR options flags are too long\r\n";
/// \brief ms, md and ma with more than 18 tokens after the command.
inline constexpr std::string_view kFlagsTooLong = "CLIENT_ERROR options flags too long\r\n";
/// \brief ms with an `M` mode other than E A P R S.
inline constexpr std::string_view kMsInvalidMode = "CLIENT_ERROR invalid mode for ms M token\r\n";
/// \brief ma with an `M` mode other than I + D -.
inline constexpr std::string_view kMaInvalidMode = "CLIENT_ERROR invalid mode for ma M token\r\n";

}  // namespace mc::codec::reply
