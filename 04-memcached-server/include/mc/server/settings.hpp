/// \file
/// \brief cppmemcached's settings and its memcached-compatible command line.

#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mc/common/server_options.hpp"

namespace mc::server {

/// \brief memcached's `-Z` and its `-o ssl_*` options.
struct TlsSettings {
  bool enabled = false;    ///< `-Z`: listeners speak TLS unless given as `-l notls:ADDR:PORT`
  std::string chain_cert;  ///< `ssl_chain_cert`: the server's certificate chain, PEM
  std::string key;         ///< `ssl_key`: its private key, if not in the chain file
  /// `ssl_keyformat`: 1 for PEM, 2 for DER (OpenSSL's SSL_FILETYPE_PEM and _ASN1).
  int key_format = 1;
  /// `ssl_verify_mode`: 0 none, 1 ask for a client certificate, 2 require one, 3 require one
  /// at the first handshake only (memcached's numbers).
  int verify_mode = 0;
  std::string ciphers;  ///< `ssl_ciphers`: OpenSSL's cipher list for TLS 1.2 and older
  std::string ca_cert;  ///< `ssl_ca_cert`: the CAs client certificates must chain to
  /// `ssl_min_version`: 0 TLS 1.0, 1 TLS 1.1, 2 TLS 1.2 (the default), 3 TLS 1.3.
  int min_version = 2;
  bool session_cache = false;  ///< `ssl_session_cache`: resume sessions from a server cache
};

/// \brief Everything the server can be told at startup. Defaults are memcached 1.6's, except
/// that we listen on 127.0.0.1 (memcached: every interface) and `-p 0` picks a free port
/// (memcached: turns TCP off).
struct Settings {
  /// `-l`, `-p`, `-t`, `-v`: where to listen, and with how many threads (4, as memcached).
  common::ServerOptions net{.listen = "127.0.0.1", .port = 11211, .threads = 4, .verbosity = 0};
  std::size_t memory_limit = 64u << 20;  ///< `-m`, in bytes (given in megabytes)
  unsigned max_connections = 1024;       ///< `-c`: more are told `ERROR Too many open connections`
  std::size_t item_size_max = 1u << 20;  ///< `-I`: the largest item, header included
  bool shutdown_enabled = false;         ///< `-A`: the `shutdown` command works
  bool cas_enabled = true;               ///< `-C` turns CAS off (items are 8 bytes smaller)
  bool flush_enabled = true;             ///< `-F` turns `flush_all` off
  bool evictions = true;                 ///< `-M` answers out-of-memory instead of evicting
  /// `-R`: requests handled in a row from one connection before the others of its thread
  /// get a turn (counted in `conn_yields`).
  unsigned reqs_per_event = 20;
  int listen_backlog = 1024;             ///< `-b`: the listen queue, passed to listen()
  std::chrono::seconds idle_timeout{0};  ///< `-o idle_timeout=N`; 0 = never
  /// `-o conn_mem_limit=SIZE`: the most a connection may hold (read buffer and queued replies)
  /// before the server stops reading from it until it reads its replies.
  std::size_t connection_memory = 4u << 20;
  /// `-o metrics_port=N`: serve Prometheus metrics over HTTP on `-l`'s address and this port
  /// (0: a free one, printed at start); unset: no metrics listener.
  std::optional<std::uint16_t> metrics_port;
  std::string user;  ///< `-u`: started as root, the server switches to this user once listening
  TlsSettings tls;   ///< `-Z` and `-o ssl_*`
  /// Options accepted because this design already does what they ask, each with the reason;
  /// logged at start.
  std::vector<std::string> built_in;
};

/// \brief The smallest `-o conn_mem_limit`: room for a read buffer and some replies.
inline constexpr std::size_t kMinConnectionMemory = 64u << 10;

/// \brief Parses memcached's flags into Settings.
///
/// Prints help (`-h`) or version (`-V`) and returns an exit status to end with, or an error
/// message in memcached's style on bad input. Returns nothing when the server should run.
std::optional<int> parse_settings(int argc, char** argv, Settings& settings);

/// \brief Parses a size such as `1m`, `512k` or `2048` (bytes) as `-I` takes it.
/// \return the size in bytes, or nothing if `text` is not a size
std::optional<std::size_t> parse_size(const std::string& text);

}  // namespace mc::server
