#include "mc/server/command_latency.hpp"

#include <algorithm>
#include <numeric>
#include <variant>

#include "mc/common/counter.hpp"

namespace mc::server {
namespace {

constexpr std::array<std::string_view, kCommandKinds> kNames{
    "get",     "gets", "gat",    "gats",      "set",   "add",   "replace", "append",
    "prepend", "cas",  "delete", "incr",      "decr",  "touch", "mg",      "ms",
    "md",      "ma",   "mn",     "flush_all", "stats", "other", "error"};

struct KindOf {
  std::optional<CommandKind> operator()(const codec::StorageRequest& r) const {
    switch (r.command) {
      case codec::StoreCommand::kSet:
        return CommandKind::kSet;
      case codec::StoreCommand::kAdd:
        return CommandKind::kAdd;
      case codec::StoreCommand::kReplace:
        return CommandKind::kReplace;
      case codec::StoreCommand::kAppend:
        return CommandKind::kAppend;
      case codec::StoreCommand::kPrepend:
        return CommandKind::kPrepend;
      case codec::StoreCommand::kCas:
        return CommandKind::kCas;
    }
    return CommandKind::kOther;
  }
  std::optional<CommandKind> operator()(const codec::RetrievalRequest& r) const {
    switch (r.command) {
      case codec::RetrieveCommand::kGet:
        return CommandKind::kGet;
      case codec::RetrieveCommand::kGets:
        return CommandKind::kGets;
      case codec::RetrieveCommand::kGat:
        return CommandKind::kGat;
      case codec::RetrieveCommand::kGats:
        return CommandKind::kGats;
    }
    return CommandKind::kOther;
  }
  std::optional<CommandKind> operator()(const codec::DeleteRequest&) const {
    return CommandKind::kDelete;
  }
  std::optional<CommandKind> operator()(const codec::ArithmeticRequest& r) const {
    return r.increment ? CommandKind::kIncr : CommandKind::kDecr;
  }
  std::optional<CommandKind> operator()(const codec::TouchRequest&) const {
    return CommandKind::kTouch;
  }
  std::optional<CommandKind> operator()(const codec::FlushAllRequest&) const {
    return CommandKind::kFlushAll;
  }
  std::optional<CommandKind> operator()(const codec::StatsRequest&) const {
    return CommandKind::kStats;
  }
  std::optional<CommandKind> operator()(const codec::MetaRequest& r) const {
    switch (r.command) {
      case codec::MetaCommand::kGet:
        return CommandKind::kMetaGet;
      case codec::MetaCommand::kSet:
        return CommandKind::kMetaSet;
      case codec::MetaCommand::kDelete:
        return CommandKind::kMetaDelete;
      case codec::MetaCommand::kArithmetic:
        return CommandKind::kMetaArithmetic;
    }
    return CommandKind::kOther;
  }
  std::optional<CommandKind> operator()(const codec::MetaNoopRequest&) const {
    return CommandKind::kMetaNoop;
  }
  std::optional<CommandKind> operator()(const codec::ProtocolError&) const {
    return CommandKind::kError;
  }
  std::optional<CommandKind> operator()(const codec::SkippedData&) const { return {}; }
  // version, verbosity, quit, the dumps, shutdown, cache_memlimit, me
  template <typename Admin>
  std::optional<CommandKind> operator()(const Admin&) const {
    return CommandKind::kOther;
  }
};

}  // namespace

std::string_view command_name(CommandKind kind) { return kNames[static_cast<std::size_t>(kind)]; }

std::optional<CommandKind> command_kind(const codec::Request& request) {
  return std::visit(KindOf{}, request);
}

std::uint64_t LatencyTotals::count() const {
  return std::accumulate(buckets.begin(), buckets.end(), std::uint64_t{0});
}

LatencyRecorder::LatencyRecorder(std::size_t threads) {
  for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) {
    slots_.push_back(std::make_unique<Slot>());
  }
}

LatencyRecorder::~LatencyRecorder() = default;

void LatencyRecorder::record(std::size_t thread, CommandKind kind,
                             std::chrono::nanoseconds elapsed) {
  const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(elapsed.count(), 0));
  auto& series = slots_[thread]->series[static_cast<std::size_t>(kind)];
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(kLatencyBoundsNs.begin(), kLatencyBoundsNs.end(), ns) -
      kLatencyBoundsNs.begin());
  // One writer per slot: a relaxed load and store each, never a locked instruction.
  common::bump(series.buckets[bucket]);
  common::bump(series.sum_ns, ns);
}

std::array<LatencyTotals, kCommandKinds> LatencyRecorder::totals() const {
  std::array<LatencyTotals, kCommandKinds> totals{};
  for (const auto& slot : slots_) {
    for (std::size_t kind = 0; kind < kCommandKinds; ++kind) {
      const auto& series = slot->series[kind];
      for (std::size_t b = 0; b < series.buckets.size(); ++b) {
        totals[kind].buckets[b] += series.buckets[b].load(std::memory_order_relaxed);
      }
      totals[kind].sum_ns += series.sum_ns.load(std::memory_order_relaxed);
    }
  }
  return totals;
}

}  // namespace mc::server
