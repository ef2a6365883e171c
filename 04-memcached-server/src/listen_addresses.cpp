#include "listen_addresses.hpp"

#include <fmt/format.h>

#include <charconv>
#include <stdexcept>
#include <string_view>

namespace mc::server::detail {
namespace {

constexpr std::string_view kNoTls = "notls:";

std::uint16_t port_number(std::string_view text, std::string_view entry) {
  std::uint16_t port = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw std::invalid_argument(
        fmt::format("-l {}: the port is not a number from 0 to 65535", entry));
  }
  return port;
}

net::Listener parse_one(std::string_view entry, std::uint16_t default_port, bool tls) {
  net::Listener listener{.address = {}, .port = default_port, .tls = tls};
  std::string_view rest = entry;
  if (rest.starts_with(kNoTls)) {
    listener.tls = false;
    rest.remove_prefix(kNoTls.size());
  }
  if (rest.starts_with('[')) {  // [v6 address] or [v6 address]:port
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      throw std::invalid_argument(fmt::format("-l {}: missing ]", entry));
    }
    listener.address = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (rest.starts_with(':')) listener.port = port_number(rest.substr(1), entry);
    return listener;
  }
  // One colon separates a port; more mean a bare IPv6 address.
  const auto colon = rest.find(':');
  if (colon != std::string_view::npos && rest.find(':', colon + 1) == std::string_view::npos) {
    listener.port = port_number(rest.substr(colon + 1), entry);
    rest = rest.substr(0, colon);
  }
  listener.address = std::string(rest);
  return listener;
}

}  // namespace

std::vector<net::Listener> parse_listeners(const std::string& list, std::uint16_t default_port,
                                           bool tls) {
  std::vector<net::Listener> listeners;
  std::string_view rest = list;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string_view entry = rest.substr(0, comma);
    if (!entry.empty()) listeners.push_back(parse_one(entry, default_port, tls));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return listeners;
}

}  // namespace mc::server::detail
