#include "mc/net/transport.hpp"

#include <openssl/ssl.h>

#include <asio/ip/address.hpp>
#include <asio/ssl/host_name_verification.hpp>

namespace mc::net {

Transport::Tls::Tls(Socket socket, std::shared_ptr<asio::ssl::context> shared, TlsRole tls_role)
    : context(std::move(shared)),
      stream(std::move(socket), *context),
      role(tls_role == TlsRole::kServer ? asio::ssl::stream_base::server
                                        : asio::ssl::stream_base::client) {}

Transport::Transport(Socket socket, std::shared_ptr<asio::ssl::context> context, TlsRole role,
                     const std::string& peer_name)
    : socket_(socket.get_executor()),
      tls_(std::make_unique<Tls>(std::move(socket), std::move(context), role)) {
  if (role != TlsRole::kClient || peer_name.empty()) return;
  // The certificate must name the host we meant to reach (an IP address is matched against
  // the certificate's IP entries); whether a mismatch fails the handshake is the context's
  // verify mode.
  tls_->stream.set_verify_callback(asio::ssl::host_name_verification(peer_name));
  asio::error_code not_an_address;
  asio::ip::make_address(peer_name, not_an_address);
  if (not_an_address) {
    // SNI: a server behind one address with several certificates picks ours by name.
    SSL_set_tlsext_host_name(tls_->stream.native_handle(), peer_name.c_str());
  }
}

}  // namespace mc::net
