#include "mc/bench/key_profile.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "mc/server/clock.hpp"

namespace mc::bench {

namespace {

// splitmix64's finaliser: every input bit moves every output bit, so neighbouring keys get
// unrelated sizes. Each question asked of a key uses its own salt, so a key's TTL says
// nothing about its size.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A uniform number in [0, 1) made of `key`, `salt` and the seed.
double unit(std::uint64_t seed, std::uint64_t key, std::uint64_t salt) {
  const std::uint64_t h = mix(mix(seed ^ (salt * 0x9e3779b97f4a7c15ULL)) ^ key);
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

// A different salt for every phase, and for the size within a band.
constexpr std::uint64_t kClassSalt = 0x100;
constexpr std::uint64_t kSizeSalt = 0x200;
constexpr std::uint64_t kTtlSalt = 1;
constexpr std::uint64_t kTtlLengthSalt = 2;

}  // namespace

const SizeMix& mix_of(unsigned phase) { return kPhaseMixes[phase % kPhaseMixes.size()]; }

unsigned phase_at(double done, double total, unsigned phases) {
  if (phases <= 1 || total <= 0 || done <= 0) return 0;
  const double phase = std::floor(done / total * phases);
  return static_cast<unsigned>(std::min(phase, static_cast<double>(phases - 1)));
}

std::size_t KeyProfile::size_class(std::uint64_t key, unsigned phase) const {
  const auto& share = mix_of(phase).share;
  double u = unit(seed_, key, kClassSalt + phase);
  for (std::size_t band = 0; band + 1 < share.size(); ++band) {
    if (u < share[band]) return band;
    u -= share[band];
  }
  return share.size() - 1;
}

std::size_t KeyProfile::value_size(std::uint64_t key, unsigned phase) const {
  const SizeClass& band = kSizeClasses[size_class(key, phase)];
  const double low = static_cast<double>(band.min_bytes);
  const double high = static_cast<double>(band.max_bytes);
  const double u = unit(seed_, key, kSizeSalt + phase);
  const auto size = static_cast<std::size_t>(low * std::pow(high / low, u));
  return std::clamp(size, band.min_bytes, band.max_bytes - 1);
}

KeyProfile::KeyProfile(std::uint64_t seed, TtlRule ttl) : seed_(seed), ttl_(ttl) {
  // Written so that a NaN share fails too.
  if (!(ttl.share >= 0 && ttl.share <= 1)) throw std::invalid_argument("TTL share not in 0..1");
  // Longer than 30 days, memcached would read the TTL as a Unix time, long past.
  if (ttl.min_seconds < 1 || ttl.max_seconds < ttl.min_seconds ||
      ttl.max_seconds > server::kMaxRelativeExptime) {
    throw std::invalid_argument("TTLs must be 1 s to 30 days, the shortest first");
  }
}

std::int32_t KeyProfile::ttl_seconds(std::uint64_t key) const {
  // Two draws with their own salts: the keys that expire are the same whatever the range, and
  // a larger share adds keys to those of a smaller one.
  if (unit(seed_, key, kTtlSalt) >= ttl_.share) return 0;
  const double u = unit(seed_, key, kTtlLengthSalt);
  return ttl_.min_seconds +
         static_cast<std::int32_t>(u * (ttl_.max_seconds - ttl_.min_seconds + 1));
}

}  // namespace mc::bench
