/// \file
/// \brief Server addresses and the `host:port[:weight],...` list every client option takes.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mc::client {

/// \brief The port memcached listens on unless told otherwise.
inline constexpr std::uint16_t kDefaultPort = 11211;

/// \brief The weight of a server whose entry names none.
inline constexpr std::uint32_t kDefaultWeight = 1;

/// \brief One memcached server as the user named it: host, port and weight.
///
/// The host is kept exactly as written (a name or an address, IPv6 without its brackets) and is
/// never resolved here: key placement hashes the text, so two clients agree on where a key lives
/// only if they spell the server the same way.
struct ServerAddress {
  std::string host;                       ///< Host name or IP address, as written.
  std::uint16_t port = kDefaultPort;      ///< TCP port.
  std::uint32_t weight = kDefaultWeight;  ///< Relative share of keys (ketama only), at least 1.

  /// \brief `host:port`, with brackets around an IPv6 address, for messages and `cppmc locate`.
  [[nodiscard]] std::string to_string() const;

  /// \brief Field-by-field equality.
  bool operator==(const ServerAddress&) const = default;
};

/// \brief Parses one entry `host[:port[:weight]]`; an IPv6 host is written in brackets,
/// `[::1]:11211:2`.
/// \throws std::invalid_argument naming the entry and what is wrong with it: an empty host, a
/// port that is not a number in 1..65535, a weight that is not a number in 1..2^32-1, or extra
/// fields.
[[nodiscard]] ServerAddress parse_server_address(std::string_view entry);

/// \brief Parses a comma-separated list of entries, e.g. `10.0.0.1,10.0.0.2:11212:3`.
/// \throws std::invalid_argument for an empty list, an empty entry, or any malformed entry
/// (see parse_server_address()); the message says which entry.
[[nodiscard]] std::vector<ServerAddress> parse_server_list(std::string_view list);

}  // namespace mc::client
