/// \file
/// \brief A throwaway certificate authority for TLS tests, made with the `openssl` command at
/// test time: no key is ever committed.

#pragma once

#include <string>

namespace mc::testing {

/// \brief A fresh temporary directory holding a test CA, a server certificate for
/// 127.0.0.1 and localhost signed by it, and a client certificate signed by it. The
/// directory goes when the object does.
class TlsFiles {
 public:
  /// \brief Makes the directory and every file (ECDSA P-256 keys: quick to make; valid for a day).
  /// Throws std::runtime_error with openssl's stderr if a step fails.
  TlsFiles();
  ~TlsFiles();
  TlsFiles(const TlsFiles&) = delete;
  TlsFiles& operator=(const TlsFiles&) = delete;

  /// \brief The directory, for more files a test writes.
  const std::string& directory() const { return directory_; }
  /// \brief The CA's certificate (PEM): what clients and the server trust.
  std::string ca() const { return directory_ + "/ca.pem"; }
  /// \brief The server's certificate (subjectAltName IP:127.0.0.1 and DNS:localhost).
  std::string server_cert() const { return directory_ + "/server.pem"; }
  /// \brief The server's private key.
  std::string server_key() const { return directory_ + "/server.key"; }
  /// \brief A client certificate signed by the same CA.
  std::string client_cert() const { return directory_ + "/client.pem"; }
  /// \brief Its private key.
  std::string client_key() const { return directory_ + "/client.key"; }
  /// \brief A second CA's certificate, which signed nothing here: trusting only it must fail.
  std::string stranger_ca() const { return directory_ + "/stranger.pem"; }

 private:
  std::string directory_;
};

}  // namespace mc::testing
