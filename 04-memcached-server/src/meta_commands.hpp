// The meta commands and the key dumps, as free functions the Handler calls (private to the
// library), and MetaLine, which builds a meta reply line flag by flag.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

#include "mc/codec/base64.hpp"
#include "mc/codec/request.hpp"
#include "mc/server/command_stats.hpp"
#include "mc/server/reply_sink.hpp"
#include "mc/server/server_context.hpp"

namespace mc::server::meta {

void get(ServerContext& context, const codec::MetaRequest& request, ReplySink& sink);
void set(ServerContext& context, CommandStats& stats, const codec::MetaRequest& request,
         ReplySink& sink);
void remove(ServerContext& context, const codec::MetaRequest& request, ReplySink& sink);
void arithmetic(ServerContext& context, const codec::MetaRequest& request, ReplySink& sink);
void debug(ServerContext& context, const codec::MetaDebugRequest& request, ReplySink& sink);
void cachedump(ServerContext& context, const codec::StatsCachedumpRequest& request,
               ReplySink& sink);
void metadump(ServerContext& context, const codec::LruCrawlerMetadumpRequest& request,
              ReplySink& sink);

// One meta reply line: the status code, then return flags in the order the request named
// them (memcached writes them in that order), then "\r\n". Formatted on the stack.
class MetaLine {
 public:
  explicit MetaLine(std::string_view code) { out_.append(code); }

  // " <letter><number>", as s, c, f, h, l and t write.
  template <typename Number>
  void number(char letter, Number value) {
    fmt::format_to(std::back_inserter(out_), " {}{}", letter, value);
  }
  // " <number>": the data length after VA.
  void length(std::size_t value) { fmt::format_to(std::back_inserter(out_), " {}", value); }
  // The O token comes back as sent, letter included.
  void opaque(std::string_view token) {
    out_.push_back(' ');
    out_.append(token);
  }
  // " k<key>", or for a binary key " k<base64> b" (memcached's META_KEY).
  void key(std::string_view key, bool binary) {
    out_.append(std::string_view(" k"));
    if (!binary) {
      out_.append(key);
      return;
    }
    std::string encoded;  // rare: only base64 keys pay for the allocation
    codec::base64_encode(key, encoded);
    out_.append(encoded);
    out_.append(std::string_view(" b"));
  }
  // A flag without a value: W, X, Z.
  void mark(char letter) {
    out_.push_back(' ');
    out_.push_back(letter);
  }
  // Appends raw text (ma's value after its line).
  void text(std::string_view text) { out_.append(text); }
  // Ends the line and returns it.
  std::string_view finish() {
    out_.append(std::string_view("\r\n"));
    return {out_.data(), out_.size()};
  }

 private:
  fmt::memory_buffer out_;
};

// O and k are echoed even when the item is missing; the key is the one the request named.
inline void echo_opaque_and_key(const codec::MetaRequest& request, MetaLine& line) {
  for (const std::string_view token : request.flag_tokens()) {
    if (token[0] == 'O') line.opaque(token);
    if (token[0] == 'k') line.key(request.key, request.flags.has('b'));
  }
}

// Sends a line formatted by MetaLine.
inline void send_line(ReplySink& sink, MetaLine& line) {
  Reply reply;
  reply.bytes.set_line(line.finish());
  sink.send(std::move(reply));
}

}  // namespace mc::server::meta
