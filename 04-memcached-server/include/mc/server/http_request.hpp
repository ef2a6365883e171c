/// \file
/// \brief The head of an HTTP/1.x request, parsed just enough to route a GET: the metrics
/// listener needs the method and the path, and must refuse anything malformed.

#pragma once

#include <cstddef>
#include <string_view>

namespace mc::server {

/// \brief The largest request head accepted: a scraper's is a few hundred bytes.
inline constexpr std::size_t kMaxHttpHead = 8192;

/// \brief A parsed request head. The views point into the parsed buffer.
struct HttpRequest {
  /// \brief The outcome of parsing.
  enum class Status {
    kGood,      ///< a whole, well-formed head: method and path are set
    kBad,       ///< malformed, or larger than kMaxHttpHead: answer 400
    kNeedMore,  ///< no blank line yet: read more
  };
  Status status = Status::kNeedMore;  ///< the outcome
  std::string_view method;            ///< `GET`, ...
  std::string_view path;              ///< the target without its query (`/metrics`)
};

/// \brief Parses the request head at the start of `buffer` (request line, header lines, blank
/// line; lines end with CRLF, or LF alone).
HttpRequest parse_http_request(std::string_view buffer);

}  // namespace mc::server
