/// \file
/// \brief Errors as values: the client's error codes and Result<T>, a value or an error code.

#pragma once

#include <cassert>
#include <system_error>
#include <utility>
#include <variant>

namespace mc::client {

/// \brief Why a client call failed. Misses, `NOT_STORED` and `EXISTS` are not errors: they are
/// answers, and come back as values.
enum class Error {
  kBadKey = 1,       ///< empty, longer than 250 bytes, or with a space or control character
  kBadArgument,      ///< an option the call cannot send (a meta flag the session owns, ...)
  kTimeout,          ///< no complete reply before the call's deadline
  kConnectionLost,   ///< the connection closed while the call waited for its reply
  kNotConnected,     ///< no connection right now: the session is waiting to reconnect
  kSessionClosed,    ///< the session was closed
  kNoServer,         ///< the cluster has no live server for the key
  kUnknownCommand,   ///< the server answered `ERROR`
  kClientError,      ///< the server answered `CLIENT_ERROR ...`: it refused the request
  kNonNumeric,       ///< incr/decr on a value that is not a decimal number
  kValueTooLarge,    ///< `SERVER_ERROR object too large for cache`
  kServerError,      ///< the server answered another `SERVER_ERROR ...`
  kUnexpectedReply,  ///< a reply that does not answer the request: the stream is out of step
  kBadServerList,    ///< a server list or entry that cannot be parsed
};

/// \brief The category of mc::client::Error codes (its name is "mc::client").
const std::error_category& error_category() noexcept;

/// \brief Makes `std::error_code ec = Error::kTimeout;` work.
std::error_code make_error_code(Error error) noexcept;

/// \brief Whether `error` says the server could not be reached (a timeout or a connection
/// failure), as opposed to an answer it gave: what a Cluster counts towards ejection.
bool is_unreachable(std::error_code error) noexcept;

/// \brief A value of type `T`, or the error code that prevented it.
///
/// g++ 12 has no `std::expected`; this is the small part of it the client needs. Test it like
/// a pointer: `if (result) use(*result); else report(result.error());`
template <typename T>
class Result {
 public:
  /// \brief A success holding a value-initialised `T` (as `std::expected` does).
  Result() : state_(std::in_place_index<0>) {}
  /// \brief A success holding `value`.
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  /// \brief A failure; `error` must be set.
  Result(std::error_code error) : state_(std::in_place_index<1>, error) {  // NOLINT: implicit
    assert(error);
  }
  /// \brief A failure from a client error enumerator.
  Result(Error error) : Result(make_error_code(error)) {}  // NOLINT: implicit

  /// \brief Whether the call succeeded.
  [[nodiscard]] bool has_value() const { return state_.index() == 0; }
  /// \brief Same as has_value().
  explicit operator bool() const { return has_value(); }

  /// \brief The value; only when has_value().
  [[nodiscard]] T& value() & { return std::get<0>(state_); }
  /// \brief The value; only when has_value().
  [[nodiscard]] const T& value() const& { return std::get<0>(state_); }
  /// \brief The value, moved out; only when has_value().
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(state_)); }
  /// \brief The value; only when has_value().
  T& operator*() & { return value(); }
  /// \brief The value; only when has_value().
  const T& operator*() const& { return value(); }
  /// \brief Member access to the value; only when has_value().
  T* operator->() { return &value(); }
  /// \brief Member access to the value; only when has_value().
  const T* operator->() const { return &value(); }

  /// \brief The error, or an empty code on success.
  [[nodiscard]] std::error_code error() const {
    return has_value() ? std::error_code{} : std::get<1>(state_);
  }

 private:
  std::variant<T, std::error_code> state_;
};

}  // namespace mc::client

/// \brief Marks mc::client::Error as an error code enum, so it converts to std::error_code.
template <>
struct std::is_error_code_enum<mc::client::Error> : std::true_type {};
