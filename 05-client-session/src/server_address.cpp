#include "mc/client/server_address.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <stdexcept>

namespace mc::client {
namespace {

[[noreturn]] void fail(std::string_view entry, std::string_view why) {
  throw std::invalid_argument(fmt::format("bad server \"{}\": {}", entry, why));
}

// Decimal digits only: from_chars would accept neither "+1" nor " 1", and we want "0x10" and
// "12abc" rejected too, so the whole field must be consumed.
template <typename T>
bool parse_number(std::string_view text, T min, T max, T& out) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) return false;
  if (value < min || value > max) return false;
  out = static_cast<T>(value);
  return true;
}

}  // namespace

std::string ServerAddress::to_string() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

ServerAddress parse_server_address(std::string_view entry) {
  ServerAddress address;
  std::string_view rest;
  if (entry.starts_with('[')) {
    const auto close = entry.find(']');
    if (close == std::string_view::npos) fail(entry, "missing ']' after IPv6 address");
    address.host = entry.substr(1, close - 1);
    rest = entry.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) fail(entry, "expected ':' after ']'");
  } else {
    const auto colon = entry.find(':');
    address.host = entry.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : entry.substr(colon);
  }
  if (address.host.empty()) fail(entry, "empty host");

  // rest is "", ":port" or ":port:weight".
  if (rest.empty()) return address;
  rest.remove_prefix(1);
  const auto colon = rest.find(':');
  const auto port = rest.substr(0, colon);
  if (!parse_number<std::uint16_t>(port, 1, std::numeric_limits<std::uint16_t>::max(),
                                   address.port)) {
    fail(entry, fmt::format("port \"{}\" is not a number in 1..65535", port));
  }
  if (colon == std::string_view::npos) return address;

  const auto weight = rest.substr(colon + 1);
  if (weight.find(':') != std::string_view::npos) {
    fail(entry, "too many ':' (an IPv6 address goes in brackets: [::1]:11211)");
  }
  if (!parse_number<std::uint32_t>(weight, 1, std::numeric_limits<std::uint32_t>::max(),
                                   address.weight)) {
    fail(entry, fmt::format("weight \"{}\" is not a number in 1..4294967295", weight));
  }
  return address;
}

std::vector<ServerAddress> parse_server_list(std::string_view list) {
  if (list.empty()) throw std::invalid_argument("empty server list");
  std::vector<ServerAddress> servers;
  while (true) {
    const auto comma = list.find(',');
    const auto entry = list.substr(0, comma);
    if (entry.empty()) throw std::invalid_argument("empty entry in server list");
    servers.push_back(parse_server_address(entry));
    if (comma == std::string_view::npos) return servers;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace mc::client
