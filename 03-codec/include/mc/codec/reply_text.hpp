/// \file
/// \brief The reply lines a server builds piece by piece: meta replies flag by flag, `stats`
/// groups, and item metadata (`me` and the key dumps). The server decides what to say; these
/// write how memcached says it.

#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mc/codec/response.hpp"
#include "mc/codec/server_reply.hpp"

namespace mc::codec {

/// \brief One meta reply line: the status code, then return flags in the order the server
/// adds them (memcached writes them in the order the request named them), then `\r\n`.
///
/// Built on the stack: each flag comes back at most once (the parser refuses duplicates), so
/// the longest line, a base64 key included, fits the buffer.
class MetaLine {
 public:
  /// \brief Starts a line with the code of `status` (`HD`, `VA`, `EN`, ...).
  explicit MetaLine(MetaStatus status);

  /// \brief ` <length>`: the data length right after `VA`.
  void value_length(std::size_t length);
  /// \brief ` <flag><number>`, as `s`, `c`, `f`, `h`, `l` and `t` are returned.
  void number(char flag, std::uint64_t value);
  /// \brief ` <flag><number>` for a signed value (`t-1`: no expiry).
  void signed_number(char flag, std::int64_t value);
  /// \brief The `O` token, echoed as sent, letter included.
  void opaque(std::string_view token);
  /// \brief ` k<key>`, or for a binary key ` k<base64> b` (memcached's META_KEY).
  void key(std::string_view key, bool base64);
  /// \brief A flag without a value: `W`, `X`, `Z`.
  void mark(char flag);

  /// \brief Ends the line and copies it into `bytes`; a VA reply's value is added with
  /// ReplyBytes::set_value().
  void finish(ReplyBytes& bytes);
  /// \brief Ends the line, adds `data` and its `\r\n` after it (the value of `ma`, a number),
  /// and copies both into `bytes`.
  void finish_with_data(std::string_view data, ReplyBytes& bytes);

 private:
  void append(std::string_view text);
  void append(char c) { append(std::string_view(&c, 1)); }
  void append_decimal(std::uint64_t value);

  // Code, 16 flags of at most 34 bytes, a 252-byte base64 key, ma's number: well under this.
  std::array<char, 1024> buffer_;  // not zeroed: only the first size_ bytes count
  std::size_t size_ = 0;
};

/// \brief What `me` and the key dumps print about one item. The server computes the numbers
/// (the clocks differ: `me` prints ages, the dumps unix times); these functions write them.
struct ItemMetadata {
  std::string_view key;     ///< the key as stored
  bool key_binary = false;  ///< `me`: the key was stored in base64 and is printed so
  std::int64_t exp = 0;     ///< `exp=`
  std::int64_t la = 0;      ///< `la=`
  std::uint64_t cas = 0;    ///< `cas=`
  bool fetched = false;     ///< `fetch=yes` or `fetch=no`
  std::size_t cls = 0;      ///< `cls=`, the size class as numbered on the wire (from 1)
  std::size_t size = 0;     ///< `size=`
};

/// \brief `ME <key> exp=... la=... cas=... fetch=... cls=... size=...\r\n`, the answer to `me`.
void compose_meta_debug(const ItemMetadata& item, ReplyBytes& bytes);

/// \brief Appends one `lru_crawler metadump` line: `key=<URL-encoded key> exp=... ... size=...`
/// ending in a bare `\n`, as memcached's crawler writes it.
void append_metadump_line(const ItemMetadata& item, std::string& out);

/// \brief Appends one `stats cachedump` line: `ITEM <key> [<bytes> b; <exptime> s]\r\n`.
void append_cachedump_line(std::string_view key, std::size_t value_length, std::int64_t exptime,
                           std::string& out);

/// \brief The text of one `stats` group: `STAT <name> <value>` lines, then `END`.
class StatsText {
 public:
  /// \brief Adds `STAT <name> <value>\r\n`.
  void add(std::string_view name, std::string_view value);
  /// \brief Adds `STAT <name> <value>\r\n` for an integer value.
  template <std::integral Number>
  requires(!std::same_as<Number, bool>) void add(std::string_view name, Number value) {
    if constexpr (std::signed_integral<Number>) {
      add_signed(name, value);
    } else {
      add_unsigned(name, value);
    }
  }
  /// \brief Ends the group with `END\r\n` and hands its text over.
  std::string finish();

 private:
  void add_signed(std::string_view name, std::int64_t value);
  void add_unsigned(std::string_view name, std::uint64_t value);

  std::string text_;
};

}  // namespace mc::codec
