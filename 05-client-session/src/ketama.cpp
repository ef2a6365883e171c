#include "mc/client/ketama.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "mc/client/hash.hpp"

namespace mc::client {

//! [points-for]
std::uint32_t ketama_points_for(std::uint32_t weight, std::uint64_t total_weight,
                                std::uint32_t live_servers) {
  // One float operation per statement: a compiler may not fuse separate statements into an FMA,
  // whose single rounding would differ from libmemcached's (compiled without FMA).
  const float share = static_cast<float>(weight) / static_cast<float>(total_weight);
  float digests = share * static_cast<float>(kKetamaPointsPerServer);
  digests = digests / static_cast<float>(kKetamaPointsPerDigest);
  digests = digests * static_cast<float>(live_servers);
  digests = digests + 0.0000000001F;  // libmemcached's nudge; far below a float's resolution
  return static_cast<std::uint32_t>(std::floor(digests)) * kKetamaPointsPerDigest;
}
//! [points-for]

std::string ketama_label(const ServerAddress& server, std::uint32_t digest) {
  if (server.port == kDefaultPort) return fmt::format("{}-{}", server.host, digest);
  return fmt::format("{}:{}-{}", server.host, server.port, digest);
}

//! [build]
Continuum Continuum::build(std::span<const ServerAddress> servers, const std::vector<bool>& alive) {
  if (alive.size() != servers.size()) {
    throw std::invalid_argument("Continuum::build: one alive flag per server is needed");
  }
  std::uint64_t total_weight = 0;
  std::uint32_t live = 0;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (!alive[i]) continue;
    total_weight += servers[i].weight;
    ++live;
  }

  Continuum ring;
  if (live == 0) return ring;
  ring.points_.reserve(std::size_t{live} * kKetamaPointsPerServer);
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (!alive[i]) continue;
    const auto digests =
        ketama_points_for(servers[i].weight, total_weight, live) / kKetamaPointsPerDigest;
    for (std::uint32_t d = 0; d < digests; ++d) {
      const Md5Digest digest = md5(ketama_label(servers[i], d));
      for (std::size_t word = 0; word < kKetamaPointsPerDigest; ++word) {
        ring.points_.push_back({digest_word(digest, word), static_cast<std::uint32_t>(i)});
      }
    }
  }
  std::ranges::sort(ring.points_);
  return ring;
}
//! [build]

Continuum Continuum::build(std::span<const ServerAddress> servers) {
  return build(servers, std::vector<bool>(servers.size(), true));
}

//! [build-unweighted]
Continuum Continuum::build_unweighted(std::span<const ServerAddress> servers,
                                      const std::vector<bool>& alive) {
  if (alive.size() != servers.size()) {
    throw std::invalid_argument("Continuum::build_unweighted: one alive flag per server is needed");
  }
  Continuum ring;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    if (!alive[i]) continue;
    for (std::uint32_t point = 0; point < kUnweightedPointsPerServer; ++point) {
      // libmemcached hashes the label with the key hash, which this behaviour leaves at its
      // default, one-at-a-time: MD5 is used by the weighted variant only.
      ring.points_.push_back(
          {one_at_a_time_hash(ketama_label(servers[i], point)), static_cast<std::uint32_t>(i)});
    }
  }
  std::ranges::sort(ring.points_);
  return ring;
}
//! [build-unweighted]

//! [lookup]
std::optional<ContinuumPoint> Continuum::point_for(std::uint32_t hash) const {
  if (points_.empty()) return std::nullopt;
  const auto it = std::ranges::lower_bound(points_, hash, {}, &ContinuumPoint::value);
  return it == points_.end() ? points_.front() : *it;  // past the last point: wrap around
}
//! [lookup]

std::optional<std::size_t> Continuum::server_for(std::uint32_t hash) const {
  const auto point = point_for(hash);
  if (!point) return std::nullopt;
  return point->server;
}

}  // namespace mc::client
