#include <string>

#include "mc/client/result.hpp"

namespace mc::client {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mc::client"; }

  std::string message(int value) const override {
    switch (static_cast<Error>(value)) {
      case Error::kBadKey:
        return "invalid key (1 to 250 bytes, no spaces or control characters)";
      case Error::kBadArgument:
        return "invalid argument";
      case Error::kTimeout:
        return "timed out waiting for the reply";
      case Error::kConnectionLost:
        return "connection lost before the reply";
      case Error::kNotConnected:
        return "not connected to the server";
      case Error::kSessionClosed:
        return "session closed";
      case Error::kNoServer:
        return "no live server for the key";
      case Error::kUnknownCommand:
        return "server does not know the command (ERROR)";
      case Error::kClientError:
        return "server refused the request (CLIENT_ERROR)";
      case Error::kNonNumeric:
        return "cannot increment or decrement a non-numeric value";
      case Error::kValueTooLarge:
        return "value too large for the server";
      case Error::kServerError:
        return "server error (SERVER_ERROR)";
      case Error::kUnexpectedReply:
        return "unexpected reply: the connection is out of step";
      case Error::kBadServerList:
        return "invalid server list";
    }
    return "unknown mc::client error";
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

bool is_unreachable(std::error_code error) noexcept {
  return error == Error::kTimeout || error == Error::kConnectionLost ||
         error == Error::kNotConnected;
}

}  // namespace mc::client
