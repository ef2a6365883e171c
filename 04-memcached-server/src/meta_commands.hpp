// The meta commands and the key dumps, as free functions the Handler calls (private to the
// library). They decide what to answer; codec::MetaLine and reply_text.hpp write it.
#pragma once

#include <string_view>

#include "mc/codec/reply_text.hpp"
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

// O and k are echoed even when the item is missing; the key is the one the request named.
inline void echo_opaque_and_key(const codec::MetaRequest& request, codec::MetaLine& line) {
  for (const std::string_view token : request.flag_tokens()) {
    if (token[0] == 'O') line.opaque(token);
    if (token[0] == 'k') line.key(request.key, request.flags.has('b'));
  }
}

// Sends a line built with codec::MetaLine.
inline void send_line(ReplySink& sink, codec::MetaLine& line) {
  Reply reply;
  line.finish(reply.bytes);
  sink.send(std::move(reply));
}

}  // namespace mc::server::meta
