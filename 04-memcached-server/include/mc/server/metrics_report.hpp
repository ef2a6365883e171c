/// \file
/// \brief What `GET /metrics` answers: every `stats` counter under memcached_exporter's metric
/// names where it has one (so its dashboards and alerts work unchanged), the rest under
/// `cppmemcached_`, and what memcached cannot tell: per-command latency histograms, connections
/// by state, and memory by use.

#pragma once

#include <string>

#include "mc/server/server_context.hpp"

namespace mc::server {

/// \brief The Prometheus text exposition of `context`'s state now.
std::string metrics_text(ServerContext& context);

}  // namespace mc::server
