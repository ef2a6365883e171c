/// \file
/// \brief The `Codec` concept: how a connection turns bytes into messages and messages into
/// bytes. Stage 02 ships RawCodec; stage 03 adds the line and memcached codecs.

#pragma once

#include <concepts>
#include <cstddef>
#include <string_view>
#include <vector>

#include <asio/buffer.hpp>

namespace mc::net {

/// \brief What one call to a codec's `decode` found at the front of the read buffer.
enum class DecodeStatus {
  kMessage,   ///< a whole message was decoded; `consumed` bytes belong to it
  kNeedMore,  ///< the buffer holds only part of a message: read more and call again
  kError,     ///< the bytes can never become a valid message: the connection is closed
};

/// \brief The result of decoding: a status, the bytes used, and the message itself.
///
/// `message` may hold views (`std::string_view`) into the buffer passed to `decode`: they are
/// valid until the connection reads again, that is, for the duration of the `on_message`
/// callback. A handler that keeps data longer copies it.
template <typename Message>
struct Decoded {
  DecodeStatus status = DecodeStatus::kNeedMore;  ///< what was found
  std::size_t consumed = 0;  ///< bytes to drop from the front of the buffer (kMessage only)
  Message message{};         ///< the decoded message (kMessage only)
  /// kNeedMore only: the bytes the whole message needs, when the codec knows (a data block's
  /// length was announced), so that the reader makes room once; zero when unknown.
  std::size_t needed = 0;
};

/// \brief A codec decodes in place and encodes into gather buffers.
///
/// - `C::Message` is what `decode` produces from the read buffer;
/// - `C::OutMessage` is what `Connection::send` accepts;
/// - `decode(input)` looks at the front of `input` only and never copies bytes it does not keep;
/// - `encode(message, out)` appends buffers that point into `message` (or into static data)
///   and returns how many bytes they add up to. The connection keeps `message` alive until
///   the write that uses those buffers has completed.
///
/// A codec object belongs to one connection, so it may keep parsing state; a server copies a
/// configured prototype for each new connection.
template <typename C>
concept Codec = std::copy_constructible<C> && std::movable<typename C::OutMessage> &&
    requires(C codec, std::string_view input, const typename C::OutMessage& out,
             std::vector<asio::const_buffer>& buffers) {
  typename C::Message;
  { codec.decode(input) } -> std::same_as<Decoded<typename C::Message>>;
  { codec.encode(out, buffers) } -> std::same_as<std::size_t>;
};

}  // namespace mc::net
