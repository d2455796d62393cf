#pragma once

// Certificates made at test time, so no test depends on files that expire: a fresh self-signed
// CA and a server certificate it signed, as PEM.

#include <filesystem>
#include <string>
#include <vector>

namespace sluice::test {

struct TestCertificates {
  std::string ca_pem;           // the CA certificate: what a client trusts
  std::string certificate_pem;  // the server's certificate, signed by the CA
  std::string key_pem;          // the server's private key
};

// When the server certificate is valid, relative to now (the CA is valid for a day around it).
struct CertificateValidity {
  long not_before_seconds = -60;  // a little slack for clocks
  long not_after_seconds = 24 * 60 * 60;
};

// A CA and a server certificate for names (DNS names, or IP addresses such as "127.0.0.1"),
// valid from a minute ago for a day unless `validity` says otherwise, with P-256 keys. Throws
// std::runtime_error on failure.
TestCertificates make_test_certificates(const std::vector<std::string>& names,
                                        const CertificateValidity& validity = {});

// Writes text to a new file beside path and renames it into place, as certificate tools do,
// so a reader never sees half a file. Throws std::runtime_error on failure.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);
// The server's key, then its certificate, each written atomically.
void install_certificate_files(const std::filesystem::path& cert_file,
                               const std::filesystem::path& key_file,
                               const TestCertificates& certificates);

}  // namespace sluice::test
