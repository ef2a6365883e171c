#include <fmt/format.h>

#include <iterator>
#include <type_traits>

#include "json_object.hpp"
#include "mc/codec/describe.hpp"

namespace mc::codec {

void append_json_string(std::string_view text, std::string& out) {
  out += '"';
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7f) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", byte);
    } else {
      out += c;
    }
  }
  out += '"';
}

namespace {

using detail::JsonObject;

std::string_view name_of(StoreCommand command) {
  constexpr std::string_view kNames[] = {"set", "add", "replace", "append", "prepend", "cas"};
  return kNames[static_cast<int>(command)];
}
std::string_view name_of(RetrieveCommand command) {
  constexpr std::string_view kNames[] = {"get", "gets", "gat", "gats"};
  return kNames[static_cast<int>(command)];
}
std::string_view name_of(MetaCommand command) {
  constexpr std::string_view kNames[] = {"mg", "ms", "md", "ma"};
  return kNames[static_cast<int>(command)];
}
std::string_view name_of(ShutdownMode mode) {
  constexpr std::string_view kNames[] = {"immediate", "graceful", "invalid"};
  return kNames[static_cast<int>(mode)];
}

}  // namespace

std::string to_json(const Request& request, bool with_data) {
  std::string out;
  {
    JsonObject json(out);
    std::visit(
        [&](const auto& r) {
          using T = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<T, StorageRequest>) {
            json.text("cmd", name_of(r.command));
            json.text("key", r.key);
            json.number("flags", r.flags);
            json.number("exptime", r.exptime);
            json.number("bytes", r.data.size());
            if (r.command == StoreCommand::kCas) json.number("cas", r.cas);
            json.boolean("noreply", r.noreply);
            if (with_data) json.text("data", r.data);
          } else if constexpr (std::is_same_v<T, RetrievalRequest>) {
            json.text("cmd", name_of(r.command));
            if (r.command == RetrieveCommand::kGat || r.command == RetrieveCommand::kGats) {
              json.number("exptime", r.exptime);
            }
            json.list("keys", r.keys());
          } else if constexpr (std::is_same_v<T, DeleteRequest>) {
            json.text("cmd", "delete");
            json.text("key", r.key);
            json.boolean("noreply", r.noreply);
          } else if constexpr (std::is_same_v<T, ArithmeticRequest>) {
            json.text("cmd", r.increment ? "incr" : "decr");
            json.text("key", r.key);
            json.number("delta", r.delta);
            json.boolean("noreply", r.noreply);
          } else if constexpr (std::is_same_v<T, TouchRequest>) {
            json.text("cmd", "touch");
            json.text("key", r.key);
            json.number("exptime", r.exptime);
            json.boolean("noreply", r.noreply);
          } else if constexpr (std::is_same_v<T, FlushAllRequest>) {
            json.text("cmd", "flush_all");
            json.number("delay", r.delay);
            json.boolean("noreply", r.noreply);
          } else if constexpr (std::is_same_v<T, VersionRequest>) {
            json.text("cmd", "version");
          } else if constexpr (std::is_same_v<T, VerbosityRequest>) {
            json.text("cmd", "verbosity");
            json.number("level", r.level);
            json.boolean("noreply", r.noreply);
          } else if constexpr (std::is_same_v<T, QuitRequest>) {
            json.text("cmd", "quit");
          } else if constexpr (std::is_same_v<T, StatsRequest>) {
            json.text("cmd", "stats");
            json.text("group", r.group);
          } else if constexpr (std::is_same_v<T, StatsCachedumpRequest>) {
            json.text("cmd", "stats cachedump");
            json.number("slab_class", r.slab_class);
            json.number("limit", r.limit);
          } else if constexpr (std::is_same_v<T, LruCrawlerMetadumpRequest>) {
            json.text("cmd", "lru_crawler metadump");
            json.text("classes", r.classes);
          } else if constexpr (std::is_same_v<T, ShutdownRequest>) {
            json.text("cmd", "shutdown");
            json.text("mode", name_of(r.mode));
          } else if constexpr (std::is_same_v<T, CacheMemlimitRequest>) {
            json.text("cmd", "cache_memlimit");
            json.number("megabytes", r.megabytes);
            json.boolean("noreply", r.noreply);
          } else if constexpr (std::is_same_v<T, MetaRequest>) {
            json.text("cmd", name_of(r.command));
            json.text("key", r.key);
            json.boolean("base64", r.flags.has('b'));
            if (r.command == MetaCommand::kSet) json.number("bytes", r.data.size());
            json.list("flags", r.flag_tokens());
            if (with_data && r.command == MetaCommand::kSet) json.text("data", r.data);
          } else if constexpr (std::is_same_v<T, MetaNoopRequest>) {
            json.text("cmd", "mn");
          } else if constexpr (std::is_same_v<T, MetaDebugRequest>) {
            json.text("cmd", "me");
            json.text("key", r.key);
            json.boolean("base64", r.base64);
          } else if constexpr (std::is_same_v<T, ProtocolError>) {
            json.text("error", r.reply.substr(0, r.reply.size() - 2));
            json.boolean("noreply", r.noreply);
          } else {
            static_assert(std::is_same_v<T, SkippedData>);
            json.number("skipped", r.bytes);
          }
        },
        request);
  }
  return out;
}

}  // namespace mc::codec
