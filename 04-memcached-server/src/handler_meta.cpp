// The meta commands: the Handler's entry points, and mg, me and mn. ms, md and ma are in
// meta_update.cpp, the key dumps in key_dump.cpp.

#include "mc/codec/reply.hpp"
#include "mc/server/handler.hpp"
#include "meta_commands.hpp"

namespace mc::server {

void Handler::on(const codec::MetaNoopRequest&, ReplySink& sink) {
  sink.send_constant(codec::reply::kMetaNoop);
}

void Handler::on(const codec::MetaRequest& request, ReplySink& sink) {
  switch (request.command) {
    case codec::MetaCommand::kGet:
      return meta::get(context_, request, sink);
    case codec::MetaCommand::kSet:
      return meta::set(context_, stats_, request, sink);
    case codec::MetaCommand::kDelete:
      return meta::remove(context_, request, sink);
    case codec::MetaCommand::kArithmetic:
      return meta::arithmetic(context_, request, sink);
  }
}

void Handler::on(const codec::MetaDebugRequest& request, ReplySink& sink) {
  common::bump(stats_.cmd_meta);  // memcached 1.6.18 counts only `me` as cmd_meta
  meta::debug(context_, request, sink);
}

void Handler::on(const codec::StatsCachedumpRequest& request, ReplySink& sink) {
  meta::cachedump(context_, request, sink);
}

void Handler::on(const codec::LruCrawlerMetadumpRequest& request, ReplySink& sink) {
  meta::metadump(context_, request, sink);
}

namespace meta {
namespace {

// `t`: seconds left, -1 for never. memcached subtracts unsigned 32-bit times, so an item
// already due (T-1 sets the marker 1) reads as a number near 2^32; we print the same.
void append_ttl(codec::MetaLine& line, RelTime exptime, const Clock& clock) {
  if (exptime == 0) {
    line.signed_number('t', -1);
  } else {
    line.number('t', static_cast<std::uint32_t>(exptime - clock.now()));
  }
}

}  // namespace

//! [meta-get]
void get(ServerContext& context, const codec::MetaRequest& request, ReplySink& sink) {
  const codec::MetaFlags& flags = request.flags;
  const Clock& clock = context.clock();
  Reply reply;
  // Everything happens under the shard's lock, as memcached holds the item lock: the return
  // flags are written in request order and some read what an earlier flag changed (t after
  // T reports the new TTL, R after T compares with it).
  const bool hit = context.store().with_shard(request.key, [&](Store& store) {
    MetaGetOutcome got = store.meta_get(
        request.key, {.bump = !flags.has('u'), .touch = flags.has('T'), .vivify = flags.has('N')});
    if (!got.item) return false;
    ItemHandle& item = got.item;  // T may move it to a copy with room for an exptime
    const bool token_sent = (item.state() & kItemTokenSent) != 0;
    bool won = false;
    codec::MetaLine line(flags.has('v') ? codec::MetaStatus::kVa : codec::MetaStatus::kHd);
    if (flags.has('v')) line.value_length(item.value().size());
    for (const std::string_view token : request.flag_tokens()) {
      switch (token[0]) {
        case 'T':
          store.set_exptime(item, clock.exptime_to_rel(flags.ttl));
          break;
        case 'N':  // the creator wins the right to fill the placeholder
          if (got.created) {
            store.set_exptime(item, clock.exptime_to_rel(flags.vivify_ttl));
            won = true;
          }
          break;
        case 'R':  // recache: the first reader to find less TTL left than R wins
          if (!token_sent && !got.created && item.exptime() != 0 &&
              item.exptime() < clock.exptime_to_rel(flags.recache_ttl)) {
            won = true;
          }
          break;
        case 's':
          line.number('s', item.value().size());
          break;
        case 't':
          append_ttl(line, item.exptime(), clock);
          break;
        case 'c':
          line.number('c', item.cas());
          break;
        case 'f':
          line.number('f', item.flags());
          break;
        case 'l':
          line.number('l', got.idle_seconds);
          break;
        case 'h':
          line.number('h', got.fetched_before ? 1u : 0u);
          break;
        case 'O':
          line.opaque(token);
          break;
        case 'k':
          line.key(item.key(), (item.state() & kItemKeyBinary) != 0);
          break;
        default:
          break;
      }
    }
    // Z: someone already holds the token; X: the value is stale, and its first reader wins.
    if (token_sent) line.mark('Z');
    if ((item.state() & kItemStale) != 0) {
      line.mark('X');
      if (!token_sent) won = true;
    }
    if (won) {
      line.mark('W');
      store.mark(item, kItemTokenSent);  // later readers are told Z
    }
    line.finish(reply.bytes);
    if (flags.has('v')) {
      reply.bytes.set_value(item.value());
      reply.owner = item;
    }
    return true;
  });
  if (hit) return sink.send(std::move(reply));
  if (flags.has('q')) return;  // quiet mode: a miss is the nominal answer, left out
  codec::MetaLine line(codec::MetaStatus::kEn);
  echo_opaque_and_key(request, line);
  send_line(sink, line);
}
//! [meta-get]

void debug(ServerContext& context, const codec::MetaDebugRequest& request, ReplySink& sink) {
  ItemHandle item;
  ItemInfo info;
  context.store().with_shard(request.key, [&](Store& store) {
    item = store.peek(request.key);
    if (item) info = store.describe(*item.get());
  });
  if (!item) return sink.send_constant(codec::reply::kMetaDebugMiss);
  // memcached 1.6.18 prints exp as now - exptime: negative while the item has time left.
  const RelTime now = context.clock().now();
  const std::int64_t exp = info.exptime == 0 ? -1 : static_cast<std::int32_t>(now - info.exptime);
  Reply reply;
  codec::compose_meta_debug({.key = info.key,
                             .key_binary = info.key_binary,
                             .exp = exp,
                             .la = info.idle_seconds,
                             .cas = info.cas,
                             .fetched = info.fetched,
                             .cls = static_cast<std::size_t>(info.slab_class) + 1,
                             .size = info.size},
                            reply.bytes);
  sink.send(std::move(reply));
}

}  // namespace meta
}  // namespace mc::server
