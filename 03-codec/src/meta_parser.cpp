// The meta commands (mg ms md ma mn me) as memcached 1.6.18 parses them: one flag pre-parser
// shared by all four, then each command's own checks, in memcached's order.

#include <bitset>
#include <climits>

#include "mc/codec/base64.hpp"
#include "mc/codec/reply.hpp"
#include "mc/codec/request_parser.hpp"
#include "numbers.hpp"

namespace mc::codec {

using mc::net::Decoded;
using mc::net::DecodeStatus;

namespace {

constexpr std::size_t kMaxMetaTokens = 20;   // memcached's MFLAG_MAX_OPT_LENGTH (ntokens)
constexpr std::size_t kMaxOpaqueToken = 32;  // MFLAG_MAX_OPAQUE_LENGTH, 'O' included

bool opaque_too_long(const MetaRequest& request) {
  return request.flags.has('O') && request.flags.opaque.size() + 1 > kMaxOpaqueToken;
}

}  // namespace

std::span<char> RequestParser::key_scratch() {
  key_scratch_.resize(kMaxKeyLength);
  return key_scratch_;
}

//! [meta-flags]
// Returns the error reply for the flags, or an empty view. Like memcached's
// _meta_flag_preparse, a duplicate or unknown flag stops at once; a bad value is remembered
// and the scan goes on, so the last bad value names the error.
std::string_view RequestParser::preparse_meta_flags(const Line& line, std::size_t first,
                                                    MetaRequest& request) {
  MetaFlags& flags = request.flags;
  std::bitset<128> seen;
  bool has_error = false;
  std::string_view error = reply::kBadFormat;  // what a bad F value reports
  const auto bad = [&](std::string_view reply) {
    has_error = true;
    error = reply;
  };
  for (std::size_t i = first; i < line.count; ++i) {
    const std::string_view token = line.tokens[i];
    const std::string_view value = token.substr(1);
    const auto letter = static_cast<unsigned char>(token[0]);
    if (letter >= 127 || seen[letter]) return reply::kDuplicateFlag;
    seen[letter] = true;
    switch (letter) {
      case 'b': {
        const std::size_t size = base64_decode(request.key_token, key_scratch());
        if (size == 0) bad(reply::kKeyDecodeError);
        request.key = std::string_view(key_scratch_.data(), size);
        break;
      }
      case 'N':
      case 'T':
      case 'R': {
        const auto ttl = detail::parse_i32(value);
        if (!ttl) {
          bad(reply::kBadToken);
          break;
        }
        (letter == 'N' ? flags.vivify_ttl : letter == 'T' ? flags.ttl : flags.recache_ttl) = *ttl;
        break;
      }
      case 'O':
        flags.opaque = value;
        break;
      case 'l':
      case 'P':
      case 'L':
      case 'k':
      case 's':
      case 't':
      case 'c':
      case 'f':
      case 'v':
      case 'h':
      case 'u':
      case 'q':
      case 'I':
        break;
      case 'F':
        if (const auto client_flags = detail::parse_u32(value)) {
          flags.client_flags = *client_flags;
        } else {
          has_error = true;  // memcached sets no message of its own here
        }
        break;
      case 'C':
        if (const auto cas = detail::parse_u64(value))
          flags.compare_cas = *cas;
        else
          bad(reply::kBadToken);
        break;
      case 'M':
        if (token.size() != 2)
          bad(reply::kModeTokenLength);
        else
          flags.mode = token[1];
        break;
      case 'J':
        if (const auto initial = detail::parse_u64(value))
          flags.initial = *initial;
        else
          bad(reply::kBadInitial);
        break;
      case 'D':
        if (const auto delta = detail::parse_u64(value))
          flags.delta = *delta;
        else
          bad(reply::kBadDelta);
        break;
      default:
        return reply::kInvalidFlag;
    }
    flags.present |= MetaFlags::bit(static_cast<char>(letter));
  }
  return has_error ? error : std::string_view{};
}
//! [meta-flags]

Decoded<Request> RequestParser::parse_meta(std::string_view input, const Line& line) {
  const auto done = [&](Request request) {
    return Decoded<Request>{DecodeStatus::kMessage, line.consumed, std::move(request)};
  };
  // Meta errors are always sent: the q flag silences only the nominal replies.
  const auto refuse = [&](std::string_view reply) { return done(ProtocolError{reply, false}); };
  const auto& t = line.tokens;
  const std::size_t ntokens = line.ntokens;
  const char which = t[0][1];

  if (which == 'n') return done(MetaNoopRequest{});
  if (which == 'e') {
    if (ntokens < 3 || t[1].size() > kMaxKeyLength) return refuse(reply::kBadFormat);
    MetaDebugRequest request{t[1], t[1], false};
    if (ntokens >= 4 && t[2] == "b") {
      const std::size_t size = base64_decode(t[1], key_scratch());
      if (size == 0) return refuse(reply::kBadFormat);
      request.key = std::string_view(key_scratch_.data(), size);
      request.base64 = true;
    }
    return done(request);
  }
  MetaRequest request;
  switch (which) {
    case 'g':
      request.command = MetaCommand::kGet;
      break;
    case 's':
      request.command = MetaCommand::kSet;
      break;
    case 'd':
      request.command = MetaCommand::kDelete;
      break;
    case 'a':
      request.command = MetaCommand::kArithmetic;
      break;
    default:
      return refuse(reply::kError);
  }
  if (ntokens < 3) return refuse(reply::kError);
  if (t[1].size() > kMaxKeyLength) return refuse(reply::kBadFormat);
  request.key = request.key_token = t[1];
  if (request.command == MetaCommand::kSet) return parse_meta_set(input, line, request);

  if (ntokens > kMaxMetaTokens) {
    return refuse(request.command == MetaCommand::kGet ? reply::kMgFlagsTooLong
                                                       : reply::kFlagsTooLong);
  }
  request.flag_list = line.rest(2);
  const std::string_view error = preparse_meta_flags(line, 2, request);
  if (!error.empty()) {
    // md and ma report every flag problem the same way.
    return refuse(request.command == MetaCommand::kGet ? error : reply::kInvalidOrDuplicateFlag);
  }
  if (request.command == MetaCommand::kArithmetic) {
    const char mode = request.flags.mode;
    if (mode != 0 && mode != 'I' && mode != '+' && mode != 'D' && mode != '-') {
      return refuse(reply::kMaInvalidMode);
    }
  }
  if (opaque_too_long(request)) return refuse(reply::kOpaqueTooLong);
  return done(request);
}

//! [meta-set]
Decoded<Request> RequestParser::parse_meta_set(std::string_view input, const Line& line,
                                               MetaRequest request) {
  const auto refuse = [&](std::string_view reply) {
    return Decoded<Request>{DecodeStatus::kMessage, line.consumed, ProtocolError{reply, false}};
  };
  // Until the data length is known, an error leaves the data to be read as a command...
  if (line.ntokens == 3) return refuse(reply::kBadFormat);
  if (line.ntokens > kMaxMetaTokens) return refuse(reply::kFlagsTooLong);
  const auto length = detail::parse_i32(line.tokens[2]);
  if (!length || *length < 0 || *length > INT_MAX - 2) return refuse(reply::kBadFormat);
  const std::size_t data_bytes = static_cast<std::size_t>(*length) + 2;

  // ...after it, every error skips the data block.
  const auto skip = [&](std::string_view reply) {
    return start_skipping(line, data_bytes, ProtocolError{reply, false});
  };
  request.flag_list = line.rest(3);
  if (const std::string_view error = preparse_meta_flags(line, 3, request); !error.empty()) {
    return skip(error);
  }
  const char mode = request.flags.mode;
  if (mode != 0 && mode != 'E' && mode != 'A' && mode != 'P' && mode != 'R' && mode != 'S') {
    return skip(reply::kMsInvalidMode);
  }
  if (opaque_too_long(request)) return skip(reply::kOpaqueTooLong);
  if (!limit_.fits(request.key.size(), request.flags.client_flags, data_bytes - 2)) {
    // As for set, memcached deletes the old value (whatever the mode).
    return start_skipping(line, data_bytes,
                          {reply::kTooLarge, false, ErrorCause::kTooLarge, request.key});
  }
  const std::size_t total = line.consumed + data_bytes;
  if (input.size() < total) return Decoded<Request>{DecodeStatus::kNeedMore, 0, {}, total};
  if (input.substr(total - 2, 2) != reply::kCrlf) {
    return Decoded<Request>{DecodeStatus::kMessage, total, ProtocolError{reply::kBadDataChunk}};
  }
  request.data = input.substr(line.consumed, data_bytes - 2);
  return {DecodeStatus::kMessage, total, request};
}
//! [meta-set]

}  // namespace mc::codec
