/// \file
/// \brief The server half of the protocol module: memcached text requests, parsed in place.

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "mc/codec/limits.hpp"
#include "mc/codec/request.hpp"
#include "mc/net/codec.hpp"

namespace mc::codec {

/// \brief Without a newline, a line longer than this closes the connection, unless it is a
/// `get`/`gets` line. memcached's rule, in try_read_command.
inline constexpr std::size_t kMaxLineWithoutNewline = 2048;

/// \brief The most bytes one request can need under `limit`: a storage line with the largest
/// value and its `\r\n`. A `get`/`gets` line may be as long as the largest item (memcached
/// lets it grow without bound), so this also bounds a multi-get. A server's read buffer never
/// needs to be larger.
constexpr std::size_t max_request_size(const ItemSizeLimit& limit) {
  return kMaxLineWithoutNewline + 1 + limit.max_item_size + 2;
}

/// \brief Parses memcached text-protocol requests from the front of a connection's read
/// buffer, without copying: keys and data blocks are views into that buffer.
///
/// Each parse() call answers one of three things: a request and how many bytes it used
/// (DecodeStatus::kMessage), "read more" (kNeedMore, nothing used), or "close the connection
/// without a word" (kError: more than 2048 bytes without a newline on a line that is not a
/// `get`, a `get` line longer than the largest item, or a `... HTTP/1.1` probe). Everything else
/// memcached answers with an error line is a ProtocolError request, so the connection stays in step
/// with its client.
///
/// The parser has a little state: after refusing a storage line whose data it must skip, it
/// hands out SkippedData pieces until the data has gone by; and it decodes base64 meta keys
/// into its own buffer. Views stay valid until the next parse() call.
class RequestParser {
 public:
  /// \brief A parser applying `limit` to storage commands.
  explicit RequestParser(ItemSizeLimit limit = {}) : limit_(limit) {}

  /// \brief Parses the request at the front of `input`.
  mc::net::Decoded<Request> parse(std::string_view input);

  /// \brief The item size rule in force.
  const ItemSizeLimit& limit() const { return limit_; }

 private:
  // A request line split as memcached splits it: at most 23 tokens are looked at; ntokens
  // counts them plus memcached's terminal token, so the WANT_TOKENS rules read the same.
  struct Line {
    std::array<std::string_view, 23> tokens;
    std::size_t count = 0;                           // tokens found, at most 23
    std::size_t ntokens = 0;                         // count + 1, memcached's ntokens
    std::string_view text;                           // the whole line, without its terminator
    std::size_t consumed = 0;                        // bytes up to and including the '\n'
    std::string_view rest(std::size_t first) const;  // text from tokens[first] on
  };

  mc::net::Decoded<Request> parse_line(std::string_view input, Line& line);
  mc::net::Decoded<Request> parse_storage(std::string_view input, const Line& line,
                                          StoreCommand command);
  mc::net::Decoded<Request> parse_retrieval(const Line& line, RetrieveCommand command);
  mc::net::Decoded<Request> parse_meta(std::string_view input, const Line& line);
  mc::net::Decoded<Request> parse_meta_set(std::string_view input, const Line& line,
                                           MetaRequest request);
  mc::net::Decoded<Request> parse_other(const Line& line);
  mc::net::Decoded<Request> start_skipping(const Line& line, std::size_t bytes,
                                           const ProtocolError& error);
  std::string_view preparse_meta_flags(const Line& line, std::size_t first, MetaRequest& request);
  std::span<char> key_scratch();

  ItemSizeLimit limit_;
  std::size_t skip_remaining_ = 0;
  // Where base64 keys are decoded. Sized on first use: a parser lives in every connection,
  // and most connections never send one.
  std::vector<char> key_scratch_;
};

}  // namespace mc::codec
