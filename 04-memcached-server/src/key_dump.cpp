// The key dumps: `stats cachedump <class> <limit>` (memcdump's) and `lru_crawler metadump`
// (memcached-tool's). Both walk every shard in slices, taking the shard's lock for one slice
// at a time, so that dumping a large cache never holds up a shard's requests for long.

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "mc/codec/reply.hpp"
#include "meta_commands.hpp"

namespace mc::server::meta {
namespace {

namespace reply = codec::reply;

// Buckets per slice: about a thousand items, a few tens of microseconds under the lock.
constexpr std::size_t kSliceBuckets = 1024;
// memcached answers a cachedump with at most 2 MB, END included.
constexpr std::size_t kCachedumpLimit = 2 * 1024 * 1024;
// memcached's slab class ids run from 1 to 63.
constexpr std::uint32_t kClassIds = 64;

// Calls `visit(const ItemInfo&)` for every live item of every shard, one slice of one shard
// under its lock at a time, until the walk ends or `visit` returns false.
template <typename Visit>
void for_each_item(ShardedStore& shards, Visit&& visit) {
  std::vector<std::size_t> cursors(shards.size(), 0);
  std::vector<bool> finished(shards.size(), false);
  bool stop = false;
  std::size_t remaining = shards.size();
  while (remaining > 0 && !stop) {
    std::size_t index = 0;
    shards.for_each([&](Store& store) {
      const std::size_t shard = index++;
      if (finished[shard] || stop) return;
      cursors[shard] = store.visit_items(cursors[shard], kSliceBuckets, [&](const ItemInfo& info) {
        if (!stop && !visit(info)) stop = true;
      });
      if (cursors[shard] == 0) {
        finished[shard] = true;
        --remaining;
      }
    });
  }
}

void send_text(ReplySink& sink, const std::string& text) {
  Reply reply;
  reply.bytes.set_line(text);
  sink.send(std::move(reply));
}

// memcached's uriencode: everything but letters, digits and "-._~" as %XX (upper case).
void append_uri_encoded(std::string& out, std::string_view key) {
  for (const char c : key) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (plain) {
      out.push_back(c);
    } else {
      fmt::format_to(std::back_inserter(out), "%{:02X}", byte);
    }
  }
}

// Which classes a metadump asked for: "all", "hash", or ids such as "1,5,12" (empty pieces
// are skipped, as memcached's strtok does). Empty on error.
std::vector<bool> parse_classes(std::string_view text) {
  std::vector<bool> wanted(kClassIds, false);
  if (text == "all" || text == "hash") {
    wanted.assign(kClassIds, true);
    return wanted;
  }
  while (!text.empty()) {
    const std::string_view id = text.substr(0, text.find(','));
    text.remove_prefix(std::min(text.size(), id.size() + 1));
    if (id.empty()) continue;
    std::uint32_t value = 0;
    const auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), value);
    if (error != std::errc() || end != id.data() + id.size() || value == 0 || value >= kClassIds) {
      return {};
    }
    wanted[value] = true;
  }
  return wanted;
}

}  // namespace

//! [cachedump]
void cachedump(ServerContext& context, const codec::StatsCachedumpRequest& request,
               ReplySink& sink) {
  // Our classes are numbered from 0 inside the store and from 1 on the wire, as in
  // `stats items`, which is where memcdump finds the ids it asks for.
  const int wanted = static_cast<int>(request.slab_class) - 1;
  std::string text;
  std::uint32_t shown = 0;
  for_each_item(context.store, [&](const ItemInfo& info) {
    if (info.slab_class != wanted) return true;
    const std::int64_t exptime = info.exptime == 0 ? 0 : context.clock.to_unix(info.exptime);
    const std::size_t before = text.size();
    fmt::format_to(std::back_inserter(text), "ITEM {} [{} b; {} s]\r\n", info.key,
                   info.value_length, exptime);
    if (text.size() + reply::kEnd.size() > kCachedumpLimit) {
      text.resize(before);
      return false;
    }
    ++shown;
    return request.limit == 0 || shown < request.limit;
  });
  text += reply::kEnd;
  send_text(sink, text);
}
//! [cachedump]

//! [metadump]
void metadump(ServerContext& context, const codec::LruCrawlerMetadumpRequest& request,
              ReplySink& sink) {
  const std::vector<bool> wanted = parse_classes(request.classes);
  if (wanted.empty()) return sink.send_constant("BADCLASS invalid class id\r\n");
  // Lines end in a bare "\n", as memcached's crawler writes them; END has its "\r\n". A large
  // dump is queued in pieces rather than as one string.
  constexpr std::size_t kPiece = 64 * 1024;
  std::vector<std::string> pieces;
  std::string text;
  for_each_item(context.store, [&](const ItemInfo& info) {
    const auto id = static_cast<std::size_t>(info.slab_class) + 1;
    if (id >= wanted.size() || !wanted[id]) return true;
    text += "key=";
    append_uri_encoded(text, info.key);
    const std::int64_t exp = info.exptime == 0 ? -1 : context.clock.to_unix(info.exptime);
    const std::int64_t last_access = context.clock.unix_time() - info.idle_seconds;
    fmt::format_to(std::back_inserter(text), " exp={} la={} cas={} fetch={} cls={} size={}\n", exp,
                   last_access, info.cas, info.fetched ? "yes" : "no", id, info.size);
    if (text.size() >= kPiece) pieces.push_back(std::exchange(text, {}));
    return true;
  });
  text += reply::kEnd;
  pieces.push_back(std::move(text));
  for (const std::string& piece : pieces) send_text(sink, piece);
}
//! [metadump]

}  // namespace mc::server::meta
