/// \file
/// \brief What memcached's `stats` groups report, with memcached's field names and order, so
/// that tools such as memcstat and memcached_exporter read cppmemcached like memcached. These
/// functions choose names and values; codec::StatsText writes the lines.

#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "mc/server/server_context.hpp"

namespace mc::server {

/// \brief The store's counters, summed over its shards.
StoreStats sum_store_stats(ServerContext& context);

/// \brief The counters of each memcached size class in use (numbered from 1), summed over
/// shards.
std::map<std::size_t, SlabClassStats> sum_slab_stats(ServerContext& context);

/// \brief `stats`: process, connection, command and item counters, then `END`.
///
/// Fields of mechanisms cppmemcached does not have (libevent, the LRU maintainer, slab
/// rebalancing threads, authentication) are printed as 0 so that tools expecting them work:
/// zero is the true count of what never happens here.
std::string general_stats(ServerContext& context);

/// \brief `stats settings`: the settings in force, then `END`.
std::string settings_stats(ServerContext& context);

/// \brief `stats items`: per size class item counters, then `END`.
std::string items_stats(ServerContext& context);

/// \brief `stats slabs`: per size class memory, then totals and `END`.
std::string slabs_stats(ServerContext& context);

/// \brief `stats conns`: one group of lines per open connection, then `END`.
std::string conns_stats(ServerContext& context);

/// \brief `stats reset`: zeroes the counters of every shard and handler.
void reset_stats(ServerContext& context);

}  // namespace mc::server
