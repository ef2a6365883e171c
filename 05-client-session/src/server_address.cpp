#include "mc/client/server_address.hpp"

#include <fmt/format.h>

#include <charconv>
#include <limits>

namespace mc::client {
namespace {

// Records why parsing failed, for callers that asked.
Error fail(std::string* why, std::string_view entry, std::string_view reason) {
  if (why != nullptr) *why = fmt::format("bad server \"{}\": {}", entry, reason);
  return Error::kBadServerList;
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

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'; }

}  // namespace

std::string ServerAddress::to_string() const {
  if (!host.starts_with('[') && host.find(':') != std::string::npos) {
    return fmt::format("[{}]:{}", host, port);
  }
  return fmt::format("{}:{}", host, port);
}

std::string_view ServerAddress::connect_host() const {
  std::string_view name = host;
  if (name.size() >= 2 && name.front() == '[' && name.back() == ']') {
    name = name.substr(1, name.size() - 2);
  }
  return name;
}

Result<ServerAddress> parse_server_address(std::string_view entry, std::string* why) {
  ServerAddress address;
  std::string_view rest;
  if (entry.starts_with('[')) {
    // libmemcached keeps the brackets in the host name, and so hashes them: so do we.
    const auto close = entry.find(']');
    if (close == std::string_view::npos) return fail(why, entry, "missing ']' after IPv6 address");
    address.host = entry.substr(0, close + 1);
    rest = entry.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) {
      return fail(why, entry, "expected ':' after ']'");
    }
    if (close == 1) return fail(why, entry, "empty host");
  } else {
    const auto colon = entry.find(':');
    address.host = entry.substr(0, colon);
    rest = colon == std::string_view::npos ? std::string_view{} : entry.substr(colon);
  }
  if (address.host.empty()) return fail(why, entry, "empty host");
  for (const char c : address.host) {
    if (is_space(c)) return fail(why, entry, "space in the host name");
  }

  // rest is "", ":port", ":port:weight" or ":port weight" (libmemcached takes either).
  if (rest.empty()) return address;
  rest.remove_prefix(1);
  const auto separator = rest.find_first_of(": ");
  const auto port = rest.substr(0, separator);
  if (!parse_number<std::uint16_t>(port, 1, std::numeric_limits<std::uint16_t>::max(),
                                   address.port)) {
    return fail(why, entry, fmt::format("port \"{}\" is not a number in 1..65535", port));
  }
  if (separator == std::string_view::npos) return address;

  const auto weight = rest.substr(separator + 1);
  if (weight.find_first_of(": ") != std::string_view::npos) {
    return fail(why, entry, "too many fields (an IPv6 address goes in brackets: [::1]:11211)");
  }
  if (!parse_number<std::uint32_t>(weight, 0, std::numeric_limits<std::uint32_t>::max(),
                                   address.weight)) {
    return fail(why, entry, fmt::format("weight \"{}\" is not a number in 0..4294967295", weight));
  }
  if (address.weight == 0) address.weight = kDefaultWeight;  // libmemcached's reading of 0
  return address;
}

Result<std::vector<ServerAddress>> parse_server_list(std::string_view list, std::string* why) {
  if (list.empty()) {
    if (why != nullptr) *why = "empty server list";
    return Error::kBadServerList;
  }
  std::vector<ServerAddress> servers;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto entry = list.substr(0, comma);
    if (entry.empty()) {
      if (why != nullptr) *why = "empty entry in server list";
      return Error::kBadServerList;
    }
    auto server = parse_server_address(entry, why);
    if (!server) return server.error();
    servers.push_back(std::move(*server));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
    // "a, b": libmemcached skips one space after a comma, so the host is "b", not " b".
    if (!list.empty() && is_space(list.front())) list.remove_prefix(1);
  }
  return servers;
}

}  // namespace mc::client
