#include "mc/client/locator.hpp"

#include <algorithm>
#include <stdexcept>

#include "mc/client/hash.hpp"

namespace mc::client {

std::string_view to_string(Distribution distribution) {
  switch (distribution) {
    case Distribution::kKetama:
      return "ketama";
    case Distribution::kModulo:
      return "modulo";
    case Distribution::kKetamaUnweighted:
      return "ketama-unweighted";
  }
  return "unknown";
}

Locator::Locator(std::vector<ServerAddress> servers, Distribution distribution)
    : servers_(std::move(servers)), alive_(servers_.size(), true), distribution_(distribution) {
  if (servers_.empty()) throw std::invalid_argument("Locator needs at least one server");
  rebuild();
}

void Locator::rebuild() {
  if (distribution_ == Distribution::kKetama) {
    continuum_ = Continuum::build(servers_, alive_);
  } else if (distribution_ == Distribution::kKetamaUnweighted) {
    continuum_ = Continuum::build_unweighted(servers_, alive_);
  }
}

//! [locate]
std::optional<std::size_t> Locator::locate(std::string_view key) const {
  std::optional<std::size_t> server;
  if (servers_.size() == 1) {
    server = 0;  // libmemcached skips hashing for a single server; so do we
  } else if (distribution_ == Distribution::kKetama) {
    server = continuum_.server_for(md5_hash(key));
  } else if (distribution_ == Distribution::kKetamaUnweighted) {
    server = continuum_.server_for(one_at_a_time_hash(key));
  } else {
    // The full list's size even while servers are ejected: modulo never redistributes.
    server = one_at_a_time_hash(key) % servers_.size();
  }
  if (server && !alive_[*server]) return std::nullopt;
  return server;
}
//! [locate]

bool Locator::set_alive(std::size_t index, bool alive) {
  if (alive_.at(index) == alive) return false;
  alive_[index] = alive;
  rebuild();
  return true;
}

std::size_t Locator::live_count() const {
  return static_cast<std::size_t>(std::ranges::count(alive_, true));
}

}  // namespace mc::client
