#include "mc/codec/reply_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <iterator>

#include "mc/codec/base64.hpp"
#include "mc/codec/compose.hpp"
#include "mc/codec/reply.hpp"

namespace mc::codec {
namespace {

// The fields `me` and the metadump share, after the key.
void append_item_fields(const ItemMetadata& item, std::string& out) {
  fmt::format_to(std::back_inserter(out), " exp={} la={} cas={} fetch={} cls={} size={}", item.exp,
                 item.la, item.cas, item.fetched ? "yes" : "no", item.cls, item.size);
}

// memcached's uriencode: everything but letters, digits and "-._~" as %XX (upper case).
void append_uri_encoded(std::string_view key, std::string& out) {
  for (const char c : key) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (plain) {
      out.push_back(c);
    } else {
      fmt::format_to(std::back_inserter(out), "%{:02X}", byte);
    }
  }
}

}  // namespace

MetaLine::MetaLine(MetaStatus status) { append(meta_code(status)); }

void MetaLine::append(std::string_view text) {
  const std::size_t n = std::min(text.size(), buffer_.size() - size_);  // never overflows
  std::copy_n(text.data(), n, buffer_.data() + size_);
  size_ += n;
}

void MetaLine::append_decimal(std::uint64_t value) {
  char digits[20];
  const char* end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  append(std::string_view(digits, static_cast<std::size_t>(end - digits)));
}

void MetaLine::value_length(std::size_t length) {
  append(' ');
  append_decimal(length);
}

void MetaLine::number(char flag, std::uint64_t value) {
  append(' ');
  append(flag);
  append_decimal(value);
}

void MetaLine::signed_number(char flag, std::int64_t value) {
  append(' ');
  append(flag);
  if (value < 0) append('-');
  append_decimal(value < 0 ? 0 - static_cast<std::uint64_t>(value)
                           : static_cast<std::uint64_t>(value));
}

void MetaLine::opaque(std::string_view token) {
  append(' ');
  append(token);
}

void MetaLine::key(std::string_view key, bool base64) {
  append(" k");
  if (!base64) return append(key);
  std::string encoded;  // rare: only base64 keys pay for the allocation
  base64_encode(key, encoded);
  append(encoded);
  append(" b");
}

void MetaLine::mark(char flag) {
  append(' ');
  append(flag);
}

void MetaLine::finish(ReplyBytes& bytes) {
  append(reply::kCrlf);
  bytes.set_line(std::string_view(buffer_.data(), size_));
}

void MetaLine::finish_with_data(std::string_view data, ReplyBytes& bytes) {
  append(reply::kCrlf);
  append(data);
  finish(bytes);
}

void compose_meta_debug(const ItemMetadata& item, ReplyBytes& bytes) {
  std::string line = "ME ";
  if (item.key_binary) {
    base64_encode(item.key, line);
  } else {
    line += item.key;
  }
  append_item_fields(item, line);
  line += reply::kCrlf;
  bytes.set_line(line);
}

void append_metadump_line(const ItemMetadata& item, std::string& out) {
  out += "key=";
  append_uri_encoded(item.key, out);
  append_item_fields(item, out);
  out += '\n';
}

void append_cachedump_line(std::string_view key, std::size_t value_length, std::int64_t exptime,
                           std::string& out) {
  fmt::format_to(std::back_inserter(out), "ITEM {} [{} b; {} s]\r\n", key, value_length, exptime);
}

void StatsText::add(std::string_view name, std::string_view value) {
  fmt::format_to(std::back_inserter(text_), "{}{} {}\r\n", reply::kStatPrefix, name, value);
}

void StatsText::add_signed(std::string_view name, std::int64_t value) {
  fmt::format_to(std::back_inserter(text_), "{}{} {}\r\n", reply::kStatPrefix, name, value);
}

void StatsText::add_unsigned(std::string_view name, std::uint64_t value) {
  fmt::format_to(std::back_inserter(text_), "{}{} {}\r\n", reply::kStatPrefix, name, value);
}

std::string StatsText::finish() {
  text_ += reply::kEnd;
  return std::move(text_);
}

}  // namespace mc::codec
