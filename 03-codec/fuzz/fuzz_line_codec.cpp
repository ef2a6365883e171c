// libFuzzer target: LineCodec never crashes, never returns a line over its limit, and a line
// it decoded decodes the same after encoding (with LF endings, unless the line itself ends
// in '\r', which the LF codec drops by design).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mc/codec/line_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // The first byte picks the line ending and a small limit, so long lines are easy to reach.
  const auto ending =
      (data[0] & 1) != 0 ? mc::codec::LineEnding::kLf : mc::codec::LineEnding::kCrlf;
  const mc::codec::LineCodec codec(data[0] >> 1, ending);
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  while (!input.empty()) {
    const auto result = codec.decode(input);
    if (result.status != mc::net::DecodeStatus::kMessage) break;
    const std::string_view line = result.message;
    if (result.consumed == 0 || result.consumed > input.size() ||
        line.size() > codec.max_line_length()) {
      std::abort();
    }
    if (ending == mc::codec::LineEnding::kCrlf || !line.ends_with('\r')) {
      std::vector<asio::const_buffer> buffers;
      const std::string copy(line);
      codec.encode(copy, buffers);
      std::string wire;
      for (const auto& b : buffers) wire.append(static_cast<const char*>(b.data()), b.size());
      const auto again = codec.decode(wire);
      if (again.status != mc::net::DecodeStatus::kMessage || again.message != line ||
          again.consumed != wire.size()) {
        std::abort();
      }
    }
    input.remove_prefix(result.consumed);
  }
  return 0;
}
