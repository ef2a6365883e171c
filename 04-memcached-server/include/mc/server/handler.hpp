/// \file
/// \brief The handler: applies parsed requests to the store and answers them, the way the Go
/// project's handler goroutine does, but called directly by each connection's reader.

#pragma once

#include "mc/codec/request.hpp"
#include "mc/server/reply_sink.hpp"
#include "mc/server/server_context.hpp"

namespace mc::server {

/// \brief Turns requests into calls on the storage engine (ShardedStore) and decides the
/// answers; mc::codec writes their bytes. Each connection has one; it is two references, so
/// making one per connection costs nothing.
class Handler {
 public:
  /// \brief A handler for one connection of the server `context`, counting into `stats`.
  Handler(ServerContext& context, CommandStats& stats);

  /// \brief Applies `request` and queues its replies on `sink`, in order.
  void handle(const codec::Request& request, ReplySink& sink);

  //! \cond INTERNAL
  // One overload per request type; std::visit picks the right one. The meta ones live in
  // handler_meta.cpp and the administrative ones in handler_admin.cpp.
  void on(const codec::StorageRequest& request, ReplySink& sink);
  void on(const codec::RetrievalRequest& request, ReplySink& sink);
  void on(const codec::DeleteRequest& request, ReplySink& sink);
  void on(const codec::ArithmeticRequest& request, ReplySink& sink);
  void on(const codec::TouchRequest& request, ReplySink& sink);
  void on(const codec::FlushAllRequest& request, ReplySink& sink);
  void on(const codec::VersionRequest& request, ReplySink& sink);
  void on(const codec::VerbosityRequest& request, ReplySink& sink);
  void on(const codec::QuitRequest& request, ReplySink& sink);
  void on(const codec::StatsRequest& request, ReplySink& sink);
  void on(const codec::StatsCachedumpRequest& request, ReplySink& sink);
  void on(const codec::LruCrawlerMetadumpRequest& request, ReplySink& sink);
  void on(const codec::ShutdownRequest& request, ReplySink& sink);
  void on(const codec::CacheMemlimitRequest& request, ReplySink& sink);
  void on(const codec::MetaRequest& request, ReplySink& sink);
  void on(const codec::MetaNoopRequest& request, ReplySink& sink);
  void on(const codec::MetaDebugRequest& request, ReplySink& sink);
  void on(const codec::ProtocolError& request, ReplySink& sink);
  void on(const codec::SkippedData& request, ReplySink& sink);
  //! \endcond

  /// \brief The server whose store and settings this handler uses.
  ServerContext& context() const { return context_; }

 private:
  static Reply value_reply(ItemHandle item, bool with_cas);

  ServerContext& context_;
  CommandStats& stats_;
};

}  // namespace mc::server
