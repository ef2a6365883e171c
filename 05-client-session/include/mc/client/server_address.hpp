/// \file
/// \brief Server addresses and the `host:port[:weight],...` list every client option takes,
/// parsed as libmemcached's `memcached_servers_parse` parses it.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mc/client/result.hpp"

namespace mc::client {

/// \brief The port memcached listens on unless told otherwise.
inline constexpr std::uint16_t kDefaultPort = 11211;

/// \brief The weight of a server whose entry names none (or names 0, as libmemcached reads it).
inline constexpr std::uint32_t kDefaultWeight = 1;

/// \brief One memcached server as the user named it: host, port and weight.
///
/// The host is kept as libmemcached keeps it and is never resolved here: key placement hashes
/// the text, so two clients agree on where a key lives only if they spell the server the same
/// way. An IPv6 address parsed from a list keeps its brackets (`[::1]`), because
/// libmemcached's list parser keeps them and hashes them; an address set in code without
/// brackets (`::1`) hashes without, as `memcached_server_add("::1", ...)` does.
struct ServerAddress {
  std::string host;                       ///< Host name or IP address, as written.
  std::uint16_t port = kDefaultPort;      ///< TCP port.
  std::uint32_t weight = kDefaultWeight;  ///< Relative share of keys (weighted ketama only).

  /// \brief `host:port`, with brackets around an IPv6 address, for messages and `cppmc locate`.
  [[nodiscard]] std::string to_string() const;

  /// \brief The host to connect to: host without the brackets of an IPv6 address.
  [[nodiscard]] std::string_view connect_host() const;

  /// \brief Field-by-field equality.
  bool operator==(const ServerAddress&) const = default;
};

/// \brief Parses one entry `host[:port[:weight]]` (or `host:port weight`); an IPv6 host is
/// written in brackets, `[::1]:11211:2`. A weight of 0 means 1, as in libmemcached.
/// \param entry the text of the entry.
/// \param why if not null, receives a message naming the entry and what is wrong with it.
/// \return the address, or Error::kBadServerList for an empty host, a host with spaces, a
/// port that is not a number in 1..65535, a weight that is not a number in 0..2^32-1, or
/// extra fields.
[[nodiscard]] Result<ServerAddress> parse_server_address(std::string_view entry,
                                                         std::string* why = nullptr);

/// \brief Parses a comma-separated list of entries, e.g. `10.0.0.1, 10.0.0.2:11212:3`.
///
/// As libmemcached: one space (or tab) after a comma is skipped, and a trailing comma ends
/// the list. Where libmemcached would quietly invent a server (an empty entry becomes
/// `localhost`, a bad port becomes 11211), this reports an error instead.
/// \param list the text of the list.
/// \param why if not null, receives a message saying which entry is wrong and why.
/// \return the servers in order, or Error::kBadServerList.
[[nodiscard]] Result<std::vector<ServerAddress>> parse_server_list(std::string_view list,
                                                                   std::string* why = nullptr);

}  // namespace mc::client
