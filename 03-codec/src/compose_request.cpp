#include <fmt/compile.h>
#include <fmt/format.h>

#include <iterator>
#include <type_traits>

#include "mc/codec/compose.hpp"
#include "mc/codec/reply.hpp"

namespace mc::codec {

namespace {

constexpr std::string_view kStoreNames[] = {"set", "add", "replace", "append", "prepend", "cas"};
constexpr std::string_view kRetrieveNames[] = {"get", "gets", "gat", "gats"};
constexpr std::string_view kMetaNames[] = {"mg", "ms", "md", "ma"};

std::string_view wire_key(const MetaRequest& r) {
  return r.key_token.empty() ? r.key : r.key_token;
}

}  // namespace

//! [compose-request]
bool compose_request_line(const Request& request, std::string& out) {
  auto it = std::back_inserter(out);
  const auto noreply = [](bool on) { return on ? " noreply" : ""; };
  return std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, StorageRequest>) {
          // After get's line (plain appends, below), the line clients send most: formatted by
          // code fmt generates at compile time (FMT_COMPILE), not by parsing a format string.
          fmt::format_to(it, FMT_COMPILE("{} {} {} {} {}"),
                         kStoreNames[static_cast<int>(r.command)], r.key, r.flags, r.exptime,
                         r.data.size());
          if (r.command == StoreCommand::kCas) fmt::format_to(it, FMT_COMPILE(" {}"), r.cas);
          out += noreply(r.noreply);
        } else if constexpr (std::is_same_v<T, RetrievalRequest>) {
          out += kRetrieveNames[static_cast<int>(r.command)];
          if (r.command == RetrieveCommand::kGat || r.command == RetrieveCommand::kGats) {
            fmt::format_to(it, " {}", r.exptime);
          }
          if (!r.key_list.empty()) {
            out += ' ';
            out += r.key_list;
          }
        } else if constexpr (std::is_same_v<T, DeleteRequest>) {
          fmt::format_to(it, "delete {}{}", r.key, noreply(r.noreply));
        } else if constexpr (std::is_same_v<T, ArithmeticRequest>) {
          fmt::format_to(it, "{} {} {}{}", r.increment ? "incr" : "decr", r.key, r.delta,
                         noreply(r.noreply));
        } else if constexpr (std::is_same_v<T, TouchRequest>) {
          fmt::format_to(it, "touch {} {}{}", r.key, r.exptime, noreply(r.noreply));
        } else if constexpr (std::is_same_v<T, FlushAllRequest>) {
          out += "flush_all";
          if (r.delay != 0) fmt::format_to(it, " {}", r.delay);
          out += noreply(r.noreply);
        } else if constexpr (std::is_same_v<T, VersionRequest>) {
          out += "version";
        } else if constexpr (std::is_same_v<T, VerbosityRequest>) {
          fmt::format_to(it, "verbosity {}{}", r.level, noreply(r.noreply));
        } else if constexpr (std::is_same_v<T, QuitRequest>) {
          out += "quit";
        } else if constexpr (std::is_same_v<T, StatsRequest>) {
          out += "stats";
          if (!r.group.empty()) fmt::format_to(it, " {}", r.group);
        } else if constexpr (std::is_same_v<T, StatsCachedumpRequest>) {
          fmt::format_to(it, "stats cachedump {} {}", r.slab_class, r.limit);
        } else if constexpr (std::is_same_v<T, LruCrawlerMetadumpRequest>) {
          fmt::format_to(it, "lru_crawler metadump {}", r.classes);
        } else if constexpr (std::is_same_v<T, ShutdownRequest>) {
          constexpr std::string_view kModes[] = {"shutdown", "shutdown graceful",
                                                 "shutdown invalid"};
          out += kModes[static_cast<int>(r.mode)];
        } else if constexpr (std::is_same_v<T, CacheMemlimitRequest>) {
          fmt::format_to(it, "cache_memlimit {}{}", r.megabytes, noreply(r.noreply));
        } else if constexpr (std::is_same_v<T, MetaRequest>) {
          fmt::format_to(it, "{} {}", kMetaNames[static_cast<int>(r.command)], wire_key(r));
          if (r.command == MetaCommand::kSet) fmt::format_to(it, " {}", r.data.size());
          if (!r.flag_list.empty()) fmt::format_to(it, " {}", r.flag_list);
        } else if constexpr (std::is_same_v<T, MetaNoopRequest>) {
          out += "mn";
        } else if constexpr (std::is_same_v<T, MetaDebugRequest>) {
          fmt::format_to(it, "me {}{}", r.key_token.empty() ? r.key : r.key_token,
                         r.base64 ? " b" : "");
        } else {
          static_assert(std::is_same_v<T, ProtocolError> || std::is_same_v<T, SkippedData>);
          return false;
        }
        out += reply::kCrlf;
        return true;
      },
      request);
}
//! [compose-request]

std::string_view request_data(const Request& request) {
  if (const auto* set = std::get_if<StorageRequest>(&request)) return set->data;
  if (const auto* meta = std::get_if<MetaRequest>(&request)) return meta->data;
  return {};
}

bool has_data_block(const Request& request) {
  if (std::holds_alternative<StorageRequest>(request)) return true;
  const auto* meta = std::get_if<MetaRequest>(&request);
  return meta != nullptr && meta->command == MetaCommand::kSet;
}

bool compose_request(const Request& request, std::string& out) {
  if (!compose_request_line(request, out)) return false;
  if (has_data_block(request)) {
    out += request_data(request);
    out += reply::kCrlf;
  }
  return true;
}

OutRequest make_out_request(const Request& request, std::shared_ptr<const void> keep_alive) {
  OutRequest out;
  compose_request_line(request, out.line);
  out.data = request_data(request);
  out.has_data = has_data_block(request);
  out.keep_alive = std::move(keep_alive);
  return out;
}

}  // namespace mc::codec
