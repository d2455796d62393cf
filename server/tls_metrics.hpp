#pragma once

// Prometheus instruments of TLS on the tracking port: failed handshakes by reason, failed
// certificate reloads, and the expiry of the certificate in force (for an alert well before
// it lapses). Failed handshakes are counted, not logged at error level: on a public port they
// are the weather (scanners, old clients), not news. Thread-safe.

#include <array>
#include <chrono>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "net/tls_credentials.hpp"

namespace sluice::server {

class TlsMetrics : public net::TlsObserver {
 public:
  explicit TlsMetrics(prometheus::Registry& registry);

  // reason: a label of net::handshake_failure_reason(); others count as "other".
  void handshake_failed(std::string_view reason);
  void certificate_loaded(std::chrono::system_clock::time_point not_after) override;
  void reload_failed() override;

 private:
  static constexpr std::array<std::string_view, 10> kReasons = {"timeout",
                                                                "client_closed",
                                                                "plaintext_http",
                                                                "not_tls",
                                                                "protocol_version",
                                                                "no_shared_cipher",
                                                                "certificate_rejected",
                                                                "alert",
                                                                "protocol_error",
                                                                "other"};

  std::array<prometheus::Counter*, kReasons.size()> handshake_failures_{};
  prometheus::Counter& reload_failures_;
  prometheus::Counter& loads_;
  prometheus::Gauge& expiry_;
};

}  // namespace sluice::server
