/// \file
/// \brief RawCodec: bytes in, bytes out. Whatever one read returned is one message.

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <asio/buffer.hpp>

#include "mc/net/codec.hpp"

namespace mc::net {

// [raw-codec]
/// \brief The simplest codec: a message is whatever bytes have arrived, and an outgoing
/// message is a string written as it is. Echo servers and byte-stream tests use it.
struct RawCodec {
  using Message = std::string_view;  ///< the bytes of one read (valid during on_message)
  using OutMessage = std::string;    ///< bytes to write

  /// \brief Everything available is one message; nothing available means "need more".
  Decoded<Message> decode(std::string_view input) const {
    if (input.empty()) return {};
    return {DecodeStatus::kMessage, input.size(), input};
  }

  /// \brief One buffer pointing at the string, which the connection keeps alive meanwhile.
  std::size_t encode(const OutMessage& message, std::vector<asio::const_buffer>& out) const {
    out.push_back(asio::buffer(message));
    return message.size();
  }
};
// [raw-codec]

static_assert(Codec<RawCodec>);

}  // namespace mc::net
