/// \file
/// \brief The client half of the protocol module: memcached replies, parsed in place.

#pragma once

#include <cstddef>
#include <string_view>

#include "mc/codec/response.hpp"
#include "mc/net/codec.hpp"

namespace mc::codec {

/// \brief Parses one reply line (with its data block, for VALUE and VA) from the front of a
/// client connection's read buffer. Views point into that buffer.
///
/// A reply that memcached could not have sent (a line without `\r\n`, an unknown word, a
/// VALUE whose data block does not end in `\r\n`) is DecodeStatus::kError: the client has lost
/// track of the stream and must reconnect. Lines longer than kMaxResponseLine are refused too.
class ResponseParser {
 public:
  /// \brief The longest reply line accepted (memcached's longest are meta headers and stats).
  static constexpr std::size_t kMaxResponseLine = 64 * 1024;

  /// \brief Parses the reply at the front of `input`.
  mc::net::Decoded<Response> parse(std::string_view input) const;
};

}  // namespace mc::codec
