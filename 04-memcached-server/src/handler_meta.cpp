// The meta commands (mg, ms, md, ma, mn, me) and the key dumps.

#include "mc/codec/reply.hpp"
#include "mc/server/handler.hpp"

namespace mc::server {

namespace reply = codec::reply;

void Handler::on(const codec::MetaNoopRequest&, ReplySink& sink) { sink.send_constant("MN\r\n"); }

// TODO(meta): the following are being written; they answer as an unknown command for now.
void Handler::on(const codec::MetaRequest&, ReplySink& sink) { sink.send_constant(reply::kError); }
void Handler::on(const codec::MetaDebugRequest&, ReplySink& sink) {
  sink.send_constant(reply::kError);
}
void Handler::on(const codec::StatsCachedumpRequest&, ReplySink& sink) {
  sink.send_constant(reply::kError);
}
void Handler::on(const codec::LruCrawlerMetadumpRequest&, ReplySink& sink) {
  sink.send_constant(reply::kError);
}

}  // namespace mc::server
