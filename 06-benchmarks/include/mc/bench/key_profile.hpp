/// \file
/// \brief What a key looks like in the look-aside benchmark: the size of its value, which
/// depends on the phase of the run, and its TTL. Both are functions of the key, so every
/// connection agrees on them without sharing anything.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mc::bench {

/// \brief A band of value sizes: `[min_bytes, max_bytes)`.
struct SizeClass {
  std::string_view name;  ///< `small`, `medium` or `large`
  std::size_t min_bytes;  ///< the smallest size in the band
  std::size_t max_bytes;  ///< one past the largest
};

/// \brief The three bands of the look-aside workload: small 30-300 B, medium 300 B-8 KB, large
/// 8-200 KB. Each band spans a factor of 10 to 27, so a slab allocator spreads it over many
/// size classes.
inline constexpr std::array<SizeClass, 3> kSizeClasses{{
    {"small", 30, 300},
    {"medium", 300, 8 * 1024},
    {"large", 8 * 1024, 200 * 1024},
}};

/// \brief The largest value the workload ever stores.
inline constexpr std::size_t kMaxValueSize = kSizeClasses.back().max_bytes - 1;

/// \brief The share of each band among the values set during one phase (they add up to 1).
struct SizeMix {
  std::string_view name;        ///< e.g. `small-heavy`
  std::array<double, 3> share;  ///< small, medium, large, in kSizeClasses order
};

//! [phase-mixes]
/// \brief The mix of each phase; a run with more phases cycles through them. The memory a
/// server gave to small values in the first phase is what the second phase's large values
/// need: a server that cannot move memory between its size classes misses here.
inline constexpr std::array<SizeMix, 3> kPhaseMixes{{
    {"small-heavy", {0.75, 0.22, 0.03}},
    {"large-heavy", {0.40, 0.35, 0.25}},
    {"medium-heavy", {0.25, 0.70, 0.05}},
}};
//! [phase-mixes]

/// \brief The share of keys that carry a TTL, unless told otherwise (`--ttl-share`).
inline constexpr double kTtlShare = 0.1;
/// \brief The shortest TTL given, in seconds, unless told otherwise (`--ttl-min`).
inline constexpr std::int32_t kMinTtlSeconds = 2;
/// \brief The longest TTL given, in seconds, unless told otherwise (`--ttl-max`).
inline constexpr std::int32_t kMaxTtlSeconds = 5;

/// \brief Which keys expire, and after how long: a `share` of the keys, chosen by hash, get a
/// TTL of `min_seconds` to `max_seconds` (each whole second as likely), the others none.
struct TtlRule {
  double share = kTtlShare;                   ///< 0 (no key expires) to 1 (every key does)
  std::int32_t min_seconds = kMinTtlSeconds;  ///< at least 1: 0 would mean "never"
  std::int32_t max_seconds = kMaxTtlSeconds;  ///< min_seconds to 30 days
};

/// \brief The mix of phase `phase` (cycling through kPhaseMixes).
const SizeMix& mix_of(unsigned phase);

/// \brief The phase a run is in after `done` of `total` units of work (gets, or seconds), with
/// `phases` equal phases: 0 at the start, `phases - 1` from the last phase to the end.
unsigned phase_at(double done, double total, unsigned phases);

/// \brief Value size and TTL of every key, for one seed. Every answer is a hash of the key (and
/// the phase), so it is the same on every connection and in every run with that seed.
class KeyProfile {
 public:
  /// \brief The profile of seed `seed`, its TTLs given by `ttl`. Throws std::invalid_argument
  /// if `ttl` is not a rule: a share outside 0..1, a TTL below 1 s or above 30 days (which
  /// memcached reads as a Unix time), or min above max.
  explicit KeyProfile(std::uint64_t seed, TtlRule ttl = {});

  /// \brief The band (index into kSizeClasses) of `key`'s value in phase `phase`, drawn with
  /// that phase's mix.
  std::size_t size_class(std::uint64_t key, unsigned phase) const;

  /// \brief The size of `key`'s value in phase `phase`: within its band, spread evenly on a
  /// log scale (as many values of 30-60 B as of 150-300 B), as object sizes are in practice.
  std::size_t value_size(std::uint64_t key, unsigned phase) const;

  /// \brief The TTL of `key` in seconds (the rule's min_seconds to max_seconds) for the rule's
  /// share of the keys, 0 (never expires) for the rest. Whether a key expires does not depend
  /// on the TTLs' range, and its TTL not on the share.
  std::int32_t ttl_seconds(std::uint64_t key) const;

 private:
  std::uint64_t seed_;
  TtlRule ttl_;
};

}  // namespace mc::bench
