// The request lines that carry no data block: delete, incr/decr, touch and the admin commands.
// Each follows memcached's process_*_command, including the order of its checks.

#include "mc/codec/reply.hpp"
#include "mc/codec/request_parser.hpp"
#include "numbers.hpp"

namespace mc::codec {

using mc::net::Decoded;
using mc::net::DecodeStatus;

Decoded<Request> RequestParser::parse_other(const Line& line) {
  const auto& t = line.tokens;
  const std::size_t ntokens = line.ntokens;
  const std::string_view command = t[0];
  const bool noreply = t[line.count - 1] == "noreply";
  const auto done = [&](Request request) {
    return Decoded<Request>{DecodeStatus::kMessage, line.consumed, std::move(request)};
  };
  const auto refuse = [&](std::string_view reply, bool quiet = false) {
    return done(ProtocolError{reply, quiet});
  };
  const auto count_is = [&](std::size_t a, std::size_t b) { return ntokens == a || ntokens == b; };

  if (command == "delete") {
    if (ntokens < 3 || ntokens > 5) return refuse(reply::kError);
    if (ntokens > 3) {
      // The legacy form `delete <key> 0` is still accepted; any other extra token is not.
      const bool hold_is_zero = t[2] == "0";
      const bool valid =
          (ntokens == 4 && (hold_is_zero || noreply)) || (ntokens == 5 && hold_is_zero && noreply);
      if (!valid) return refuse(reply::kDeleteUsage, noreply);
    }
    if (t[1].size() > kMaxKeyLength) return refuse(reply::kBadFormat, noreply && ntokens > 3);
    return done(DeleteRequest{t[1], noreply && ntokens > 3});
  }
  if (command == "incr" || command == "decr") {
    if (!count_is(4, 5)) return refuse(reply::kError);
    if (t[1].size() > kMaxKeyLength) return refuse(reply::kBadFormat, noreply);
    const auto delta = detail::parse_u64(t[2]);
    if (!delta) return refuse(reply::kInvalidDelta, noreply);
    return done(ArithmeticRequest{command == "incr", t[1], *delta, noreply});
  }
  if (command == "touch") {
    if (!count_is(4, 5)) return refuse(reply::kError);
    if (t[1].size() > kMaxKeyLength) return refuse(reply::kBadFormat, noreply);
    const auto exptime = detail::parse_i32(t[2]);
    if (!exptime) return refuse(reply::kInvalidExptime, noreply);
    return done(TouchRequest{t[1], *exptime, noreply});
  }
  if (command == "flush_all") {
    if (ntokens < 2 || ntokens > 4) return refuse(reply::kError);
    FlushAllRequest request{0, noreply};
    if (ntokens != (noreply ? 3u : 2u)) {
      const auto delay = detail::parse_i32(t[1]);
      if (!delay) return refuse(reply::kInvalidExptime, noreply);
      request.delay = *delay;
    }
    return done(request);
  }
  if (command == "version") return done(VersionRequest{});
  if (command == "quit") return done(QuitRequest{});
  if (command == "verbosity") {
    if (!count_is(3, 4)) return refuse(reply::kError);
    const auto level = detail::parse_u32(t[1]);
    if (!level) return refuse(reply::kBadFormat, noreply);
    return done(VerbosityRequest{*level, noreply});
  }
  if (command == "cache_memlimit") {
    if (!count_is(3, 4)) return refuse(reply::kError);
    const auto megabytes = detail::parse_u32(t[1]);
    if (!megabytes) return refuse(reply::kError, noreply);
    return done(CacheMemlimitRequest{*megabytes, noreply});
  }
  if (command == "stats") {
    if (ntokens == 2) return done(StatsRequest{});
    if (t[1] != "cachedump") return done(StatsRequest{t[1]});
    if (ntokens < 5) return refuse(reply::kBadCommandLine);
    const auto slab_class = detail::parse_u32(t[2]);
    const auto limit = detail::parse_u32(t[3]);
    if (!slab_class || !limit) return refuse(reply::kBadFormat);
    constexpr std::uint32_t kSlabClasses = 64;  // memcached's MAX_NUMBER_OF_SLAB_CLASSES
    if (*slab_class >= kSlabClasses) return refuse(reply::kIllegalSlabId);
    return done(StatsCachedumpRequest{*slab_class, *limit});
  }
  if (command == "shutdown") {
    ShutdownMode mode = ShutdownMode::kInvalid;
    if (ntokens == 2) mode = ShutdownMode::kImmediate;
    if (ntokens == 3 && t[1] == "graceful") mode = ShutdownMode::kGraceful;
    return done(ShutdownRequest{mode});
  }
  if (command == "lru_crawler") {
    // Only metadump (memcached-tool's key dump) is supported; crawl, tocrawl, sleep,
    // enable and disable are answered ERROR.
    if (ntokens == 4 && t[1] == "metadump") return done(LruCrawlerMetadumpRequest{t[2]});
    return refuse(reply::kError);
  }
  // Known to memcached but not supported here: answered like an unknown command.
  if (command == "slabs" || command == "watch" || command == "lru") return refuse(reply::kError);

  const char first = command[0];
  const bool has_own_family = first == 's' || first == 'c' || first == 'i' || first == 'd' ||
                              first == 't' || first == 'a' || first == 'g';
  // An HTTP request line ("GET / HTTP/1.1") gets no answer: memcached just hangs up.
  if (!has_own_family && t[line.count - 1].starts_with("HTTP/")) return {DecodeStatus::kError};
  return refuse(reply::kError);
}

}  // namespace mc::codec
