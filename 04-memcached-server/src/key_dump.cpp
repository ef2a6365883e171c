// The key dumps: `stats cachedump <class> <limit>` (memcdump's) and `lru_crawler metadump`
// (memcached-tool's). Both walk every shard in slices, taking the shard's lock for one slice
// at a time, so that dumping a large cache never holds up a shard's requests for long.

#include <algorithm>
#include <charconv>
#include <cstdint>
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
  for_each_item(context.store(), [&](const ItemInfo& info) {
    if (info.slab_class != wanted) return true;
    const std::int64_t exptime = info.exptime == 0 ? 0 : context.clock().to_unix(info.exptime);
    const std::size_t before = text.size();
    codec::append_cachedump_line(info.key, info.value_length, exptime, text);
    if (text.size() + reply::kEnd.size() > kCachedumpLimit) {
      text.resize(before);
      return false;
    }
    ++shown;
    return request.limit == 0 || shown < request.limit;
  });
  text += reply::kEnd;
  sink.send_text(text);
}
//! [cachedump]

//! [metadump]
void metadump(ServerContext& context, const codec::LruCrawlerMetadumpRequest& request,
              ReplySink& sink) {
  const std::vector<bool> wanted = parse_classes(request.classes);
  if (wanted.empty()) return sink.send_constant(reply::kBadClass);
  // Lines end in a bare "\n", as memcached's crawler writes them; END has its "\r\n". A large
  // dump is queued in pieces rather than as one string.
  constexpr std::size_t kPiece = 64 * 1024;
  std::vector<std::string> pieces;
  std::string text;
  for_each_item(context.store(), [&](const ItemInfo& info) {
    const auto id = static_cast<std::size_t>(info.slab_class) + 1;
    if (id >= wanted.size() || !wanted[id]) return true;
    codec::append_metadump_line(
        {.key = info.key,
         .exp = info.exptime == 0 ? -1 : context.clock().to_unix(info.exptime),
         .la = context.clock().unix_time() - info.idle_seconds,
         .cas = info.cas,
         .fetched = info.fetched,
         .cls = id,
         .size = info.size},
        text);
    if (text.size() >= kPiece) pieces.push_back(std::exchange(text, {}));
    return true;
  });
  text += reply::kEnd;
  pieces.push_back(std::move(text));
  for (const std::string& piece : pieces) sink.send_text(piece);
}
//! [metadump]

}  // namespace mc::server::meta
