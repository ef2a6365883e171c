/// \file
/// \brief Composing: requests for a client, responses for a server, as plain bytes.
///
/// These are the copying forms, handy for tests, tools and fuzzers. A server that wants
/// zero-copy replies uses ServerReply (server_reply.hpp); a client sends OutRequest.

#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "mc/codec/request.hpp"
#include "mc/codec/response.hpp"

namespace mc::codec {

/// \brief Appends the command line of `request`, `\r\n` included, without its data block.
///
/// Meta commands are written from `key_token` (the key as it goes on the wire, base64 when
/// the `b` flag is set; `key` if `key_token` is empty) and `flag_list`.
/// \return false (and appends nothing) for ProtocolError and SkippedData, which are parse
/// results, not commands
bool compose_request_line(const Request& request, std::string& out);

/// \brief The data block a request carries (storage commands and ms), without its `\r\n`;
/// empty for the others.
std::string_view request_data(const Request& request);

/// \brief Whether the request has a data block on the wire (even an empty one).
bool has_data_block(const Request& request);

/// \brief Appends the whole wire form of `request`: line, data block and its `\r\n`.
/// \return false for ProtocolError and SkippedData
bool compose_request(const Request& request, std::string& out);

/// \brief The two-letter code of a meta reply (`HD`, `VA`, `EN`, ...), from reply.hpp.
std::string_view meta_code(MetaStatus status);

/// \brief Appends the wire form of `response`, data block included.
void compose_response(const Response& response, std::string& out);

/// \brief What a client queues to send: the command line, composed once, and a view of the
/// data block, whose memory `keep_alive` may own.
struct OutRequest {
  std::string line;                        ///< command line with `\r\n`
  std::string_view data;                   ///< data block without `\r\n`
  bool has_data = false;                   ///< write `data` and `\r\n` after the line
  std::shared_ptr<const void> keep_alive;  ///< owner of `data` (and anything else viewed)
};

/// \brief Composes `request` for sending; its data block is viewed, not copied, so the
/// caller keeps it alive, for instance through `keep_alive`.
OutRequest make_out_request(const Request& request, std::shared_ptr<const void> keep_alive = {});

}  // namespace mc::codec
