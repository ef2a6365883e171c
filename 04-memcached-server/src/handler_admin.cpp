// The administrative commands: flush_all, version, verbosity, quit, stats, shutdown and
// cache_memlimit.

#include "mc/codec/reply.hpp"
#include "mc/common/log.hpp"
#include "mc/server/handler.hpp"
#include "mc/server/stats_report.hpp"
#include "mc/server/version.hpp"

namespace mc::server {
namespace {

namespace reply = codec::reply;

// memcached refuses cache_memlimit below 8 megabytes, and reads a huge number as a mistake
// for bytes.
constexpr std::uint32_t kMinMemlimitMegabytes = 8;
constexpr std::uint32_t kMaxMemlimitMegabytes = 1'000'000'000;

}  // namespace

void Handler::on(const codec::FlushAllRequest& request, ReplySink& sink) {
  if (!context_.settings().flush_enabled) {
    if (!request.noreply) sink.send_constant(reply::kFlushDisabled);
    return;
  }
  common::bump(stats_.cmd_flush);
  context_.store().for_each([&](Store& store) { store.flush_all(request.delay); });
  if (!request.noreply) sink.send_constant(reply::kOk);
}

void Handler::on(const codec::VersionRequest&, ReplySink& sink) {
  Reply version;
  codec::compose_reply_bytes(codec::VersionResponse{kVersion}, version.bytes);
  sink.send(std::move(version));
}

void Handler::on(const codec::VerbosityRequest& request, ReplySink& sink) {
  common::set_log_level(common::level_from_verbosity(static_cast<int>(request.level)));
  if (!request.noreply) sink.send_constant(reply::kOk);
}

void Handler::on(const codec::QuitRequest&, ReplySink& sink) { sink.close_after_flush(); }

//! [stats]
void Handler::on(const codec::StatsRequest& request, ReplySink& sink) {
  const std::string_view group = request.group;
  if (group.empty()) return sink.send_text(general_stats(context_));
  if (group == "settings") return sink.send_text(settings_stats(context_));
  if (group == "items") return sink.send_text(items_stats(context_));
  if (group == "slabs") return sink.send_text(slabs_stats(context_));
  if (group == "conns") return sink.send_text(conns_stats(context_));
  if (group == "sizes") return sink.send_constant(reply::kSizesDisabled);
  if (group == "detail") return sink.send_constant(reply::kDetailUsage);
  if (group == "reset") {
    reset_stats(context_);
    return sink.send_constant(reply::kReset);
  }
  sink.send_constant(reply::kError);  // memcached answers an unknown group like this
}
//! [stats]

void Handler::on(const codec::ShutdownRequest& request, ReplySink& sink) {
  if (!context_.settings().shutdown_enabled) return sink.send_constant(reply::kShutdownNotEnabled);
  if (request.mode == codec::ShutdownMode::kInvalid) {
    return sink.send_constant(reply::kInvalidShutdownMode);
  }
  // Like memcached: no reply, the connection closes and the server stops gracefully.
  common::log_info("shutdown requested by a client");
  sink.close_after_flush();
  context_.request_shutdown();
}

void Handler::on(const codec::CacheMemlimitRequest& request, ReplySink& sink) {
  if (request.megabytes < kMinMemlimitMegabytes) {
    if (!request.noreply) sink.send_constant(reply::kMemlimitTooSmall);
    return;
  }
  if (request.megabytes > kMaxMemlimitMegabytes) {
    if (!request.noreply) sink.send_constant(reply::kMemlimitNotBytes);
    return;
  }
  const std::size_t bytes = std::size_t{request.megabytes} << 20;
  const bool applied = context_.set_memory_limit(bytes);
  if (!request.noreply) sink.send_constant(applied ? reply::kOk : reply::kMemlimitAdjustFailed);
}

}  // namespace mc::server
