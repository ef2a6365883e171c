/// \file
/// \brief What cppmc_bench sends: its options, the keys it picks (uniform, sequential, zipf),
/// and the value each key always has, so that a read can be checked.

#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace asio::ssl {
class context;
}  // namespace asio::ssl

namespace mc::bench {

/// \brief How keys are picked, as memtier_benchmark's `--key-pattern`.
enum class KeyPattern {
  kUniform,     ///< every key equally likely
  kSequential,  ///< each connection walks the key space in order, from its own starting point
  kZipf,        ///< a few hot keys (zipf, exponent 0.99, as YCSB), key 0 hottest
};

/// \brief One server to load.
struct Target {
  std::string host = "127.0.0.1";  ///< address
  std::uint16_t port = 11211;      ///< TCP port
};

/// \brief Everything cppmc_bench can be told; the defaults are the command line's.
struct LoadOptions {
  std::vector<Target> servers{Target{}};  ///< `--servers`: each gets its own connections
  unsigned connections = 50;              ///< `--connections`: per server, over all threads
  unsigned pipeline = 1;                  ///< `--pipeline`: requests in flight per connection
  unsigned set_ratio = 1;                 ///< `--ratio SET:GET`, the SET part
  unsigned get_ratio = 10;                ///< `--ratio SET:GET`, the GET part
  std::size_t data_size = 32;             ///< `--data-size`: bytes per value
  std::uint64_t key_count = 100'000;      ///< `--key-count`: keys are 0..key_count-1
  KeyPattern key_pattern = KeyPattern::kUniform;  ///< `--key-pattern`
  unsigned multiget = 1;                          ///< `--multiget`: keys per get request
  double duration = 10;                           ///< `--duration` in seconds (unless requests)
  std::uint64_t requests = 0;                     ///< `--requests`: total, instead of a duration
  double warmup = 0;                              ///< `--warmup` seconds, not measured
  unsigned threads = 1;                           ///< `--threads`: I/O threads
  bool prefill = false;    ///< `--prefill`: set every key once, on every server, first
  std::uint64_t seed = 1;  ///< `--seed`: connection i draws from seed + i
  bool verify = false;     ///< `--verify`: check every value read back
  std::chrono::milliseconds timeout{2000};  ///< `--timeout`: a reply later than this is lost
  std::string key_prefix = "key:";          ///< `--key-prefix`: keys are prefix + number
  /// `--tls-ca FILE`: every connection speaks TLS, trusting the CAs in FILE; null: plain TCP.
  std::shared_ptr<asio::ssl::context> tls;
};

/// \brief splitmix64: a tiny, fast, well-mixed generator; one per connection, no sharing.
class Random {
 public:
  /// \brief A generator started from `seed`.
  explicit Random(std::uint64_t seed) : state_(seed) {}
  /// \brief The next 64 random bits.
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// \brief A double in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// \brief An integer in [0, bound).
  std::uint64_t below(std::uint64_t bound) {
    // Lemire's multiply-shift: no division, bias below 2^-64 * bound. (__extension__: the
    // 128-bit type is a GNU extension that -Wpedantic would otherwise flag.)
    __extension__ using Wide = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<Wide>(next()) * bound) >> 64);
  }

 private:
  std::uint64_t state_;
};

/// \brief The constants of a zipf distribution over n keys (Gray et al., as YCSB's
/// ZipfianGenerator). Computing them walks every key once, so a run computes them once and
/// every connection shares them.
struct ZipfTable {
  /// \brief The constants for `key_count` keys with exponent `theta` (0 < theta < 1).
  ZipfTable(std::uint64_t key_count, double theta = 0.99);
  std::uint64_t n;  ///< number of keys
  double theta;     ///< the exponent
  double alpha;     ///< 1 / (1 - theta)
  double zetan;     ///< sum of 1 / i^theta for i in 1..n
  double eta;       ///< the correction term of the inversion
  /// \brief A key in [0, n): 0 the hottest.
  std::uint64_t sample(double u) const;
};

/// \brief Picks the next key of one connection.
class KeyChooser {
 public:
  /// \brief Keys in [0, key_count) by `pattern`. `start` is where a sequential walk begins;
  /// `zipf` must be set (and outlive the chooser) for KeyPattern::kZipf.
  KeyChooser(KeyPattern pattern, std::uint64_t key_count, std::uint64_t seed,
             std::uint64_t start = 0, const ZipfTable* zipf = nullptr);
  /// \brief The next key.
  std::uint64_t next();

 private:
  KeyPattern pattern_;
  std::uint64_t key_count_;
  Random random_;
  std::uint64_t cursor_;
  const ZipfTable* zipf_;
};

/// \brief The value every key has: a view of `data_size` bytes into one shared random text,
/// at an offset that depends on the key. Writers never build a value, readers can check one.
///
/// Two keys share a value only when their offsets collide (1 in kOffsets), so a server that
/// answers with another key's value, a truncated value or corrupted bytes is caught.
class ValueSource {
 public:
  /// \brief Distinct offsets (a prime, so neighbouring keys land far apart).
  static constexpr std::size_t kOffsets = 4093;
  /// \brief Values of `data_size` bytes drawn from text made with `seed`.
  ValueSource(std::size_t data_size, std::uint64_t seed);
  /// \brief The value of key number `key`; valid while this object lives.
  std::string_view value_of(std::uint64_t key) const {
    return {text_.data() + (key * 2654435761ULL) % kOffsets, data_size_};
  }
  /// \brief Bytes per value.
  std::size_t data_size() const { return data_size_; }

 private:
  std::size_t data_size_;
  std::string text_;
};

/// \brief Appends `prefix` and the decimal `key` to `out` (the key's wire name).
void append_key(std::string& out, std::string_view prefix, std::uint64_t key);

/// \brief Reads the key number out of a wire name.
/// \return false if `name` is not `prefix` followed by a number below `key_count`
bool parse_key(std::string_view name, std::string_view prefix, std::uint64_t key_count,
               std::uint64_t& key);

/// \brief Parses `--key-pattern` text: `uniform`, `sequential` or `zipf`.
/// \return false on anything else
bool parse_key_pattern(std::string_view text, KeyPattern& pattern);

/// \brief The name of a key pattern, as the command line spells it.
std::string_view to_string(KeyPattern pattern);

/// \brief Parses `--ratio` text such as `1:10`; both parts >= 0, not both 0.
bool parse_ratio(std::string_view text, unsigned& sets, unsigned& gets);

/// \brief Parses `--servers` text: `host:port[,host:port...]`.
bool parse_servers(std::string_view text, std::vector<Target>& servers);

}  // namespace mc::bench
