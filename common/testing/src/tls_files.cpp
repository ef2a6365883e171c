#include "mc/testing/tls_files.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mc/testing/process.hpp"

namespace mc::testing {
namespace {

void openssl(const std::vector<std::string>& args) {
  const auto result = run("/usr/bin/openssl", args, {}, 60s);
  if (result.status != 0) {
    throw std::runtime_error("openssl " + args.front() + " failed: " + result.err);
  }
}

// A self-signed CA certificate and its key.
void make_ca(const std::string& base, const std::string& name) {
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
           "-days", "1", "-subj", "/CN=" + name, "-keyout", base + ".key", "-out", base + ".pem"});
}

// A key and a certificate for `name`, signed by the CA in `dir` (with the extensions in
// `extensions`, a file, if given).
void make_signed(const std::string& dir, const std::string& base, const std::string& name,
                 const std::string& extensions) {
  openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj",
           "/CN=" + name, "-keyout", dir + "/" + base + ".key", "-out", dir + "/" + base + ".csr"});
  std::vector<std::string> sign{"x509",
                                "-req",
                                "-days",
                                "1",
                                "-in",
                                dir + "/" + base + ".csr",
                                "-CA",
                                dir + "/ca.pem",
                                "-CAkey",
                                dir + "/ca.key",
                                "-CAcreateserial",
                                "-out",
                                dir + "/" + base + ".pem"};
  if (!extensions.empty()) sign.insert(sign.end(), {"-extfile", extensions});
  openssl(sign);
}

}  // namespace

TlsFiles::TlsFiles() {
  std::string pattern = (std::filesystem::temp_directory_path() / "mc-tls-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  directory_ = pattern;
  make_ca(directory_ + "/ca", "cppmemcached test CA");
  make_ca(directory_ + "/stranger", "a CA nobody trusts");
  const std::string extensions = directory_ + "/server.ext";
  std::ofstream(extensions) << "subjectAltName=IP:127.0.0.1,DNS:localhost\n";
  make_signed(directory_, "server", "localhost", extensions);
  make_signed(directory_, "client", "cppmemcached test client", "");
  // memcached started as root reads them as `-u nobody`: throwaway keys may be world-readable.
  namespace fs = std::filesystem;
  fs::permissions(directory_,
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  for (const auto& entry : fs::directory_iterator(directory_)) {
    fs::permissions(entry.path(), fs::perms::group_read | fs::perms::others_read,
                    fs::perm_options::add);
  }
}

TlsFiles::~TlsFiles() {
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

}  // namespace mc::testing
