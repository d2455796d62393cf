#include "tls_support.hpp"

namespace sluice::integration {

void install_certificates(const fs::path& dir, const test::TestCertificates& certificates) {
  test::install_certificate_files(dir / "cert.pem", dir / "key.pem", certificates);
}

ServerOptions tls_server_options(const fs::path& dir, const std::string& extra) {
  ServerOptions options;
  options.extra_config = "\n[server.tls]\ncert_file = \"" + (dir / "cert.pem").string() +
                         "\"\nkey_file = \"" + (dir / "key.pem").string() +
                         "\"\n\n[ops]\nlisten = \"127.0.0.1:0\"\n" + extra;
  return options;
}

HttpsClientOptions trusting(const std::string& ca_pem, const std::string& server_name) {
  HttpsClientOptions options;
  options.ca_pem = ca_pem;
  options.server_name = server_name;
  return options;
}

}  // namespace sluice::integration
