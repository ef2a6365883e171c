/// \file
/// \brief The two simplest codecs on the 02 `Codec` concept: text lines and fixed-size
/// records. The seed project's LineCodec and FixedLenCodec, parsing in place.

#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <asio/buffer.hpp>

#include "mc/net/codec.hpp"

namespace mc::codec {

/// \brief How lines end.
enum class LineEnding {
  kCrlf,  ///< `\r\n` ends a line (a lone `\n` is part of it); lines are written with `\r\n`
  kLf,    ///< `\n` ends a line and a `\r` before it is dropped; lines are written with `\n`
};

/// \brief Decodes one line at a time; a line longer than the limit is an error (the
/// connection is closed rather than letting one client grow the read buffer without bound).
class LineCodec {
 public:
  using Message = std::string_view;  ///< a line without its terminator, viewed in place
  using OutMessage = std::string;    ///< a line to send, without its terminator

  /// \brief A codec for lines of at most `max_line_length` bytes (terminator excluded).
  explicit LineCodec(std::size_t max_line_length = 8192, LineEnding ending = LineEnding::kCrlf)
      : max_line_length_(max_line_length), ending_(ending) {}

  /// \brief The first line of `input`, kNeedMore if it is incomplete, or kError if it is (or
  /// already must be) longer than the limit.
  mc::net::Decoded<Message> decode(std::string_view input) const;

  /// \brief Appends `line` and the terminator.
  /// \return the number of bytes
  std::size_t encode(const OutMessage& line, std::vector<asio::const_buffer>& out) const;

  /// \brief The longest line accepted.
  std::size_t max_line_length() const { return max_line_length_; }

 private:
  std::size_t max_line_length_;
  LineEnding ending_;
};

/// \brief Decodes records of exactly `size` bytes: the simplest framing there is.
class FixedLenCodec {
 public:
  using Message = std::string_view;  ///< one record, viewed in place
  using OutMessage = std::string;    ///< bytes to send (the peer reads them `size` at a time)

  /// \brief A codec for `size`-byte records (`size` > 0).
  explicit FixedLenCodec(std::size_t size) : size_(size) {}

  /// \brief The first record of `input`, or kNeedMore.
  mc::net::Decoded<Message> decode(std::string_view input) const {
    if (input.size() < size_) return {};
    return {mc::net::DecodeStatus::kMessage, size_, input.substr(0, size_)};
  }

  /// \brief Appends `bytes` as they are.
  std::size_t encode(const OutMessage& bytes, std::vector<asio::const_buffer>& out) const {
    out.push_back(asio::buffer(bytes));
    return bytes.size();
  }

  /// \brief The record size.
  std::size_t size() const { return size_; }

 private:
  std::size_t size_;
};

static_assert(mc::net::Codec<LineCodec>);
static_assert(mc::net::Codec<FixedLenCodec>);

}  // namespace mc::codec
