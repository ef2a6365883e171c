/// \file
/// \brief The ketama continuum: a ring of MD5 points that spreads keys over weighted servers,
/// bit-compatible with libmemcached 1.1.4's `MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED`.

#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mc/client/server_address.hpp"

namespace mc::client {

/// \brief Points a server would get if all servers had the same weight (libmemcached's
/// `MEMCACHED_POINTS_PER_SERVER_KETAMA`).
inline constexpr std::uint32_t kKetamaPointsPerServer = 160;

/// \brief Points every live server gets in non-weighted ketama (libmemcached's
/// `MEMCACHED_POINTS_PER_SERVER`), whatever its weight.
inline constexpr std::uint32_t kUnweightedPointsPerServer = 100;

/// \brief Points taken from one MD5 digest: its 16 bytes are four 32-bit points.
inline constexpr std::uint32_t kKetamaPointsPerDigest = 4;

/// \brief How many points a live server gets on the ring.
///
/// `floor(weight / total_weight * 160 / 4 * live_servers + 1e-10) * 4`, evaluated in
/// single-precision float step by step exactly as libmemcached's `update_continuum` does. Float
/// rounding decides some results: 25 equally weighted servers get 156 points each, not 160,
/// because the float product is 39.9999962 (in double it is 40); 7 get 160, where double would
/// give 156. Computing this in double would move keys.
/// \param weight the server's weight.
/// \param total_weight the sum of the weights of the live servers.
/// \param live_servers how many servers are live.
[[nodiscard]] std::uint32_t ketama_points_for(std::uint32_t weight, std::uint64_t total_weight,
                                              std::uint32_t live_servers);

/// \brief The text hashed for a server's `digest`-th digest (weighted) or point (non-weighted):
/// `host-N` when the port is 11211, `host:port-N` otherwise.
[[nodiscard]] std::string ketama_label(const ServerAddress& server, std::uint32_t digest);

/// \brief One point on the ring: a 32-bit position and the server that owns it.
struct ContinuumPoint {
  std::uint32_t value;   ///< Position on the ring, 0..2^32-1.
  std::uint32_t server;  ///< Index of the owning server in the full server list.

  /// \brief Ordered by position, then by server index, as libmemcached sorts (so ties between
  /// two servers' points resolve the same way).
  auto operator<=>(const ContinuumPoint&) const = default;
};

/// \brief The sorted ring of points for a list of servers, some of which may be ejected.
///
/// Built from the live servers only, with weights and point counts computed over the live
/// servers, which is what libmemcached's auto-eject does: a ring built with server 2 dead places
/// every key exactly where a libmemcached client with server 2 ejected places it. Server indices
/// in the points are positions in the full list, so they stay valid across ejections.
/// Building costs one MD5 per four points (40 per equally weighted server) and one sort.
class Continuum {
 public:
  /// \brief An empty ring: every lookup answers "no server".
  Continuum() = default;

  /// \brief Builds the ring of the servers whose `alive` flag is set.
  /// \param servers the full list, in the order the user gave it.
  /// \param alive one flag per server; must have `servers.size()` entries.
  /// \throws std::invalid_argument if the sizes differ.
  [[nodiscard]] static Continuum build(std::span<const ServerAddress> servers,
                                       const std::vector<bool>& alive);

  /// \brief Builds the ring with every server live.
  [[nodiscard]] static Continuum build(std::span<const ServerAddress> servers);

  /// \brief Builds the ring of non-weighted ketama, libmemcached's `MEMCACHED_BEHAVIOR_KETAMA`:
  /// 100 points per live server whatever its weight, each point the one-at-a-time hash of its
  /// label (one hash per point, not four points per MD5 digest).
  /// \param servers the full list, in the order the user gave it.
  /// \param alive one flag per server; must have `servers.size()` entries.
  /// \throws std::invalid_argument if the sizes differ.
  [[nodiscard]] static Continuum build_unweighted(std::span<const ServerAddress> servers,
                                                  const std::vector<bool>& alive);

  /// \brief The first point at or after `hash`, wrapping to the first point of the ring; empty
  /// if the ring is.
  [[nodiscard]] std::optional<ContinuumPoint> point_for(std::uint32_t hash) const;

  /// \brief The index of the server that owns `hash`; empty if the ring is.
  [[nodiscard]] std::optional<std::size_t> server_for(std::uint32_t hash) const;

  /// \brief Every point, sorted.
  [[nodiscard]] std::span<const ContinuumPoint> points() const { return points_; }

 private:
  std::vector<ContinuumPoint> points_;
};

}  // namespace mc::client
