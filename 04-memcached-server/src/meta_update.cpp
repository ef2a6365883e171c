// The meta commands that change items: ms (set and its modes), md (delete or invalidate) and
// ma (incr/decr, creating the counter on request).

#include <charconv>

#include "mc/codec/reply.hpp"
#include "meta_commands.hpp"

namespace mc::server::meta {
namespace {

namespace reply = codec::reply;

// ms's M token; with a C token, set and replace become a compare-and-swap (memcached's rule:
// replace + cas works like cas), while add ignores it and append/prepend compare it simply.
StoreMode set_mode(const codec::MetaFlags& flags) {
  StoreMode mode = StoreMode::kSet;
  switch (flags.mode) {
    case 'E':
      mode = StoreMode::kAdd;
      break;
    case 'A':
      mode = StoreMode::kAppend;
      break;
    case 'P':
      mode = StoreMode::kPrepend;
      break;
    case 'R':
      mode = StoreMode::kReplace;
      break;
    default:  // 'S' or none; the parser refused any other letter
      break;
  }
  if (flags.has('C') && (mode == StoreMode::kSet || mode == StoreMode::kReplace)) {
    mode = StoreMode::kCas;
  }
  return mode;
}

codec::MetaStatus set_code(StoreResult result) {
  switch (result) {
    case StoreResult::kStored:
      return codec::MetaStatus::kHd;
    case StoreResult::kNotStored:
      return codec::MetaStatus::kNs;
    case StoreResult::kExists:
      return codec::MetaStatus::kEx;
    case StoreResult::kNotFound:
      return codec::MetaStatus::kNf;
    case StoreResult::kTooLarge:  // answered before, with an error line
    case StoreResult::kOutOfMemory:
      break;
  }
  return codec::MetaStatus::kNf;
}

}  // namespace

//! [meta-set]
void set(ServerContext& context, CommandStats& stats, const codec::MetaRequest& request,
         ReplySink& sink) {
  const codec::MetaFlags& flags = request.flags;
  const StoreMode mode = set_mode(flags);
  const StoreOutcome outcome = context.store().with_shard(request.key, [&](Store& store) {
    std::uint64_t cas = flags.has('C') ? flags.compare_cas : 0;
    StoreMarks marks;
    if (flags.has('b')) marks.set = kItemKeyBinary;  // so that replies echo it in base64
    if (mode == StoreMode::kCas && flags.has('I')) {
      // memcached's set_stale: an invalidating write whose CAS is older than the item's still
      // lands, so that there is a value to serve, but it stays stale, keeping the item's
      // exptime and a recache token already handed out (protocol.txt, "ms"). Decided under
      // the shard's lock, so the item cannot change in between.
      const ItemHandle current = store.peek(request.key);
      if (current && cas < current.cas()) {
        cas = current.cas();
        marks.exptime = current.exptime();
        marks.set |= kItemStale | (current.state() & kItemTokenSent);
      }
    }
    return store.store(mode, request.key, request.data, flags.client_flags,
                       flags.has('T') ? flags.ttl : 0, cas, marks);
  });
  if (outcome.result == StoreResult::kTooLarge) {
    common::bump(stats.store_too_large);
    return sink.send_constant(reply::kTooLarge);
  }
  if (outcome.result == StoreResult::kOutOfMemory) {
    common::bump(stats.store_no_memory);
    return sink.send_constant(reply::kOutOfMemory);
  }
  // Quiet mode drops only the nominal answer: HD. NS, EX and NF are always sent.
  if (outcome.result == StoreResult::kStored && flags.has('q')) return;
  codec::MetaLine line(set_code(outcome.result));
  for (const std::string_view token : request.flag_tokens()) {
    if (token[0] == 'O') line.opaque(token);
    if (token[0] == 'k') line.key(request.key, flags.has('b'));
    if (token[0] == 'c') line.number('c', outcome.cas);  // 0 unless stored
  }
  send_line(sink, line);
}
//! [meta-set]

void remove(ServerContext& context, const codec::MetaRequest& request, ReplySink& sink) {
  const codec::MetaFlags& flags = request.flags;
  MetaDeleteOptions options;
  if (flags.has('C')) options.cas = flags.compare_cas;
  if (flags.has('I')) {
    // Invalidate: the item stays, stale, and its next reader may win the recache token again.
    options.invalidate = true;
    options.set_marks = kItemStale;
    options.clear_marks = kItemTokenSent;
  }
  if (flags.has('T')) options.exptime = context.clock().exptime_to_rel(flags.ttl);
  const MetaDeleteResult result = context.store().with_shard(
      request.key, [&](Store& store) { return store.meta_delete(request.key, options); });
  codec::MetaStatus code = codec::MetaStatus::kHd;
  switch (result) {
    case MetaDeleteResult::kDone:
      if (flags.has('q')) return;
      break;
    case MetaDeleteResult::kNotFound:
      code = codec::MetaStatus::kNf;
      break;
    case MetaDeleteResult::kExists:
      code = codec::MetaStatus::kEx;
      break;
    case MetaDeleteResult::kOutOfMemory:
      return sink.send_constant(reply::kDeltaOutOfMemory);
  }
  codec::MetaLine line(code);
  echo_opaque_and_key(request, line);
  send_line(sink, line);
}

//! [meta-arithmetic]
void arithmetic(ServerContext& context, const codec::MetaRequest& request, ReplySink& sink) {
  const codec::MetaFlags& flags = request.flags;
  const Clock& clock = context.clock();
  const MetaDeltaOptions options{.incr = flags.mode != 'D' && flags.mode != '-',
                                 .delta = flags.delta,
                                 .cas = flags.compare_cas,
                                 .vivify = flags.has('N'),
                                 .initial = flags.initial};
  bool quiet = false;
  Reply reply;
  const MetaDeltaOutcome outcome = context.store().with_shard(request.key, [&](Store& store) {
    MetaDeltaOutcome result = store.meta_delta(request.key, options);
    if (result.result != DeltaResult::kOk) return result;
    // A counter just created is answered even in quiet mode (memcached does the same).
    quiet = flags.has('q') && !result.created;
    char digits[20];
    const auto length = static_cast<std::size_t>(
        std::to_chars(digits, digits + sizeof digits, result.value).ptr - digits);
    codec::MetaLine line(flags.has('v') ? codec::MetaStatus::kVa : codec::MetaStatus::kHd);
    if (flags.has('v')) line.value_length(length);
    ItemHandle& item = result.item;  // T may move it to a copy with room for an exptime
    // In request order, under the lock: t before T reports the old TTL, t after it the new.
    for (const std::string_view token : request.flag_tokens()) {
      switch (token[0]) {
        case 'c':
          line.number('c', item.cas());
          break;
        case 't':
          if (item.exptime() == 0) {
            line.signed_number('t', -1);
          } else {
            line.number('t', static_cast<std::uint32_t>(item.exptime() - clock.now()));
          }
          break;
        case 'T':
          store.set_exptime(item, clock.exptime_to_rel(flags.ttl));
          break;
        case 'N':
          if (result.created) store.set_exptime(item, clock.exptime_to_rel(flags.vivify_ttl));
          break;
        case 'O':
          line.opaque(token);
          break;
        case 'k':
          line.key(request.key, flags.has('b'));
          break;
        default:
          break;
      }
    }
    if (flags.has('v')) {
      line.finish_with_data(std::string_view(digits, length), reply.bytes);
    } else {
      line.finish(reply.bytes);
    }
    return result;
  });
  switch (outcome.result) {
    case DeltaResult::kOk:
      if (!quiet) sink.send(std::move(reply));
      return;
    case DeltaResult::kNonNumeric:
      return sink.send_constant(reply::kNonNumeric);
    case DeltaResult::kOutOfMemory:
      return sink.send_constant(outcome.vivify_failed ? reply::kVivifyOutOfMemory
                                                      : reply::kDeltaOutOfMemory);
    case DeltaResult::kNotFound:
    case DeltaResult::kExists: {
      codec::MetaLine miss(outcome.result == DeltaResult::kNotFound ? codec::MetaStatus::kNf
                                                                    : codec::MetaStatus::kEx);
      echo_opaque_and_key(request, miss);
      return send_line(sink, miss);
    }
  }
}
//! [meta-arithmetic]

}  // namespace mc::server::meta
