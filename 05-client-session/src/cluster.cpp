#include "mc/client/cluster.hpp"

#include "mc/common/log.hpp"

namespace mc::client {
namespace detail {
namespace {

// Whether the outcome came from the server: a reply, or an error line it sent.
bool answered(std::error_code error) {
  return !error || error == Error::kUnknownCommand || error == Error::kClientError ||
         error == Error::kNonNumeric || error == Error::kValueTooLarge ||
         error == Error::kServerError;
}

}  // namespace

ClusterState::ClusterState(asio::io_context& io, std::vector<ServerAddress> servers,
                           const ClusterOptions& options)
    : io(io),
      options(options),
      locator(std::move(servers), options.distribution),
      failures(locator.servers().size(), 0) {
  sessions.reserve(locator.servers().size());
  for (const auto& server : locator.servers()) {
    sessions.emplace_back(io, server, options.session);
    retry.push_back(std::make_unique<asio::steady_timer>(io));
  }
}

//! [record]
void ClusterState::record(std::size_t index, std::error_code error) {
  if (is_unreachable(error)) {
    if (options.eject_after > 0 && ++failures[index] >= options.eject_after &&
        locator.is_alive(index)) {
      eject(index);
    }
  } else if (answered(error)) {
    failures[index] = 0;  // an answer, even an error line, shows the server is reachable
  }
}

void ClusterState::eject(std::size_t index) {
  common::log_warn("cluster: ejecting {} after {} failures, probing it every {} ms",
                   locator.servers()[index].to_string(), failures[index],
                   options.retry_after.count());
  locator.set_alive(index, false);  // ketama: the ring is rebuilt from the others
  ++ejections;
  schedule_probe(index);
}

void ClusterState::schedule_probe(std::size_t index) {
  retry[index]->expires_after(options.retry_after);
  retry[index]->async_wait([self = shared_from_this(), index](std::error_code error) {
    if (!error && !self->closed) self->probe(index);
  });
}

// As libmemcached's retry, one attempt in the background, and only an answer brings the server
// back: re-adding it unconditionally would hand callers eject_after more failures per period.
// The session has kept reconnecting all along; the probe asks whether it got through.
void ClusterState::probe(std::size_t index) {
  ++probes;
  sessions[index].version({}, [self = shared_from_this(), index](Result<std::string> answer) {
    if (self->closed) return;
    if (!answer) {
      self->schedule_probe(index);
      return;
    }
    common::log_info("cluster: {} answers again, back in the ring",
                     self->locator.servers()[index].to_string());
    self->failures[index] = 0;
    self->locator.set_alive(index, true);
  });
}
//! [record]

// A Cluster is often destroyed by the thread that owns it while another thread runs its
// io_context (tests, SyncClient): the flag and the timers are touched there only.
void ClusterState::close() {
  asio::dispatch(io, [self = shared_from_this()] { self->close_now(); });
}

void ClusterState::close_now() {
  closed = true;
  for (auto& session : sessions) session.close();
  for (auto& timer : retry) timer->cancel();
}

}  // namespace detail

Cluster::Cluster(asio::io_context& io, std::vector<ServerAddress> servers, ClusterOptions options)
    : state_(std::make_shared<detail::ClusterState>(io, std::move(servers), options)) {}

}  // namespace mc::client
