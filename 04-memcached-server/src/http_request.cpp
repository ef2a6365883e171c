#include "mc/server/http_request.hpp"

#include <algorithm>

namespace mc::server {
namespace {

using Status = HttpRequest::Status;

HttpRequest bad() { return {.status = Status::kBad, .method = {}, .path = {}}; }

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '!' || c == '~' || c == '*' || c == '+';
  });
}

bool is_printable(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == '\t' || (c >= ' ' && c != '\x7f'); });
}

std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

HttpRequest parse_http_request(std::string_view buffer) {
  // The head ends at the first empty line.
  std::size_t start = 0;
  std::size_t lines = 0;
  std::string_view request_line;
  for (;;) {
    const std::size_t end = buffer.find('\n', start);
    if (end == std::string_view::npos) {
      return buffer.size() >= kMaxHttpHead ? bad() : HttpRequest{};
    }
    if (end >= kMaxHttpHead) return bad();
    const std::string_view line = without_cr(buffer.substr(start, end - start));
    start = end + 1;
    if (lines++ == 0) {
      request_line = line;
      continue;
    }
    if (line.empty()) break;
    // A header is `name: value`; folded continuation lines are obsolete and refused.
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon)) ||
        !is_printable(line.substr(colon + 1))) {
      return bad();
    }
  }
  // METHOD SP target SP HTTP/1.x
  const std::size_t first = request_line.find(' ');
  const std::size_t second = request_line.find(' ', first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return bad();
  const std::string_view method = request_line.substr(0, first);
  const std::string_view target = request_line.substr(first + 1, second - first - 1);
  const std::string_view version = request_line.substr(second + 1);
  if (!is_token(method) || target.empty() || target.front() != '/' || !is_printable(target) ||
      target.find(' ') != std::string_view::npos ||
      (version != "HTTP/1.1" && version != "HTTP/1.0")) {
    return bad();
  }
  return {.status = Status::kGood, .method = method, .path = target.substr(0, target.find('?'))};
}

}  // namespace mc::server
