#pragma once

// A Sluice server with HTTPS on its tracking port, for the TLS tests: certificates made by the
// test (tests/support/test_certificates.hpp) written into the server's work directory, and an
// [ops] listener that the start-up health check and the metrics are read from.

#include <string>

#include "https_client.hpp"
#include "server_process.hpp"
#include "tests/support/test_certificates.hpp"

namespace sluice::integration {

// Writes the certificate and key as <dir>/cert.pem and <dir>/key.pem by writing a new file
// and renaming it into place, as certificate tools do, so the server never reads half a file.
void install_certificates(const fs::path& dir, const test::TestCertificates& certificates);

// [server.tls] on <dir>/cert.pem and <dir>/key.pem, and [ops] on an ephemeral port; more TOML
// may follow in `extra`.
ServerOptions tls_server_options(const fs::path& dir, const std::string& extra = {});

HttpsClientOptions trusting(const std::string& ca_pem,
                            const std::string& server_name = "localhost");

}  // namespace sluice::integration
