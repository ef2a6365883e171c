// libFuzzer target: the response parser never crashes, always makes progress, and every reply
// it parses survives compose -> parse unchanged.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mc/codec/compose.hpp"
#include "mc/codec/describe.hpp"
#include "mc/codec/response_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const mc::codec::ResponseParser parser;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty()) {
    const auto result = parser.parse(input);
    if (result.status != mc::net::DecodeStatus::kMessage) break;
    std::string wire;
    mc::codec::compose_response(result.message, wire);
    const auto reparsed = parser.parse(wire);
    if (result.consumed == 0 || result.consumed > input.size() ||
        reparsed.status != mc::net::DecodeStatus::kMessage || reparsed.consumed != wire.size() ||
        !(reparsed.message == result.message)) {
      std::fprintf(stderr, "round trip changed %s\n",
                   mc::codec::to_json(result.message, true).c_str());
      std::abort();
    }
    input.remove_prefix(result.consumed);
  }
  return 0;
}
