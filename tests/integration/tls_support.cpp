#include "tls_support.hpp"

#include <fstream>
#include <stdexcept>

namespace sluice::integration {
namespace {

void write_atomically(const fs::path& path, const std::string& text) {
  const fs::path temporary = path.string() + ".new";
  {
    std::ofstream out(temporary, std::ios::trunc | std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  fs::rename(temporary, path);
}

}  // namespace

void install_certificates(const fs::path& dir, const test::TestCertificates& certificates) {
  write_atomically(dir / "key.pem", certificates.key_pem);
  write_atomically(dir / "cert.pem", certificates.certificate_pem);
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
