#include "mc/codec/response_parser.hpp"

#include <array>
#include <climits>
#include <utility>

#include "mc/codec/reply.hpp"
#include "numbers.hpp"

namespace mc::codec {

using mc::net::Decoded;
using mc::net::DecodeStatus;

namespace {

constexpr Decoded<Response> kMalformed{DecodeStatus::kError};

// Splits off the first space-separated word of `text`; `text` keeps the rest.
std::string_view next_word(std::string_view& text) {
  const std::size_t end = std::min(text.find(' '), text.size());
  const std::string_view word = text.substr(0, end);
  text.remove_prefix(std::min(end + 1, text.size()));
  return word;
}

constexpr std::array<std::pair<std::string_view, Status>, 8> kStatusWords{{
    {"STORED", Status::kStored},
    {"NOT_STORED", Status::kNotStored},
    {"EXISTS", Status::kExists},
    {"NOT_FOUND", Status::kNotFound},
    {"DELETED", Status::kDeleted},
    {"TOUCHED", Status::kTouched},
    {"OK", Status::kOk},
    {"RESET", Status::kReset},
}};

constexpr std::array<std::pair<std::string_view, MetaStatus>, 6> kMetaCodes{{
    {"HD", MetaStatus::kHd},
    {"EN", MetaStatus::kEn},
    {"NS", MetaStatus::kNs},
    {"EX", MetaStatus::kEx},
    {"NF", MetaStatus::kNf},
    {"MN", MetaStatus::kMn},
}};

bool is_error_line(std::string_view line) {
  return line == "ERROR" || line.starts_with("ERROR ") || line.starts_with("ERROR:") ||
         line.starts_with("CLIENT_ERROR ") || line.starts_with("SERVER_ERROR ") ||
         line.starts_with("MEMLIMIT_");
}

// Frames `<line>\r\n<size bytes>\r\n`; the data block must be complete and end in \r\n.
Decoded<Response> with_data(std::string_view input, std::size_t line_end, std::size_t size,
                            auto make) {
  const std::size_t total = line_end + size + 2;
  if (input.size() < total) return {DecodeStatus::kNeedMore, 0, {}, total};
  if (input.substr(line_end + size, 2) != reply::kCrlf) return kMalformed;
  return {DecodeStatus::kMessage, total, make(input.substr(line_end, size))};
}

}  // namespace

Decoded<Response> ResponseParser::parse(std::string_view input) const {
  const std::size_t newline = input.find('\n');
  if (newline == std::string_view::npos) {
    return input.size() > kMaxResponseLine ? kMalformed : Decoded<Response>{};
  }
  if (newline == 0 || input[newline - 1] != '\r' || newline > kMaxResponseLine) return kMalformed;
  const std::string_view line = input.substr(0, newline - 1);
  const std::size_t consumed = newline + 1;
  const auto done = [&](Response response) {
    return Decoded<Response>{DecodeStatus::kMessage, consumed, std::move(response)};
  };

  if (line == "END") return done(EndResponse{});
  std::string_view rest = line;
  const std::string_view word = next_word(rest);
  if (word == "VALUE") {
    ValueResponse value;
    value.key = next_word(rest);
    const auto flags = detail::parse_digits(next_word(rest));
    const auto size = detail::parse_digits(next_word(rest));
    if (value.key.empty() || value.key.size() > 250 || !flags || *flags > UINT32_MAX || !size ||
        *size > INT_MAX) {
      return kMalformed;
    }
    value.flags = static_cast<std::uint32_t>(*flags);
    if (!rest.empty()) {
      const auto cas = detail::parse_digits(rest);
      if (!cas) return kMalformed;
      value.has_cas = true;
      value.cas = *cas;
    }
    return with_data(input, consumed, *size, [&](std::string_view data) {
      value.data = data;
      return Response{value};
    });
  }
  if (word == "VA") {
    const auto size = detail::parse_digits(next_word(rest));
    if (!size || *size > INT_MAX) return kMalformed;
    return with_data(input, consumed, *size, [&](std::string_view data) {
      return Response{MetaResponse{MetaStatus::kVa, rest, data}};
    });
  }
  for (const auto& [text, status] : kStatusWords) {
    if (line == text) return done(StatusResponse{status});
  }
  for (const auto& [text, status] : kMetaCodes) {
    if (word == text) return done(MetaResponse{status, rest, {}});
  }
  if (const auto number = detail::parse_digits(line)) return done(NumberResponse{*number});
  if (word == "STAT") {
    StatResponse stat;
    stat.name = next_word(rest);
    if (stat.name.empty()) return kMalformed;
    stat.value = rest;
    return done(stat);
  }
  if (word == "VERSION") return done(VersionResponse{rest});
  if (word == "ME") {
    MetaDebugResponse debug;
    debug.key = next_word(rest);
    if (debug.key.empty()) return kMalformed;
    debug.info = rest;
    return done(debug);
  }
  if (is_error_line(line)) return done(ErrorResponse{line});
  if (line.starts_with("key=")) return done(MetadumpResponse{line});
  return kMalformed;
}

}  // namespace mc::codec
