#include "mc/codec/request_parser.hpp"

#include <climits>
#include <cstring>

#include "mc/codec/reply.hpp"
#include "numbers.hpp"

namespace mc::codec {

using mc::net::Decoded;
using mc::net::DecodeStatus;

namespace {

Decoded<Request> message(std::size_t consumed, Request request) {
  return {DecodeStatus::kMessage, consumed, std::move(request)};
}

// Not a whole request yet; it will be `total` bytes long (the reader makes room once).
Decoded<Request> need_more(std::size_t total) { return {DecodeStatus::kNeedMore, 0, {}, total}; }

Decoded<Request> error_reply(std::size_t consumed, std::string_view reply, bool noreply = false) {
  return message(consumed, ProtocolError{reply, noreply});
}

// With no newline yet and more than 2048 bytes waiting, memcached assumes junk and closes,
// except for a get/gets line (at most 100 leading spaces), which may be a huge multi-get. We
// let such a line grow as long as the largest item, so that the read buffer stays bounded.
bool too_long_without_newline(std::string_view input, std::size_t max_get_line) {
  if (input.size() <= kMaxLineWithoutNewline) return false;
  const std::size_t start = input.find_first_not_of(' ');
  if (start == std::string_view::npos || start > 100) return true;
  const std::string_view line = input.substr(start);
  if (!line.starts_with("get ") && !line.starts_with("gets ")) return true;
  return input.size() > max_get_line;
}

// memcached's set_noreply_maybe: the last token decides.
bool last_is_noreply(std::string_view last) { return last == "noreply"; }

}  // namespace

std::string_view RequestParser::Line::rest(std::size_t first) const {
  if (first >= count) return {};
  std::string_view rest = text.substr(static_cast<std::size_t>(tokens[first].data() - text.data()));
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return rest;
}

//! [frame-line]
Decoded<Request> RequestParser::parse(std::string_view input) {
  if (skip_remaining_ > 0) {
    if (input.empty()) return {};
    const std::size_t n = std::min(skip_remaining_, input.size());
    skip_remaining_ -= n;
    return message(n, SkippedData{n});
  }
  const auto* newline = static_cast<const char*>(std::memchr(input.data(), '\n', input.size()));
  if (newline == nullptr) {
    return {too_long_without_newline(input, limit_.max_item_size) ? DecodeStatus::kError
                                                                  : DecodeStatus::kNeedMore};
  }
  Line line;
  std::size_t length = static_cast<std::size_t>(newline - input.data());
  line.consumed = length + 1;
  if (length > 1 && input[length - 1] == '\r') --length;
  line.text = input.substr(0, length);
  // memcached tokenizes a C string: a NUL byte ends the line early.
  if (const void* nul = std::memchr(line.text.data(), '\0', line.text.size())) {
    line.text = line.text.substr(
        0, static_cast<std::size_t>(static_cast<const char*>(nul) - line.text.data()));
  }
  return parse_line(input, line);
}
//! [frame-line]

Decoded<Request> RequestParser::parse_line(std::string_view input, Line& line) {
  // Split on spaces; past 23 tokens only get/gets care, and they re-read the rest of the line.
  std::string_view rest = line.text;
  while (line.count < line.tokens.size()) {
    const std::size_t start = rest.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const std::size_t end = std::min(rest.find(' '), rest.size());
    line.tokens[line.count++] = rest.substr(0, end);
    rest.remove_prefix(end);
  }
  line.ntokens = line.count + 1;

  const std::size_t consumed = line.consumed;
  const std::size_t ntokens = line.ntokens;
  if (ntokens < 2 || line.tokens[0].size() < 2) return error_reply(consumed, reply::kError);
  const std::string_view command = line.tokens[0];
  const auto count_is = [&](std::size_t a, std::size_t b) { return ntokens == a || ntokens == b; };

  //! [dispatch]
  // The same branching as memcached's process_command_ascii: the first letter picks a family,
  // and the families answer ERROR for what they do not know (no HTTP check there).
  switch (command[0]) {
    case 'm':
      if (command.size() == 2) return parse_meta(input, line);
      break;
    case 'g':
      if (ntokens < 3) return error_reply(consumed, reply::kError);
      if (command == "get") return parse_retrieval(line, RetrieveCommand::kGet);
      if (command == "gets") return parse_retrieval(line, RetrieveCommand::kGets);
      if (command == "gat") return parse_retrieval(line, RetrieveCommand::kGat);
      if (command == "gats") return parse_retrieval(line, RetrieveCommand::kGats);
      return error_reply(consumed, reply::kError);
    case 's':
      if (command == "set") {
        if (!count_is(6, 7)) return error_reply(consumed, reply::kError);
        return parse_storage(input, line, StoreCommand::kSet);
      }
      return parse_other(line);  // stats, shutdown, or ERROR
    case 'a':
      if (command == "add" || command == "append") {
        if (!count_is(6, 7)) return error_reply(consumed, reply::kError);
        return parse_storage(input, line,
                             command == "add" ? StoreCommand::kAdd : StoreCommand::kAppend);
      }
      return error_reply(consumed, reply::kError);
    case 'c':
      if (command == "cas") {
        if (!count_is(7, 8)) return error_reply(consumed, reply::kError);
        return parse_storage(input, line, StoreCommand::kCas);
      }
      return parse_other(line);  // cache_memlimit, or ERROR
    case 'i':
    case 'd':
    case 't':
      return parse_other(line);  // incr, delete, decr, touch, or ERROR
    default:
      break;
  }
  if (command == "replace" || command == "prepend") {
    if (!count_is(6, 7)) return error_reply(consumed, reply::kError);
    return parse_storage(input, line,
                         command == "replace" ? StoreCommand::kReplace : StoreCommand::kPrepend);
  }
  if (command == "bget") {  // an ancient alias memcached still honours
    if (ntokens < 3) return error_reply(consumed, reply::kError);
    return parse_retrieval(line, RetrieveCommand::kGet);
  }
  return parse_other(line);
  //! [dispatch]
}

//! [storage]
Decoded<Request> RequestParser::parse_storage(std::string_view input, const Line& line,
                                              StoreCommand command) {
  const auto& t = line.tokens;
  const bool noreply = last_is_noreply(t[line.count - 1]);
  const auto refuse = [&](std::string_view reply) {
    // An error on the line does not skip the data: memcached reads it as the next command.
    return error_reply(line.consumed, reply, noreply);
  };
  if (t[1].size() > kMaxKeyLength) return refuse(reply::kBadFormat);
  const auto flags = detail::parse_u32(t[2]);
  const auto exptime = detail::parse_i32(t[3]);
  const auto length = detail::parse_i32(t[4]);
  if (!flags || !exptime || !length) return refuse(reply::kBadFormat);
  StorageRequest request{command, t[1], *flags, *exptime, 0, noreply, {}};
  if (command == StoreCommand::kCas) {
    const auto cas = detail::parse_u64(t[5]);
    if (!cas) return refuse(reply::kBadFormat);
    request.cas = *cas;
  }
  if (*length < 0 || *length > INT_MAX - 2) return refuse(reply::kBadFormat);
  const auto value_length = static_cast<std::size_t>(*length);
  if (!limit_.fits(request.key.size(), request.flags, value_length)) {
    // memcached deletes the old value of a set that is too large, and keeps the others'.
    const std::string_view stale = command == StoreCommand::kSet ? request.key : std::string_view{};
    return start_skipping(line, value_length + 2,
                          {reply::kTooLarge, noreply, ErrorCause::kTooLarge, stale});
  }
  const std::size_t total = line.consumed + value_length + 2;
  if (input.size() < total) return need_more(total);  // wait for the whole data block
  if (input.substr(line.consumed + value_length, 2) != reply::kCrlf) {
    return error_reply(total, reply::kBadDataChunk, noreply);  // exactly <bytes>+2 consumed
  }
  request.data = input.substr(line.consumed, value_length);
  return message(total, request);
}
//! [storage]

Decoded<Request> RequestParser::parse_retrieval(const Line& line, RetrieveCommand command) {
  RetrievalRequest request{command, 0, {}};
  std::size_t first_key = 1;
  if (command == RetrieveCommand::kGat || command == RetrieveCommand::kGats) {
    const auto exptime = detail::parse_i32(line.tokens[1]);
    if (!exptime) return error_reply(line.consumed, reply::kInvalidExptime);
    request.exptime = *exptime;
    first_key = 2;
  }
  request.key_list = line.rest(first_key);
  for (const std::string_view key : request.keys()) {
    if (key.size() > kMaxKeyLength) return error_reply(line.consumed, reply::kBadFormat);
  }
  return message(line.consumed, request);
}

Decoded<Request> RequestParser::start_skipping(const Line& line, std::size_t bytes,
                                               const ProtocolError& error) {
  skip_remaining_ = bytes;
  return message(line.consumed, error);
}

}  // namespace mc::codec
