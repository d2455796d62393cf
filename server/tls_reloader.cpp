#include "server/tls_reloader.hpp"

#include <spdlog/spdlog.h>

namespace sluice::server {

TlsReloader::TlsReloader(boost::asio::io_context& io, net::TlsCredentials& credentials,
                         std::chrono::milliseconds poll_interval)
    : credentials_(credentials), poll_timer_(io), poll_interval_(poll_interval) {}

void TlsReloader::start() {
  wait_for_poll();
}

void TlsReloader::stop() {
  poll_timer_.cancel();
}

void TlsReloader::wait_for_poll() {
  poll_timer_.expires_after(poll_interval_);
  poll_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    if (const Status reloaded = credentials_.reload_if_changed(); !reloaded.is_ok()) {
      spdlog::warn("TLS: the certificate files changed but cannot be used: {}", reloaded.message());
    }
    wait_for_poll();
  });
}

}  // namespace sluice::server
