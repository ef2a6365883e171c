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
  common::log_warn("cluster: ejecting {} after {} failures, for {} ms",
                   locator.servers()[index].to_string(), failures[index],
                   options.retry_after.count());
  locator.set_alive(index, false);  // ketama: the ring is rebuilt from the others
  ++ejections;
  retry[index]->expires_after(options.retry_after);
  retry[index]->async_wait([self = shared_from_this(), index](std::error_code error) {
    if (error) return;  // closed
    // Back in the ring; if it still fails, eject_after more failures take it out again.
    self->failures[index] = 0;
    self->locator.set_alive(index, true);
  });
}
//! [record]

void ClusterState::close() {
  for (auto& session : sessions) session.close();
  for (auto& timer : retry) timer->cancel();
}

}  // namespace detail

Cluster::Cluster(asio::io_context& io, std::vector<ServerAddress> servers, ClusterOptions options)
    : state_(std::make_shared<detail::ClusterState>(io, std::move(servers), options)) {}

}  // namespace mc::client
