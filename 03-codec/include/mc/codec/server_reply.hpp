/// \file
/// \brief Zero-copy replies for a server: a reply line plus a view of a stored value, held
/// alive by an owner until the write that sends them completes.

#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <asio/buffer.hpp>

#include "mc/codec/response.hpp"

namespace mc::codec {

/// \brief One reply line, stored inside the reply object when it fits (VALUE headers with
/// keys up to about 60 bytes, numbers and status words do), on the heap otherwise. memcached
/// does the same: each of its response objects carries a small write buffer for the header.
class ReplyLine {
 public:
  /// \brief Bytes stored without allocating. Replies are moved into the connection's queue,
  /// so a smaller object is a faster reply; a longer line costs one allocation.
  static constexpr std::size_t kInlineCapacity = 96;

  /// \brief Replaces the line with `text`.
  void assign(std::string_view text) {
    size_ = text.size();
    if (size_ <= kInlineCapacity) {
      spill_.clear();
      text.copy(inline_.data(), size_);
    } else {
      spill_.assign(text);
    }
  }
  /// \brief The stored line.
  std::string_view view() const {
    return size_ <= kInlineCapacity ? std::string_view(inline_.data(), size_)
                                    : std::string_view(spill_);
  }

 private:
  std::array<char, kInlineCapacity> inline_;  // not zeroed: only the first size_ bytes count
  std::size_t size_ = 0;
  std::string spill_;
};

/// \brief The bytes of one reply: a line (a static constant or a ReplyLine), then, for VALUE
/// and VA, a view of the value and its `\r\n`, then an optional constant trailer (the `END`
/// of a get, so that a one-key get is one reply instead of two).
class ReplyBytes {
 public:
  /// \brief Uses `line`, which must have static storage (a reply.hpp constant), as the line.
  void set_constant(std::string_view line) { constant_ = line; }
  /// \brief Copies `line` (with its `\r\n`) into the reply.
  void set_line(std::string_view line) {
    constant_ = {};
    line_.assign(line);
  }
  /// \brief Adds a data block after the line: `data` is viewed, not copied.
  void set_value(std::string_view data) {
    value_ = data;
    has_value_ = true;
  }
  /// \brief Adds `trailer`, which must have static storage, after everything else.
  void set_trailer(std::string_view trailer) { trailer_ = trailer; }
  /// \brief The line, whichever way it is stored.
  std::string_view line() const { return constant_.empty() ? line_.view() : constant_; }

  /// \brief Appends gather buffers for the reply to `out`; they point into this object,
  /// into the value and into static constants.
  /// \return the number of bytes they add up to
  std::size_t append_buffers(std::vector<asio::const_buffer>& out) const;

  /// \brief Appends a copy of the reply's bytes to `out` (for tests and tools).
  void append_to(std::string& out) const;

 private:
  std::string_view constant_;
  ReplyLine line_;
  std::string_view value_;
  std::string_view trailer_;
  bool has_value_ = false;
};

/// \brief Fills `bytes` with `VALUE <key> <flags> <bytes>[ <cas>]\r\n` and a view of the value:
/// the hot path of a get, which formats the line on the stack and allocates nothing for keys
/// up to kMaxKeyLength.
void compose_value(const ValueResponse& value, ReplyBytes& bytes);

/// \brief Fills `bytes` with the reply for `response`. A VALUE or VA reply views its data; the
/// other fields are copied into the line, so the response itself need not outlive the reply.
void compose_reply_bytes(const Response& response, ReplyBytes& bytes);

/// \brief What a server sends: reply bytes plus `owner`, which keeps a viewed value alive.
///
/// `Owner` is whatever holds a stored item: a `std::shared_ptr` to it (the default keeps any
/// type alive through `std::shared_ptr<const void>`), an intrusive reference, or an empty
/// type for replies that view nothing.
template <typename Owner = std::shared_ptr<const void>>
struct ServerReply {
  ReplyBytes bytes;  ///< what goes on the wire
  Owner owner{};     ///< keeps `bytes`' value view valid until the write completes
};

/// \brief A reply for `response`, holding `owner` (the owner of the viewed value).
template <typename Owner = std::shared_ptr<const void>>
ServerReply<Owner> compose_reply(const Response& response, Owner owner = {}) {
  ServerReply<Owner> reply;
  compose_reply_bytes(response, reply.bytes);
  reply.owner = std::move(owner);
  return reply;
}

/// \brief A reply that is one constant line, such as reply::kStored or a ProtocolError's
/// `reply`; `line` must have static storage.
template <typename Owner = std::shared_ptr<const void>>
ServerReply<Owner> constant_reply(std::string_view line) {
  ServerReply<Owner> reply;
  reply.bytes.set_constant(line);
  return reply;
}

}  // namespace mc::codec
