#include "mc/codec/line_codec.hpp"

namespace mc::codec {

using mc::net::Decoded;
using mc::net::DecodeStatus;

//! [line-decode]
Decoded<std::string_view> LineCodec::decode(std::string_view input) const {
  const std::string_view terminator = ending_ == LineEnding::kCrlf ? "\r\n" : "\n";
  // Search no further than a maximal line could reach: a longer one is an error anyway.
  const std::string_view window = input.substr(0, max_line_length_ + 2);
  const std::size_t end = window.find(terminator);
  if (end == std::string_view::npos) {
    // A longest line may be followed by a '\r' whose '\n' has not arrived yet.
    return {input.size() > max_line_length_ + 1 ? DecodeStatus::kError : DecodeStatus::kNeedMore};
  }
  std::string_view line = input.substr(0, end);
  if (ending_ == LineEnding::kLf && line.ends_with('\r')) line.remove_suffix(1);
  if (line.size() > max_line_length_) return {DecodeStatus::kError};
  return {DecodeStatus::kMessage, end + terminator.size(), line};
}
//! [line-decode]

std::size_t LineCodec::encode(const OutMessage& line, std::vector<asio::const_buffer>& out) const {
  const std::string_view terminator = ending_ == LineEnding::kCrlf ? "\r\n" : "\n";
  out.push_back(asio::buffer(line));
  out.push_back(asio::buffer(terminator));  // a string literal: static storage
  return line.size() + terminator.size();
}

}  // namespace mc::codec
