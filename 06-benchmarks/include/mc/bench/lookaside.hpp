/// \file
/// \brief cppmc_lookaside's engine: a look-aside cache workload (get; on a miss, set) against
/// one server on 127.0.0.1, and the hit ratio it sees.

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mc/bench/key_profile.hpp"

namespace mc::bench {

/// \brief Everything cppmc_lookaside can be told; the defaults are the command line's.
struct LookasideOptions {
  std::uint16_t port = 11211;         ///< `--port`: the server, always on 127.0.0.1
  unsigned connections = 8;           ///< `--connections`
  unsigned depth = 4;                 ///< `--depth`: look-ups in flight per connection
  unsigned threads = 1;               ///< `--threads`: I/O threads of the generator
  std::uint64_t keys = 200'000;       ///< `--keys`: keys are 0..keys-1, key 0 the most popular
  double zipf = 0.9;                  ///< `--zipf`: the popularity exponent
  std::uint64_t requests = 0;         ///< `--requests`: gets in all (0: run for `duration`)
  double duration = 0;                ///< `--duration`: seconds (0: until `requests` are done)
  std::uint64_t warmup_requests = 0;  ///< `--warmup-requests`: first gets, not counted
  unsigned phases = 3;                ///< `--phases`: parts of the run, each with its size mix
  std::uint64_t seed = 1;             ///< `--seed`: key choices, sizes and TTLs
  TtlRule ttl;                        ///< `--ttl-share`, `--ttl-min`, `--ttl-max`
  std::chrono::milliseconds timeout{2000};  ///< `--timeout`: a reply later than this is lost
  std::string key_prefix = "la:";           ///< `--key-prefix`: keys are prefix + number
};

/// \brief What the look-aside loop counted. A get answered during the warm-up counts only in
/// warmup_gets, and its set nowhere; get_errors counts every get.
struct LookasideCounts {
  std::uint64_t gets = 0;         ///< measured gets answered (hits + misses)
  std::uint64_t hits = 0;         ///< ... that found the key
  std::uint64_t misses = 0;       ///< ... that did not, each followed by a set
  std::uint64_t sets = 0;         ///< sets completed after a measured miss
  std::uint64_t set_errors = 0;   ///< ... whose reply was not STORED (or no reply at all)
  std::uint64_t get_errors = 0;   ///< gets without an answer (timeout, error, lost connection)
  std::uint64_t bad_values = 0;   ///< hits whose value is not one this key can have
  std::uint64_t warmup_gets = 0;  ///< gets answered during the warm-up
  std::vector<std::uint64_t> phase_gets;  ///< measured gets in each phase
  std::vector<std::uint64_t> phase_hits;  ///< measured hits in each phase

  /// \brief Adds `other` to these counts.
  void merge(const LookasideCounts& other);
  /// \brief hits / gets, or 0 with no gets.
  double hit_ratio() const;
};

/// \brief A few figures from the server's `stats` once the load has ended.
struct ServerStats {
  std::uint64_t curr_items = 0;         ///< items stored now
  std::uint64_t bytes = 0;              ///< bytes those items use, as the server counts them
  std::uint64_t evictions = 0;          ///< live items evicted to make room
  std::uint64_t reclaimed = 0;          ///< expired items whose memory a store reused
  std::uint64_t crawler_reclaimed = 0;  ///< expired items removed in the background
  std::uint64_t get_expired = 0;        ///< expired items found, and removed, by a get
  std::uint64_t limit_maxbytes = 0;     ///< its memory limit (`-m`)
  std::uint64_t total_items = 0;        ///< items ever stored
  std::uint64_t expired_unfetched = 0;  ///< items that expired without being read
  std::uint64_t evicted_unfetched = 0;  ///< items evicted without being read
  std::uint64_t slabs_moved = 0;        ///< slab pages given to another size class
  std::uint64_t threads = 0;            ///< its worker threads
  std::string version;                  ///< its `version` text
};

/// \brief The outcome of a run.
struct LookasideResult {
  LookasideCounts counts;             ///< what the connections counted
  double seconds = 0;                 ///< from the first get to the last reply
  unsigned connections_opened = 0;    ///< connections that worked
  std::optional<ServerStats> server;  ///< empty if `stats` could not be read
};

/// \brief Runs the look-aside loop on `options.connections` chapter 5 Sessions until
/// `options.requests` gets are answered or `options.duration` seconds have passed, whichever
/// comes first, then reads the server's stats.
///
/// Always ends: every call has a deadline, and a lost connection is not reopened. Throws
/// std::runtime_error if no connection could be opened, std::invalid_argument if the run has
/// no end or `options.ttl` is not a rule (see KeyProfile).
LookasideResult run_lookaside(const LookasideOptions& options);

/// \brief The result as one JSON object: the counts, `hit_ratio`, the server's figures
/// (`null` if unknown) at the top level, `phase_hit_ratios`, and the options under `"config"`.
std::string to_json(const LookasideOptions& options, const LookasideResult& result);

}  // namespace mc::bench
