/// \file
/// \brief The byte stream under a Connection: a plain TCP socket, or TLS over one.

#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

#include <asio/async_result.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>

#include "mc/net/acceptor.hpp"
#include "mc/net/detail/draining_buffer.hpp"

namespace mc::net {

/// \brief Which end of a TLS handshake a transport plays.
enum class TlsRole {
  kServer,  ///< accepted the connection: presents the certificate
  kClient,  ///< opened the connection: checks the server's certificate
};

/// \brief A connection's stream: the socket itself, or an OpenSSL stream that owns it.
///
/// It offers what a Connection needs, async_read_some, async_write_some (so asio::async_write
/// works on it), a handshake and close, and sends each call to the one stream it holds. The
/// plain case pays a test of one pointer per call: no virtual call, no allocation. TLS lives
/// behind that pointer, so a plain transport is only one pointer larger than its socket.
class Transport {
 public:
  /// \brief The executor every operation completes on: the socket's io_context.
  using executor_type = Socket::executor_type;

  /// \brief A plain TCP transport. Implicit: wherever a transport is wanted, a socket is a
  /// plain one.
  Transport(Socket socket) : socket_(std::move(socket)) {}  // NOLINT(google-explicit-constructor)

  /// \brief TLS over `socket`, using `context`'s certificates and verification settings.
  /// Nothing is sent until async_handshake().
  /// \param socket a connected socket
  /// \param context shared, because OpenSSL objects keep using it for the connection's life
  /// \param role whether this end accepted (server) or opened (client) the connection
  /// \param peer_name for a client: the host name or address the server's certificate must
  /// name (checked when the context verifies peers), also sent as SNI if it is a name
  Transport(Socket socket, std::shared_ptr<asio::ssl::context> context, TlsRole role,
            const std::string& peer_name = {});

  /// \brief Whether this transport encrypts (and so needs async_handshake() first).
  bool secure() const { return tls_ != nullptr; }

  /// \brief The TCP socket underneath, for options, addresses and closing.
  Socket& socket() { return tls_ ? tls_->stream.next_layer() : socket_; }
  /// \brief The TCP socket underneath.
  const Socket& socket() const { return tls_ ? tls_->stream.next_layer() : socket_; }

  /// \brief The socket's executor.
  executor_type get_executor() { return socket().get_executor(); }

  /// \brief Memory the transport holds besides the socket: OpenSSL's connection state and
  /// Asio's record buffers for TLS, nothing for plain TCP. Counted in a connection's bound.
  std::size_t held_bytes() const { return tls_ ? kTlsHeldBytes : 0; }

  /// \brief Performs the TLS handshake in `role`'s part. Completes with
  /// `void(asio::error_code)`; at once and without error for a plain transport.
  template <typename Token>
  auto async_handshake(Token&& token) {
    return asio::async_initiate<Token, void(asio::error_code)>(
        [this](auto handler) {
          if (!tls_) {
            asio::post(socket_.get_executor(),
                       [handler = std::move(handler)]() mutable { handler(asio::error_code{}); });
            return;
          }
          tls_->stream.async_handshake(tls_->role, std::move(handler));
        },
        token);
  }

  /// \brief Reads some bytes, decrypted if TLS: `void(asio::error_code, std::size_t)`.
  ///
  /// Into a detail::DrainingBuffer, a plain read that comes back short leaves the next read to
  /// wait for epoll without a system call first.
  template <typename Buffers, typename Token>
  auto async_read_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(asio::error_code, std::size_t)>(
        [this](auto handler, const Buffers& buffers) {
          if (tls_) {
            tls_->stream.async_read_some(buffers, std::move(handler));
          } else {
            socket_.async_read_some(buffers, std::move(handler));
          }
        },
        token, buffers);
  }

  /// \brief Writes some bytes, encrypted if TLS: `void(asio::error_code, std::size_t)`.
  template <typename Buffers, typename Token>
  auto async_write_some(const Buffers& buffers, Token&& token) {
    return asio::async_initiate<Token, void(asio::error_code, std::size_t)>(
        [this](auto handler, const Buffers& buffers) {
          if (tls_) {
            // Asio's TLS stream encrypts only the first buffer of a list per call: a reply's
            // header, value and END would be three records and three sends. Gathered into one
            // buffer, up to a full record of replies leave together.
            const std::size_t size = asio::buffer_copy(asio::buffer(tls_->record), buffers);
            tls_->stream.async_write_some(asio::buffer(tls_->record.data(), size),
                                          std::move(handler));
          } else {
            socket_.async_write_some(buffers, std::move(handler));
          }
        },
        token, buffers);
  }

  /// \brief Closes the socket: pending operations complete with operation_aborted. A TLS
  /// peer sees the connection end without a close_notify, as memcached's clients do.
  void close(asio::error_code& error) { socket().close(error); }

 private:
  // The largest TLS record's payload.
  static constexpr std::size_t kRecordSize = 16 * 1024;
  // What TLS holds for one connection: our record buffer, asio::ssl::stream's two 17 KiB
  // buffers, and OpenSSL's SSL object and its own buffers (about 6 KiB with OpenSSL 3.0).
  static constexpr std::size_t kTlsHeldBytes = kRecordSize + 2 * 17 * 1024 + 6 * 1024;

  struct Tls {
    Tls(Socket socket, std::shared_ptr<asio::ssl::context> context, TlsRole role);
    std::shared_ptr<asio::ssl::context> context;  // outlives the stream, which uses it
    asio::ssl::stream<Socket> stream;
    asio::ssl::stream_base::handshake_type role;
    std::array<char, kRecordSize> record;  // replies gathered for one write (see above)
  };

  Socket socket_;             // the plain socket; a moved-from, closed one under TLS
  std::unique_ptr<Tls> tls_;  // null for plain TCP
};

}  // namespace mc::net
