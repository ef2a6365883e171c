// mc_decode: shows what memcached protocol bytes mean. Reads requests (or, with --responses,
// replies) from stdin and prints one JSON object per message. Malformed input is reported
// with the exact error line memcached would send, and decoding goes on; the exit status is 1
// if anything was malformed.

#include <fmt/format.h>

#include <iostream>
#include <iterator>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "mc/codec/describe.hpp"
#include "mc/codec/request_parser.hpp"
#include "mc/codec/response_parser.hpp"

namespace {

using mc::net::DecodeStatus;

// Returns true if all of `input` decoded cleanly.
bool decode_requests(std::string_view input, bool with_data) {
  mc::codec::RequestParser parser;
  bool clean = true;
  while (!input.empty()) {
    const auto result = parser.parse(input);
    if (result.status == DecodeStatus::kNeedMore) {
      fmt::print("{{\"incomplete\":{}}}\n", input.size());
      return false;
    }
    if (result.status == DecodeStatus::kError) {
      // memcached closes the connection without a word and reads nothing more.
      fmt::print("{{\"close\":\"memcached closes the connection here\",\"unread\":{}}}\n",
                 input.size());
      return false;
    }
    if (std::holds_alternative<mc::codec::ProtocolError>(result.message)) clean = false;
    fmt::print("{}\n", to_json(result.message, with_data));
    input.remove_prefix(result.consumed);
  }
  return clean;
}

bool decode_responses(std::string_view input, bool with_data) {
  const mc::codec::ResponseParser parser;
  bool clean = true;
  while (!input.empty()) {
    const auto result = parser.parse(input);
    if (result.status == DecodeStatus::kNeedMore) {
      fmt::print("{{\"incomplete\":{}}}\n", input.size());
      return false;
    }
    if (result.status == DecodeStatus::kError) {
      // Not a reply memcached could send: report the line and carry on after it.
      const std::size_t end = std::min(input.find('\n'), input.size() - 1);
      std::string line;
      mc::codec::append_json_string(input.substr(0, end + 1), line);
      fmt::print("{{\"malformed\":{}}}\n", line);
      clean = false;
      input.remove_prefix(end + 1);
      continue;
    }
    fmt::print("{}\n", to_json(result.message, with_data));
    input.remove_prefix(result.consumed);
  }
  return clean;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Decode memcached text-protocol bytes from stdin into one JSON object per message"};
  bool responses = false;
  bool with_data = false;
  app.add_flag("-r,--responses", responses, "decode server replies instead of requests");
  app.add_flag("-d,--data", with_data, "also print data blocks");
  CLI11_PARSE(app, argc, argv);

  const std::string input{std::istreambuf_iterator<char>(std::cin),
                          std::istreambuf_iterator<char>()};
  const bool clean =
      responses ? decode_responses(input, with_data) : decode_requests(input, with_data);
  return clean ? 0 : 1;
}
