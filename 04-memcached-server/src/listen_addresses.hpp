// memcached's `-l`: a comma-separated list of addresses, each with an optional port and, under
// `-Z`, an optional `notls:` prefix.

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mc/net/options.hpp"

namespace mc::server::detail {

/// The listeners `-l list` asks for. An entry without a port takes `default_port`; with `tls`
/// (`-Z`) every entry is a TLS one except those written `notls:ADDR[:PORT]`. IPv6 addresses
/// with a port are written in brackets, `[::1]:11211`. Throws std::invalid_argument naming a
/// port that is not one.
std::vector<net::Listener> parse_listeners(const std::string& list, std::uint16_t default_port,
                                           bool tls);

}  // namespace mc::server::detail
