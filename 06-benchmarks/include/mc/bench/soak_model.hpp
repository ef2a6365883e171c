/// \file
/// \brief The soak's model of what a server may answer: self-checking values, what the owner
/// of a key knows is stored under it, and the verdict on every read.
///
/// Every value the soak writes is one or more *records*, `key|version|filler|checksum;`, so a
/// value read back says whose it is, which write made it and whether it is whole. Each key is
/// written by one lane only, which therefore knows the last acknowledged write exactly; keys
/// shared by every lane can only be checked for being whole and their own.

#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mc::bench::soak {

/// \brief What is wrong with one reply. kNone is a reply the model allows.
enum class Problem {
  kNone,            ///< nothing: the reply is one the model allows
  kStale,           ///< a whole value of this key, older than the last acknowledged write
  kTorn,            ///< not whole: cut short, a byte changed, or two values spliced
  kForeign,         ///< a whole value written for another key
  kUnexpectedMiss,  ///< a miss that eviction cannot explain (`-M`, or a key known present)
  kWrongValue,      ///< whole, this key's, not older, and still not the acknowledged value
  kWrongFlags,      ///< the right value with other client flags
  kWrongReply,      ///< a status the model rules out (`NOT_STORED` for a present key, ...)
  kTransport,       ///< no reply: a timeout or a lost connection on a well-behaved client
  kFault,           ///< a fault client got an answer it must never get
  kServer,          ///< a server check at the end failed (counters, RSS, connections, exit)
};

/// \brief How many Problem values there are (kNone included).
inline constexpr std::size_t kProblemCount = 11;

/// \brief The problem's name in the summary and the JSON, e.g. `stale`.
std::string_view problem_name(Problem problem);

/// \brief One record of a value: the key and the version of the write that made it.
struct Record {
  std::string_view key;       ///< the key it was written for
  std::uint64_t version = 0;  ///< the writer's version number of that write
};

/// \brief A whole record, `size` bytes long if `size` leaves room for the key, the version and
/// the checksum (else as short as they allow). The filler is a function of key and version.
std::string make_record(std::string_view key, std::uint64_t version, std::size_t size);

/// \brief Splits a value into its records (an `append` adds one).
/// \return the records, or nothing if any part of the value is not a whole record
std::optional<std::vector<Record>> parse_records(std::string_view value);

/// \brief What the owner of a key knows is stored under it.
struct Expected {
  /// \brief Whether the key holds a value.
  enum class State {
    kAbsent,   ///< nothing: never written, deleted, or (with evictions) evicted
    kPresent,  ///< exactly `value` with `flags`
    kUnknown,  ///< a write went unanswered: it may or may not have landed
  };
  State state = State::kAbsent;  ///< what is known
  std::string value;             ///< the value, when present
  std::uint32_t flags = 0;       ///< its client flags, when present

  /// \brief Nothing stored.
  static Expected absent() { return {}; }
  /// \brief `value` with `flags` stored.
  static Expected present(std::string value, std::uint32_t flags) {
    return {State::kPresent, std::move(value), flags};
  }
  /// \brief An unanswered write: anything whole and this key's may be there, or nothing.
  static Expected unknown() { return {State::kUnknown, {}, 0}; }
};

/// \brief The verdict on a hit: `value` with `flags` read for `key`, whose owner expected
/// `expected`. A counter (a value of digits) is compared as a number: smaller is stale.
Problem check_hit(std::string_view key, const Expected& expected, std::string_view value,
                  std::uint32_t flags);

/// \brief The verdict on a miss for a key whose owner expected `expected`; with
/// `evictions_allowed` a present key may have been evicted.
Problem check_miss(const Expected& expected, bool evictions_allowed);

/// \brief The verdict on a hit for a key every lane writes: it must be whole and this key's.
Problem check_shared(std::string_view key, std::string_view value);

}  // namespace mc::bench::soak
