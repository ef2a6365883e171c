#include "mc/net/error.hpp"

#include <string>

namespace mc::net {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mc::net"; }

  std::string message(int value) const override {
    switch (static_cast<Error>(value)) {
      case Error::kClosed:
        return "connection closed";
      case Error::kIdleTimeout:
        return "idle timeout";
      case Error::kBadMessage:
        return "undecodable message";
      case Error::kStopped:
        return "stopped";
      case Error::kConnectTimeout:
        return "connect timed out";
      case Error::kHandshakeTimeout:
        return "TLS handshake timed out";
    }
    return "unknown mc::net error";
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

std::error_code make_error_code(Error error) noexcept {
  return {static_cast<int>(error), error_category()};
}

}  // namespace mc::net
