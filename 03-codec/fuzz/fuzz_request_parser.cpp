// libFuzzer target: the request parser never crashes, always makes progress, and every
// command it parses survives compose -> parse unchanged.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "mc/codec/compose.hpp"
#include "mc/codec/describe.hpp"
#include "mc/codec/request_parser.hpp"

namespace {

[[noreturn]] void fail(const char* what, const mc::codec::Request& request) {
  std::fprintf(stderr, "%s: %s\n", what, mc::codec::to_json(request, true).c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A small item limit lets the fuzzer reach the too-large path with short inputs.
  const mc::codec::ItemSizeLimit limit{size % 2 == 0 ? 1024 * 1024 : std::size_t{96}, true};
  mc::codec::RequestParser parser(limit);
  std::string_view input(reinterpret_cast<const char*>(data), size);
  while (!input.empty()) {
    const auto result = parser.parse(input);
    if (result.status != mc::net::DecodeStatus::kMessage) break;
    if (result.consumed == 0 || result.consumed > input.size())
      fail("bad consumed", result.message);

    //! [fuzz-round-trip]
    std::string wire;
    if (mc::codec::compose_request(result.message, wire)) {
      mc::codec::RequestParser again(limit);
      const auto reparsed = again.parse(wire);
      if (reparsed.status != mc::net::DecodeStatus::kMessage || reparsed.consumed != wire.size() ||
          !(reparsed.message == result.message)) {
        fail("round trip changed the request", result.message);
      }
    }
    //! [fuzz-round-trip]
    input.remove_prefix(result.consumed);
  }
  return 0;
}
