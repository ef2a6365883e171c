#include "mc/server/server_context.hpp"

#include <utility>

namespace mc::server {
namespace {

StoreOptions store_options(const Settings& settings) {
  return {.memory_limit = settings.memory_limit,
          .item_size_max = settings.item_size_max,
          .cas_enabled = settings.cas_enabled,
          .evictions = settings.evictions};
}

}  // namespace

ServerContext::ServerContext(const Settings& settings, std::uint16_t port,
                             std::function<void()> shutdown,
                             const std::atomic<std::uint64_t>* accept_pauses)
    : settings_(settings),
      port_(port),
      started_(clock_.now()),
      store_(store_options(settings), clock_,
             ShardedStore::shards_for(settings.net.threads, store_options(settings))),
      connections_(settings.net.threads),
      memory_limit_(settings.memory_limit),
      shutdown_(std::move(shutdown)),
      accept_pauses_(accept_pauses),
      latencies_(settings.metrics_port ? std::make_unique<LatencyRecorder>(settings.net.threads)
                                       : nullptr) {}

bool ServerContext::set_memory_limit(std::size_t bytes) {
  if (!store_.set_memory_limit(bytes)) return false;
  memory_limit_.store(bytes, std::memory_order_relaxed);
  return true;
}

}  // namespace mc::server
