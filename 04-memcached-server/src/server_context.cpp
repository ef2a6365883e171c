#include "mc/server/server_context.hpp"

namespace mc::server {
namespace {

StoreOptions store_options(const Settings& settings) {
  return {.memory_limit = settings.memory_limit,
          .item_size_max = settings.item_size_max,
          .cas_enabled = settings.cas_enabled,
          .evictions = settings.evictions};
}

}  // namespace

ServerContext::ServerContext(const Settings& settings)
    : settings(settings),
      started(clock.now()),
      port(settings.net.port),
      store(store_options(settings), clock,
            ShardedStore::shards_for(settings.net.threads, store_options(settings))),
      memory_limit(settings.memory_limit) {}

}  // namespace mc::server
