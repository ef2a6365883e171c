// The data commands: storage, retrieval, delete, incr/decr, touch. Each is one store call
// under the key's shard lock; the handler then picks the answer, and mc::codec writes it.

#include "mc/server/handler.hpp"

#include <array>
#include <optional>
#include <span>
#include <variant>

#include "mc/codec/reply.hpp"

namespace mc::server {
namespace {

namespace reply = codec::reply;

StoreMode store_mode(codec::StoreCommand command) {
  switch (command) {
    case codec::StoreCommand::kSet:
      return StoreMode::kSet;
    case codec::StoreCommand::kAdd:
      return StoreMode::kAdd;
    case codec::StoreCommand::kReplace:
      return StoreMode::kReplace;
    case codec::StoreCommand::kAppend:
      return StoreMode::kAppend;
    case codec::StoreCommand::kPrepend:
      return StoreMode::kPrepend;
    case codec::StoreCommand::kCas:
      return StoreMode::kCas;
  }
  return StoreMode::kSet;
}

std::string_view store_reply(StoreResult result) {
  switch (result) {
    case StoreResult::kStored:
      return reply::kStored;
    case StoreResult::kNotStored:
      return reply::kNotStored;
    case StoreResult::kExists:
      return reply::kExists;
    case StoreResult::kNotFound:
      return reply::kNotFound;
    case StoreResult::kTooLarge:
      return reply::kTooLarge;
    case StoreResult::kOutOfMemory:
      return reply::kOutOfMemory;
  }
  return reply::kError;
}

// Keys of a multi-key get are looked up this many at a time: enough for their cache misses to
// overlap (ShardedStore::prefetch), few enough that what was loaded is still in the cache.
constexpr std::size_t kLookupBatch = 16;

}  // namespace

Handler::Handler(ServerContext& context, CommandStats& stats) : context_(context), stats_(stats) {}

//! [dispatch]
void Handler::handle(const codec::Request& request, ReplySink& sink) {
  std::visit([&](const auto& typed) { on(typed, sink); }, request);
}
//! [dispatch]

//! [storage]
void Handler::on(const codec::StorageRequest& request, ReplySink& sink) {
  const auto outcome = context_.store().with_shard(request.key, [&](Store& store) {
    return store.store(store_mode(request.command), request.key, request.data, request.flags,
                       request.exptime, request.cas);
  });
  if (outcome.result == StoreResult::kTooLarge) common::bump(stats_.store_too_large);
  if (outcome.result == StoreResult::kOutOfMemory) common::bump(stats_.store_no_memory);
  if (!request.noreply) sink.send_constant(store_reply(outcome.result));
}
//! [storage]

//! [retrieval]
void Handler::on(const codec::RetrievalRequest& request, ReplySink& sink) {
  const bool touch = request.command == codec::RetrieveCommand::kGat ||
                     request.command == codec::RetrieveCommand::kGats;
  const bool with_cas = request.command == codec::RetrieveCommand::kGets ||
                        request.command == codec::RetrieveCommand::kGats;
  // Each hit is sent when the next one is found, so that the last one can carry the END:
  // the common one-key get is then a single reply.
  std::optional<Reply> last_hit;
  const auto keys = request.keys();
  std::array<std::string_view, kLookupBatch> batch;
  for (auto next = keys.begin(); next != keys.end();) {
    std::size_t count = 0;
    for (; next != keys.end() && count < batch.size(); ++next) batch[count++] = *next;
    if (count > 1) context_.store().prefetch(std::span(batch.data(), count));
    for (const std::string_view key : std::span(batch.data(), count)) {
      // The handle keeps the item's bytes alive until the reply is written, even if another
      // connection deletes or replaces the key meanwhile.
      ItemHandle item = context_.store().with_shard(key, [&](Store& store) {
        return touch ? store.gat(key, request.exptime) : store.get(key);
      });
      if (!item) continue;
      if (last_hit) sink.send(std::move(*last_hit));
      last_hit = value_reply(std::move(item), with_cas);
    }
  }
  if (!last_hit) return sink.send_constant(reply::kEnd);
  last_hit->bytes.set_trailer(reply::kEnd);
  sink.send(std::move(*last_hit));
}

Reply Handler::value_reply(ItemHandle item, bool with_cas) {
  Reply value;
  codec::compose_value({item.key(), item.flags(), with_cas, item.cas(), item.value()}, value.bytes);
  value.owner = std::move(item);
  return value;
}
//! [retrieval]

void Handler::on(const codec::DeleteRequest& request, ReplySink& sink) {
  const bool deleted = context_.store().with_shard(
      request.key, [&](Store& store) { return store.remove(request.key); });
  if (!request.noreply) sink.send_constant(deleted ? reply::kDeleted : reply::kNotFound);
}

void Handler::on(const codec::ArithmeticRequest& request, ReplySink& sink) {
  const auto outcome = context_.store().with_shard(request.key, [&](Store& store) {
    return store.delta(request.key, request.increment, request.delta);
  });
  if (request.noreply) return;
  switch (outcome.result) {
    case DeltaResult::kOk: {
      Reply number;
      codec::compose_reply_bytes(codec::NumberResponse{outcome.value}, number.bytes);
      sink.send(std::move(number));
      return;
    }
    case DeltaResult::kNonNumeric:
      sink.send_constant(reply::kNonNumeric);
      return;
    case DeltaResult::kOutOfMemory:
      sink.send_constant(reply::kDeltaOutOfMemory);
      return;
    case DeltaResult::kNotFound:
    case DeltaResult::kExists:  // only meta arithmetic compares a CAS
      sink.send_constant(reply::kNotFound);
      return;
  }
}

void Handler::on(const codec::TouchRequest& request, ReplySink& sink) {
  const bool touched = context_.store().with_shard(
      request.key, [&](Store& store) { return store.touch(request.key, request.exptime); });
  if (!request.noreply) sink.send_constant(touched ? reply::kTouched : reply::kNotFound);
}

//! [protocol-error]
void Handler::on(const codec::ProtocolError& request, ReplySink& sink) {
  if (request.cause == codec::ErrorCause::kTooLarge) common::bump(stats_.store_too_large);
  if (!request.stale_key.empty()) {
    context_.store().with_shard(request.stale_key,
                                [&](Store& store) { store.remove_quietly(request.stale_key); });
  }
  if (!request.noreply) sink.send_constant(request.reply);
}
//! [protocol-error]

void Handler::on(const codec::SkippedData&, ReplySink&) {}

}  // namespace mc::server
