// Test helpers: feed bytes to a parser the way a connection would, in pieces of every size.

#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mc/codec/describe.hpp"
#include "mc/codec/request_parser.hpp"

namespace mc::codec::testing {

/// What a connection would see: each message as JSON (data included), and "<close>" if the
/// parser asked for the connection to be closed. Consecutive SkippedData pieces, whose sizes
/// depend on how the bytes arrived, are merged into one.
template <typename Parser, typename Describe>
std::vector<std::string> decode_in_fragments(Parser& parser, std::string_view wire,
                                             std::size_t step, Describe describe) {
  std::vector<std::string> out;
  std::string buffer;  // the connection's read buffer
  std::size_t skipped = 0;
  const auto flush_skipped = [&] {
    if (skipped > 0) out.push_back(fmt::format("{{\"skipped\":{}}}", skipped));
    skipped = 0;
  };
  for (std::size_t offset = 0; offset < wire.size(); offset += step) {
    buffer.append(wire.substr(offset, step));
    while (true) {
      auto result = parser.parse(buffer);
      if (result.status == mc::net::DecodeStatus::kNeedMore) break;
      if (result.status == mc::net::DecodeStatus::kError) {
        flush_skipped();
        out.push_back("<close>");
        return out;
      }
      const SkippedData* skip = nullptr;
      if constexpr (std::is_same_v<decltype(result.message), Request>) {
        skip = std::get_if<SkippedData>(&result.message);
      }
      if (skip != nullptr) {
        skipped += skip->bytes;
      } else {
        flush_skipped();
        out.push_back(describe(result.message));
      }
      EXPECT_GT(result.consumed, 0u);
      buffer.erase(0, result.consumed);
    }
  }
  flush_skipped();
  return out;
}

/// Requests parsed from `wire` delivered `step` bytes at a time.
inline std::vector<std::string> decode_requests(std::string_view wire, std::size_t step,
                                                ItemSizeLimit limit = {}) {
  RequestParser parser(limit);
  return decode_in_fragments(parser, wire, step,
                             [](const Request& r) { return to_json(r, /*with_data=*/true); });
}

/// Checks that `wire` parses to `expected` at every fragment size from 1 to its length.
inline void expect_requests(std::string_view wire, const std::vector<std::string>& expected,
                            ItemSizeLimit limit = {}) {
  for (std::size_t step = 1; step <= wire.size(); ++step) {
    SCOPED_TRACE(fmt::format("fragment size {}", step));
    ASSERT_EQ(decode_requests(wire, step, limit), expected);
  }
}

}  // namespace mc::codec::testing
