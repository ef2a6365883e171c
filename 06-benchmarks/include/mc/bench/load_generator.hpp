/// \file
/// \brief cppmc_bench's engine: sessions that keep requests in flight against memcached
/// servers, and what they counted.

#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "mc/bench/histogram.hpp"
#include "mc/bench/workload.hpp"

namespace mc::bench {

/// \brief What one connection, or a whole run, counted. Requests sent during the warm-up
/// count only as errors, timeouts and verify errors; everything else counts measured ones.
struct Totals {
  std::uint64_t requests = 0;        ///< measured requests answered (a multi-get is one)
  std::uint64_t sets = 0;            ///< ... of which sets
  std::uint64_t gets = 0;            ///< ... of which gets
  std::uint64_t keys_requested = 0;  ///< keys asked for by measured gets
  std::uint64_t hits = 0;            ///< keys that came back
  std::uint64_t errors = 0;  ///< error replies, unexpected replies, requests lost with a connection
  std::uint64_t timeouts = 0;          ///< requests without a reply within LoadOptions::timeout
  std::uint64_t verify_errors = 0;     ///< values that were not what the key holds (`--verify`)
  std::uint64_t connect_failures = 0;  ///< connections that could not be opened
  std::uint64_t prefilled = 0;         ///< keys stored by the prefill
  Histogram latency;                   ///< nanoseconds from send to the last byte of the reply

  /// \brief Adds `other` to these totals.
  void merge(const Totals& other);
  /// \brief hits / keys_requested, or 0 with no gets.
  double hit_rate() const;
};

/// \brief The outcome of a run.
struct RunResult {
  Totals totals;                    ///< everything counted
  double seconds = 0;               ///< the measured window (duration, or the time `requests` took)
  double prefill_seconds = 0;       ///< how long the prefill took
  unsigned connections_opened = 0;  ///< connections that worked
  /// \brief Measured requests per second.
  double ops_per_sec() const {
    return seconds > 0 ? static_cast<double>(totals.requests) / seconds : 0;
  }
};

/// \brief Called about once a second during the measured run, on the calling thread, with
/// the seconds since measuring began and the totals so far.
using ProgressCallback = std::function<void(double seconds, const Totals& so_far)>;

/// \brief Connects, prefills if asked, runs the workload for `options.duration` seconds (after
/// `options.warmup`) or until `options.requests` are answered, and drains.
///
/// Every connection is a chapter 5 mc::client::Session. Always ends: a request without a reply
/// within `options.timeout` is counted as a timeout, and a lost connection is not reopened.
/// Throws std::runtime_error if no connection could be opened.
RunResult run_load(const LoadOptions& options, const ProgressCallback& progress = {});

/// \brief The result as one JSON object: `ops_per_sec`, `p50_us`, `p90_us`, `p99_us`,
/// `p999_us`, `max_us`, `hit_rate`, `errors`, `timeouts`, `verify_errors` and more at the top
/// level, the options under `"config"`.
std::string to_json(const LoadOptions& options, const RunResult& result);

/// \brief A few human-readable lines summing the result up.
std::string to_text(const LoadOptions& options, const RunResult& result);

}  // namespace mc::bench
