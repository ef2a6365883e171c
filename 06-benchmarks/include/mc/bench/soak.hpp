/// \file
/// \brief cppmc_soak's engine: a verifying load of mixed commands with faults, against a server
/// the soak starts itself on 127.0.0.1, and the checks made on that server at the end.

#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mc/bench/soak_model.hpp"

namespace mc::bench::soak {

/// \brief Everything cppmc_soak can be told; the defaults are the command line's.
struct SoakOptions {
  std::string server = "build/release/bin/cppmemcached";  ///< `--server`: the binary to start
  /// `--memcached`: start it with memcached's flags (`-u nobody -l 127.0.0.1 -p PORT`) instead
  /// of cppmemcached's `-p 0`; set on its own when the binary is named `memcached`.
  bool memcached = false;
  double duration = 60;            ///< `--duration`: seconds of load with faults
  unsigned connections = 16;       ///< `--connections`: well-behaved connections
  unsigned depth = 2;              ///< `--depth`: lanes per connection, each with a request out
  unsigned keys_per_lane = 64;     ///< `--keys`: keys each lane owns
  unsigned shared_keys = 32;       ///< `--shared-keys`: keys every lane writes and reads
  std::size_t max_value = 2048;    ///< `--max-value`: largest value a set writes, in bytes
  std::size_t big_value = 65536;   ///< `--big-value`: size of the 4 shared values resets read
  unsigned server_threads = 4;     ///< `--server-threads`: the server's `-t`
  unsigned memory_mb = 64;         ///< `--memory`: the server's `-m`
  unsigned max_connections = 256;  ///< `--max-conns`: the server's `-c`; bursts go past it
  bool evictions = false;          ///< `--evictions`: no `-M`, so misses are allowed
  double fault_interval = 0.05;    ///< `--fault-interval`: seconds between two short faults
  unsigned stall_clients = 2;      ///< `--stall-clients`: clients that never read, at any time
  std::size_t stall_kib = 65536;   ///< `--stall-kib`: KiB of `mn` each one sends at most
  double stall_hold = 5;           ///< `--stall-hold`: seconds each holds its connection
  double burst_interval = 15;      ///< `--burst-interval`: seconds between bursts past `-c`
  std::size_t max_rss_mib = 0;     ///< `--max-rss`: RSS bound in MiB (0: `-m` + 96)
  std::uint64_t seed = 1;          ///< `--seed`: choices of keys, commands and sizes
  std::chrono::milliseconds timeout{5000};  ///< `--timeout`: a reply later than this is lost
  /// `--sigterm-within`: how soon the server must exit after SIGTERM (memcached's background
  /// threads wake once a second, so it takes up to a second; give it more)
  std::chrono::milliseconds sigterm_within{1000};
  std::string json;  ///< `--json`: write the result there (`-` stdout)

  /// \brief The RSS bound in MiB that applies: max_rss_mib, or `-m` + 96 when it is 0.
  [[nodiscard]] std::size_t rss_bound_mib() const {
    return max_rss_mib != 0 ? max_rss_mib : memory_mb + 96;
  }
};

/// \brief The commands the well-behaved lanes send.
enum class Op {
  kSet,         ///< `set` of an owned key
  kAdd,         ///< `add`
  kCas,         ///< `gets` then `cas` (sometimes with a wrong unique, expecting `EXISTS`)
  kAppend,      ///< `append` of one more record
  kIncr,        ///< `incr` of an owned counter
  kDelete,      ///< `delete`
  kGet,         ///< `get` of one key
  kGets,        ///< `gets` of one key
  kMultiGet,    ///< `get` of owned keys, a counter and shared keys in one line
  kMetaGet,     ///< `mg <key> v f`
  kMetaSet,     ///< `ms <key> <size> F<flags>`
  kMetaDelete,  ///< `md <key>`
  kSharedSet,   ///< `set` of a key every lane writes
};

/// \brief How many Op values there are.
inline constexpr std::size_t kOpCount = 13;

/// \brief The command's name in the summary and the JSON, e.g. `multi_get`.
std::string_view op_name(Op op);

/// \brief What the faulty clients did and what they were answered.
struct FaultCounts {
  std::uint64_t half_sets = 0;         ///< clients that sent half a `set` data block and left
  std::uint64_t resets = 0;            ///< clients reset (SO_LINGER 0) in the middle of a reply
  std::uint64_t stalls = 0;            ///< clients that pipelined `mn` and never read
  std::uint64_t stall_bytes = 0;       ///< request bytes those clients got the server to take
  std::uint64_t bursts = 0;            ///< bursts of connections past `-c`
  std::uint64_t burst_served = 0;      ///< ... connections answered `VERSION`
  std::uint64_t burst_refused = 0;     ///< ... connections told `ERROR Too many open connections`
  std::uint64_t garbage_clients = 0;   ///< clients that sent garbage lines
  std::uint64_t garbage_errors = 0;    ///< ... `ERROR` / `CLIENT_ERROR` lines they got back
  std::uint64_t garbage_closed = 0;    ///< ... of them the server closed
  std::uint64_t connect_failures = 0;  ///< fault connections that could not be opened
};

/// \brief One check made on the server at the end of the run.
struct ServerCheck {
  std::string name;     ///< what was checked, e.g. `curr_connections back to baseline`
  bool passed = false;  ///< whether it held
  std::string detail;   ///< the numbers behind it
};

/// \brief The server's resident memory at one moment of the run.
struct RssSample {
  double seconds = 0;     ///< since the server started
  std::uint64_t kib = 0;  ///< VmRSS from /proc/PID/status
};

/// \brief Everything a soak run counted and checked.
struct SoakResult {
  std::string server_version;                           ///< what `version` answered
  double seconds = 0;                                   ///< length of the load with faults
  std::array<std::uint64_t, kOpCount> ops{};            ///< commands answered, by Op
  std::array<std::uint64_t, kProblemCount> problems{};  ///< problems found, by Problem
  std::vector<std::string> examples;  ///< the first problems, described (at most 20)
  std::uint64_t key_reads = 0;        ///< keys looked up by get, gets, multi-get and mg
  std::uint64_t hits = 0;             ///< ... that were found
  std::uint64_t misses = 0;           ///< ... that were not
  FaultCounts faults;                 ///< what the faulty clients did
  std::vector<ServerCheck> checks;    ///< the server checks at the end
  std::vector<RssSample> rss;         ///< the server's RSS, sampled once a second

  /// \brief Counts `problem` and keeps `description` if it is among the first few.
  void report(Problem problem, std::string description);
  /// \brief Records a server check.
  void check(std::string name, bool passed, std::string detail);
  /// \brief All problems but kNone.
  [[nodiscard]] std::uint64_t problem_total() const;
  /// \brief Whether the run found no problem and every server check held.
  [[nodiscard]] bool passed() const;
};

/// \brief Starts the server, runs the soak, checks the server, stops it with SIGTERM.
/// Throws std::runtime_error if the server cannot be started.
SoakResult run_soak(const SoakOptions& options);

/// \brief The one-screen summary: commands, problems by kind, faults, RSS over time, checks.
std::string summary(const SoakOptions& options, const SoakResult& result);

/// \brief The result as one JSON object.
std::string to_json(const SoakOptions& options, const SoakResult& result);

}  // namespace mc::bench::soak
