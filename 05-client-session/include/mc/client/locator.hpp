/// \file
/// \brief Locator: which server holds a key, with ketama or modulo placement and ejection.

#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "mc/client/ketama.hpp"
#include "mc/client/server_address.hpp"

namespace mc::client {

/// \brief How keys are spread over servers.
enum class Distribution {
  /// Weighted ketama: MD5 continuum, as libmemcached's `MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED`.
  /// Adding or removing one of N servers moves about 1/N of the keys.
  kKetama,
  /// `one_at_a_time_hash(key) % server count`, as libmemcached's default
  /// `MEMCACHED_DISTRIBUTION_MODULA`. Weights are ignored; changing the server count moves
  /// almost every key.
  kModulo,
  /// Non-weighted ketama, as libmemcached's `MEMCACHED_BEHAVIOR_KETAMA`: 100 points per server,
  /// points and keys hashed with one-at-a-time. Weights are ignored.
  kKetamaUnweighted,
};

/// \brief The name of a distribution: `ketama`, `modulo` or `ketama-unweighted`.
[[nodiscard]] std::string_view to_string(Distribution distribution);

/// \brief Maps keys to servers, the way a libmemcached client configured alike does.
///
/// Servers keep the index they have in the list given to the constructor, so a Cluster can keep
/// its sessions in a vector beside it. Servers can be ejected and restored: with ketama the
/// ring is rebuilt from the live servers (libmemcached's auto-eject), so keys of the ejected
/// server spread over the others and every other key stays where it was. With modulo nothing is
/// rebuilt (libmemcached neither): a key whose server is ejected has no server until it returns.
/// Not thread-safe: one owner changes it; lookups are `const`.
class Locator {
 public:
  /// \brief Places keys over `servers`, all live.
  /// \throws std::invalid_argument if `servers` is empty.
  explicit Locator(std::vector<ServerAddress> servers,
                   Distribution distribution = Distribution::kKetama);

  /// \brief The index of the server that holds `key`; empty if that server is ejected (modulo)
  /// or every server is (ketama).
  [[nodiscard]] std::optional<std::size_t> locate(std::string_view key) const;

  /// \brief Ejects (`alive == false`) or restores a server; rebuilds the ring if that changes
  /// anything.
  /// \return whether the flag changed.
  /// \throws std::out_of_range for an index past the list.
  bool set_alive(std::size_t index, bool alive);

  /// \brief Whether the server at `index` is live (not ejected).
  [[nodiscard]] bool is_alive(std::size_t index) const { return alive_.at(index); }

  /// \brief How many servers are live.
  [[nodiscard]] std::size_t live_count() const;

  /// \brief Every server, ejected or not, in the constructor's order.
  [[nodiscard]] const std::vector<ServerAddress>& servers() const { return servers_; }

  /// \brief The placement rule in use.
  [[nodiscard]] Distribution distribution() const { return distribution_; }

  /// \brief The current ring (empty with modulo).
  [[nodiscard]] const Continuum& continuum() const { return continuum_; }

 private:
  void rebuild();  // the ring from the live servers (nothing to build for modulo)

  std::vector<ServerAddress> servers_;
  std::vector<bool> alive_;
  Distribution distribution_;
  Continuum continuum_;
};

}  // namespace mc::client
