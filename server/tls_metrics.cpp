#include "server/tls_metrics.hpp"

#include <string>

namespace sluice::server {

TlsMetrics::TlsMetrics(prometheus::Registry& registry)
    : reload_failures_(prometheus::BuildCounter()
                           .Name("sluice_tls_reload_failures_total")
                           .Help("Certificate reloads refused; the certificate in force stays")
                           .Register(registry)
                           .Add({})),
      loads_(prometheus::BuildCounter()
                 .Name("sluice_tls_certificate_loads_total")
                 .Help("Certificates put in force, at start-up and by reloads")
                 .Register(registry)
                 .Add({})),
      expiry_(prometheus::BuildGauge()
                  .Name("sluice_tls_certificate_expiry_timestamp_seconds")
                  .Help("When the certificate in force expires (notAfter), in Unix seconds")
                  .Register(registry)
                  .Add({})) {
  auto& failures = prometheus::BuildCounter()
                       .Name("sluice_tls_handshake_failures_total")
                       .Help("TLS handshakes that failed, by reason")
                       .Register(registry);
  for (std::size_t i = 0; i < kReasons.size(); ++i) {
    handshake_failures_[i] = &failures.Add({{"reason", std::string(kReasons[i])}});
  }
}

void TlsMetrics::handshake_failed(std::string_view reason) {
  std::size_t index = kReasons.size() - 1;
  for (std::size_t i = 0; i < kReasons.size(); ++i) {
    if (kReasons[i] == reason) index = i;
  }
  handshake_failures_[index]->Increment();
}

void TlsMetrics::certificate_loaded(std::chrono::system_clock::time_point not_after) {
  loads_.Increment();
  expiry_.Set(static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(not_after.time_since_epoch()).count()));
}

void TlsMetrics::reload_failed() {
  reload_failures_.Increment();
}

}  // namespace sluice::server
