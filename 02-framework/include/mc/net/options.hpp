/// \file
/// \brief The knobs of connections, servers and clients, with their defaults.

#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace asio::ssl {
class context;
}  // namespace asio::ssl

namespace mc::net {

/// \brief Whether connections sleep by default (ConnectionOptions::sleep_after). Not when built
/// for io_uring (`CPPMC_IO_URING`): falling asleep cancels a read in flight, and Asio 1.22's
/// ring backend can then let the kernel complete that read after its handler has run, into
/// memory already given back (chapter 6).
#if defined(ASIO_HAS_IO_URING)
inline constexpr bool kSleepsByDefault = false;
#else
inline constexpr bool kSleepsByDefault = true;
#endif

/// \brief Limits every connection obeys, whether a server accepted it or a client opened it.
struct ConnectionOptions {
  /// The most memory a connection may hold: its read buffer and the messages queued for
  /// writing, counting their bytes and what each queued message costs by itself. Past it the
  /// reader stops decoding and reading until the writer has drained the queue below half of
  /// it, so a peer that never reads holds this much at most, whatever it sends. The bound is
  /// passed by at most one message.
  std::size_t max_held_bytes = 64 * 1024 * 1024;
  /// Close a connection on which nothing was read or written for this long; zero means never.
  std::chrono::milliseconds idle_timeout{0};
  /// A connection that has read nothing for between one and two of these goes to sleep: it
  /// gives up its coroutines and its socket waits in its thread's epoll set
  /// (Connection::sleep_if_idle), so ten thousand idle connections cost a fraction of what
  /// awake ones do. Zero: never (the default with io_uring, see kSleepsByDefault).
  std::chrono::milliseconds sleep_after{kSleepsByDefault ? 1000 : 0};
  /// How long a TLS handshake may take before the connection is closed (Error::
  /// kHandshakeTimeout): a peer that connects and sends nothing holds no slot for longer.
  std::chrono::milliseconds handshake_timeout{5000};
  /// Initial size of the read buffer, and the size it returns to after a large message.
  std::size_t read_buffer_size = 16 * 1024;
  /// The largest the read buffer may grow for one message. A message that needs more closes
  /// the connection (Error::kBadMessage); a codec refuses such messages earlier if it can.
  std::size_t max_read_buffer_size = 64 * 1024 * 1024;
  /// Messages handled in a row from one connection before the reader lets the other
  /// connections of its thread run (memcached's `-R`); zero means no limit.
  std::size_t max_messages_per_turn = 0;
};

/// \brief One address a Server listens on, and whether its connections speak TLS.
struct Listener {
  std::string address = "127.0.0.1";  ///< address to listen on
  std::uint16_t port = 0;             ///< TCP port; 0 lets the kernel pick a free one
  bool tls = false;                   ///< whether connections here use ServerOptions::tls
};

/// \brief What Server needs: where to listen, how many threads, and the connection limits.
struct ServerOptions {
  std::string listen = "127.0.0.1";  ///< address to listen on, unless `listeners` is given
  std::uint16_t port = 0;            ///< TCP port; 0 lets the kernel pick a free one
  /// Several listeners instead of `listen`:`port`, the first one being the main one.
  std::vector<Listener> listeners;
  /// Certificates and verification for TLS listeners. If set, the `listen`:`port` listener is
  /// a TLS one; with `listeners`, each says for itself.
  std::shared_ptr<asio::ssl::context> tls;
  unsigned threads = 1;  ///< I/O threads, each with its own io_context
  /// Connections the kernel may hold ready before they are accepted (`listen()`'s backlog;
  /// the kernel caps it at net.core.somaxconn).
  int backlog = 1024;
  /// If set, counts the times the accept loop paused for lack of file descriptors
  /// (memcached's `listen_disabled_num`); it must outlive the server.
  std::atomic<std::uint64_t>* accept_pauses = nullptr;
  ConnectionOptions connection;  ///< limits of every accepted connection
  /// How long Server::stop() lets writers flush what is queued before it closes every
  /// connection regardless.
  std::chrono::milliseconds flush_timeout{500};
};

/// \brief What Client needs: threads, the connection limits and how long to try to connect.
struct ClientOptions {
  unsigned threads = 1;                             ///< I/O threads for the client's connections
  ConnectionOptions connection;                     ///< limits of every connection it opens
  std::chrono::milliseconds connect_timeout{5000};  ///< Client::connect() gives up after this
  /// If set, every connection speaks TLS with this context, checking the server's certificate
  /// against the host name given to Client::connect() when the context verifies peers.
  std::shared_ptr<asio::ssl::context> tls;
  std::chrono::milliseconds flush_timeout{500};  ///< as ServerOptions::flush_timeout
};

}  // namespace mc::net
