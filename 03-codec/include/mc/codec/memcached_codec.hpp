/// \file
/// \brief The memcached protocol on the 02 `Codec` concept: one codec for each side.

#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include <asio/buffer.hpp>

#include "mc/codec/compose.hpp"
#include "mc/codec/reply.hpp"
#include "mc/codec/request_parser.hpp"
#include "mc/codec/response_parser.hpp"
#include "mc/codec/server_reply.hpp"
#include "mc/net/codec.hpp"

namespace mc::codec {

/// \brief A server's codec: decodes requests, encodes ServerReply objects without copying
/// the values they point to.
/// \tparam Owner what keeps a reply's value alive (see ServerReply)
template <typename Owner = std::shared_ptr<const void>>
class MemcachedServerCodec {
 public:
  using Message = Request;                ///< a parsed request (views into the read buffer)
  using OutMessage = ServerReply<Owner>;  ///< one reply line, maybe with a value

  /// \brief A codec applying `limit` to storage commands.
  explicit MemcachedServerCodec(ItemSizeLimit limit = {}) : parser_(limit) {}

  /// \brief The next request, kNeedMore, or kError (close silently).
  mc::net::Decoded<Request> decode(std::string_view input) { return parser_.parse(input); }

  /// \brief Appends the reply's gather buffers.
  /// \return the number of bytes they add up to
  std::size_t encode(const OutMessage& reply, std::vector<asio::const_buffer>& out) const {
    return reply.bytes.append_buffers(out);
  }

 private:
  RequestParser parser_;
};

/// \brief A client's codec: decodes replies, encodes requests composed by make_out_request().
class MemcachedClientCodec {
 public:
  using Message = Response;       ///< one reply line (with its data block)
  using OutMessage = OutRequest;  ///< a composed request

  /// \brief The next reply piece, kNeedMore, or kError (the stream is out of step).
  mc::net::Decoded<Response> decode(std::string_view input) const { return parser_.parse(input); }

  /// \brief Appends the request line and, if any, its data block and `\r\n`.
  /// \return the number of bytes they add up to
  std::size_t encode(const OutMessage& request, std::vector<asio::const_buffer>& out) const {
    out.push_back(asio::buffer(request.line));
    if (!request.has_data) return request.line.size();
    out.push_back(asio::buffer(request.data));
    out.push_back(asio::buffer(reply::kCrlf));
    return request.line.size() + request.data.size() + reply::kCrlf.size();
  }

 private:
  ResponseParser parser_;
};

static_assert(mc::net::Codec<MemcachedServerCodec<>>);
static_assert(mc::net::Codec<MemcachedClientCodec>);

}  // namespace mc::codec
