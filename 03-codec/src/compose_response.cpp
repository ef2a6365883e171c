#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <iterator>
#include <type_traits>

#include "mc/codec/compose.hpp"
#include "mc/codec/reply.hpp"
#include "mc/codec/server_reply.hpp"

namespace mc::codec {

namespace {

std::string_view status_line(Status status) {
  constexpr std::string_view kLines[] = {reply::kStored,   reply::kNotStored, reply::kExists,
                                         reply::kNotFound, reply::kDeleted,   reply::kTouched,
                                         reply::kOk,       reply::kReset};
  return kLines[static_cast<int>(status)];
}

}  // namespace

std::string_view meta_code(MetaStatus status) {
  constexpr std::string_view kCodes[] = {reply::kMetaHd, reply::kMetaVa, reply::kMetaEn,
                                         reply::kMetaNs, reply::kMetaEx, reply::kMetaNf,
                                         reply::kMetaMn};
  return kCodes[static_cast<int>(status)];
}

std::size_t ReplyBytes::append_buffers(std::vector<asio::const_buffer>& out) const {
  const std::string_view head = line();
  std::size_t bytes = head.size();
  out.push_back(asio::buffer(head));
  if (has_value_) {
    out.push_back(asio::buffer(value_));
    out.push_back(asio::buffer(reply::kCrlf));
    bytes += value_.size() + reply::kCrlf.size();
  }
  if (!trailer_.empty()) {
    out.push_back(asio::buffer(trailer_));
    bytes += trailer_.size();
  }
  return bytes;
}

void ReplyBytes::append_to(std::string& out) const {
  out += line();
  if (has_value_) {
    out += value_;
    out += reply::kCrlf;
  }
  out += trailer_;
}

//! [compose-value]
void compose_value(const ValueResponse& value, ReplyBytes& bytes) {
  // A key of up to 250 bytes and three numbers of at most 20 digits fit on the stack; only a
  // client's tests compose longer keys.
  std::array<char, kMaxKeyLength + 80> stack;
  std::string heap;
  char* const start = value.key.size() <= kMaxKeyLength
                          ? stack.data()
                          : (heap.resize(value.key.size() + 80), heap.data());
  char* out = start;
  const auto text = [&](std::string_view piece) {
    out = std::copy(piece.begin(), piece.end(), out);
  };
  const auto number = [&](std::uint64_t n) { out = std::to_chars(out, out + 20, n).ptr; };
  text(reply::kValuePrefix);
  text(value.key);
  text(" ");
  number(value.flags);
  text(" ");
  number(value.data.size());
  if (value.has_cas) {
    text(" ");
    number(value.cas);
  }
  text(reply::kCrlf);
  bytes.set_line(std::string_view(start, static_cast<std::size_t>(out - start)));
  bytes.set_value(value.data);
}

void compose_reply_bytes(const Response& response, ReplyBytes& bytes) {
  // Lines are formatted on the stack (fmt's buffer holds 500 bytes before it allocates) and
  // copied into the reply; constants and values are only pointed to.
  fmt::memory_buffer line;
  auto it = std::back_inserter(line);
  std::visit(
      [&](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, ValueResponse>) {
          compose_value(r, bytes);
        } else if constexpr (std::is_same_v<T, EndResponse>) {
          bytes.set_constant(reply::kEnd);
        } else if constexpr (std::is_same_v<T, StatusResponse>) {
          bytes.set_constant(status_line(r.status));
        } else if constexpr (std::is_same_v<T, NumberResponse>) {
          fmt::format_to(it, "{}", r.value);
        } else if constexpr (std::is_same_v<T, StatResponse>) {
          fmt::format_to(it, "{}{}", reply::kStatPrefix, r.name);
          if (!r.value.empty()) fmt::format_to(it, " {}", r.value);
        } else if constexpr (std::is_same_v<T, VersionResponse>) {
          fmt::format_to(it, "{}{}", reply::kVersionPrefix, r.version);
        } else if constexpr (std::is_same_v<T, ErrorResponse>) {
          fmt::format_to(it, "{}", r.line);
        } else if constexpr (std::is_same_v<T, MetaResponse>) {
          fmt::format_to(it, "{}", meta_code(r.status));
          if (r.status == MetaStatus::kVa) {
            fmt::format_to(it, " {}", r.data.size());
            bytes.set_value(r.data);
          }
          if (!r.flag_list.empty()) fmt::format_to(it, " {}", r.flag_list);
        } else if constexpr (std::is_same_v<T, MetaDebugResponse>) {
          fmt::format_to(it, "ME {}", r.key);
          if (!r.info.empty()) fmt::format_to(it, " {}", r.info);
        } else {
          static_assert(std::is_same_v<T, MetadumpResponse>);
          fmt::format_to(it, "{}", r.line);
        }
      },
      response);
  if (line.size() > 0) {
    fmt::format_to(it, "{}", reply::kCrlf);
    bytes.set_line(std::string_view(line.data(), line.size()));
  }
}
//! [compose-value]

void compose_response(const Response& response, std::string& out) {
  ReplyBytes bytes;
  compose_reply_bytes(response, bytes);
  bytes.append_to(out);
}

}  // namespace mc::codec
