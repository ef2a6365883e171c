/// \file
/// \brief Where the handler puts its replies: the connection in the server, a vector in tests.

#pragma once

#include <string_view>

#include "mc/codec/server_reply.hpp"
#include "mc/server/item_handle.hpp"

namespace mc::server {

/// \brief One reply: bytes for the wire, and the item whose value they view (if any). The
/// handle keeps the value alive until the connection has written it.
using Reply = codec::ServerReply<ItemHandle>;

/// \brief The handler's way out. The server implements it on a connection; tests collect.
class ReplySink {
 public:
  virtual ~ReplySink() = default;
  /// \brief Queues one reply behind the previous ones.
  virtual void send(Reply reply) = 0;
  /// \brief Closes the connection once what is queued has been written (`quit`).
  virtual void close_after_flush() = 0;

  /// \brief Queues a constant line such as codec::reply::kStored.
  void send_constant(std::string_view line) { send(codec::constant_reply<ItemHandle>(line)); }
  /// \brief Queues a copy of `text`, which mc::codec composed (a `stats` group, a key dump).
  void send_text(std::string_view text) {
    Reply reply;
    reply.bytes.set_line(text);
    send(std::move(reply));
  }
};

}  // namespace mc::server
