/// \file
/// \brief Per-command latency histograms, kept per I/O thread so that recording one costs two
/// clock reads and two plain stores: no lock and no shared atomic on the request path.

#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "mc/codec/request.hpp"

namespace mc::server {

/// \brief What a request is, for the `command` label of the latency histograms.
enum class CommandKind : std::uint8_t {
  kGet,
  kGets,
  kGat,
  kGats,
  kSet,
  kAdd,
  kReplace,
  kAppend,
  kPrepend,
  kCas,
  kDelete,
  kIncr,
  kDecr,
  kTouch,
  kMetaGet,
  kMetaSet,
  kMetaDelete,
  kMetaArithmetic,
  kMetaNoop,
  kFlushAll,
  kStats,
  kOther,  ///< the rarely used administrative commands (version, verbosity, ...)
  kError,  ///< a request the parser refused; it is answered with an error
};

/// \brief How many CommandKind values there are.
inline constexpr std::size_t kCommandKinds = static_cast<std::size_t>(CommandKind::kError) + 1;

/// \brief The label value of `kind`: the command's own name on the wire (`mg` for meta get).
std::string_view command_name(CommandKind kind);

/// \brief The kind of `request`; nothing for what is not a command (the skipped data of a
/// refused value).
std::optional<CommandKind> command_kind(const codec::Request& request);

/// \brief Upper bounds of the histogram buckets, in nanoseconds (the last bucket, +Inf, is
/// implied). Handling a request takes microseconds; the wide top catches stalls.
inline constexpr std::array<std::uint64_t, 14> kLatencyBoundsNs{
    1'000,   2'000,   5'000,     10'000,    20'000,     50'000,      100'000,
    200'000, 500'000, 1'000'000, 5'000'000, 10'000'000, 100'000'000, 1'000'000'000};

/// \brief Bucket counts (not cumulative; the last is +Inf) and the sum, of one command.
struct LatencyTotals {
  std::array<std::uint64_t, kLatencyBoundsNs.size() + 1> buckets{};  ///< per bucket
  std::uint64_t sum_ns = 0;                                          ///< sum of all durations

  /// \brief How many requests were recorded.
  std::uint64_t count() const;
};

/// \brief The histograms of every I/O thread of one server.
///
/// Each thread writes only its own slot (found by net::IoContextPool::this_thread_index()),
/// with relaxed stores; a scrape reads every slot from its own thread and adds them up. Slots
/// are cache-line aligned so that threads never write the same line.
class LatencyRecorder {
 public:
  /// \brief Room for `threads` writers.
  explicit LatencyRecorder(std::size_t threads);
  ~LatencyRecorder();
  LatencyRecorder(const LatencyRecorder&) = delete;
  LatencyRecorder& operator=(const LatencyRecorder&) = delete;

  /// \brief Records one request of `kind` that took `elapsed`, in writer `thread`'s slot.
  /// Only that thread may call it with that index.
  void record(std::size_t thread, CommandKind kind, std::chrono::nanoseconds elapsed);

  /// \brief The totals of every thread for each command, indexed by CommandKind.
  std::array<LatencyTotals, kCommandKinds> totals() const;

  /// \brief The number of writer slots.
  std::size_t threads() const { return slots_.size(); }

 private:
  /// One thread's histograms, on cache lines of their own.
  struct alignas(64) Slot {
    /// One command's buckets (not cumulative; the last is +Inf) and sum.
    struct Series {
      std::array<std::atomic<std::uint64_t>, kLatencyBoundsNs.size() + 1> buckets{};  ///< counts
      std::atomic<std::uint64_t> sum_ns{0};  ///< sum of the durations
    };
    std::array<Series, kCommandKinds> series;  ///< indexed by CommandKind
  };
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace mc::server
