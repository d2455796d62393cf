#include "tests/support/test_certificates.hpp"

#include <arpa/inet.h>
#include <fstream>
#include <functional>
#include <memory>
#include <netinet/in.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdexcept>

namespace sluice::test {
namespace {

constexpr long kDay = 24 * 60 * 60;

struct Free {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  void operator()(X509* certificate) const { X509_free(certificate); }
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Certificate = std::unique_ptr<X509, Free>;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("making test certificates: ") + what);
}

Key new_key() {
  Key key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EC key generation");
  return key;
}

void add_extension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  check(extension != nullptr, "an extension");
  const int added = X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
  check(added == 1, "adding an extension");
}

// A certificate for key with subject common_name, not yet signed. issuer is null for the CA
// itself.
Certificate new_certificate(EVP_PKEY* key, const std::string& common_name, X509* issuer,
                            const CertificateValidity& validity) {
  Certificate certificate(X509_new());
  check(certificate != nullptr, "X509_new");
  check(X509_set_version(certificate.get(), X509_VERSION_3) == 1, "version");
  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial) == 1, "serial");
  serial[0] &= 0x7f;  // a positive serial number
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  check(number != nullptr && BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate.get())),
        "serial");
  BN_free(number);
  check(X509_gmtime_adj(X509_getm_notBefore(certificate.get()), validity.not_before_seconds) !=
                nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(certificate.get()), validity.not_after_seconds) !=
                nullptr,
        "validity");
  check(X509_set_pubkey(certificate.get(), key) == 1, "public key");
  X509_NAME* subject = X509_get_subject_name(certificate.get());
  check(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0) == 1,
        "subject");
  check(X509_set_issuer_name(certificate.get(),
                             issuer != nullptr ? X509_get_subject_name(issuer) : subject) == 1,
        "issuer");
  return certificate;
}

bool is_ip_address(const std::string& name) {
  in6_addr v6{};
  in_addr v4{};
  return ::inet_pton(AF_INET, name.c_str(), &v4) == 1 ||
         ::inet_pton(AF_INET6, name.c_str(), &v6) == 1;
}

std::string pem(const std::function<int(BIO*)>& write) {
  std::unique_ptr<BIO, Free> bio(BIO_new(BIO_s_mem()));
  check(bio != nullptr && write(bio.get()) == 1, "PEM encoding");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

TestCertificates make_test_certificates(const std::vector<std::string>& names,
                                        const CertificateValidity& validity) {
  check(!names.empty(), "no names given");
  const Key ca_key = new_key();
  const Certificate ca =
      new_certificate(ca_key.get(), "sluice test CA", nullptr, CertificateValidity{-kDay, kDay});
  add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  check(X509_sign(ca.get(), ca_key.get(), EVP_sha256()) > 0, "signing the CA");

  const Key server_key = new_key();
  const Certificate server = new_certificate(server_key.get(), names.front(), ca.get(), validity);
  std::string alt_names;
  for (const std::string& name : names) {
    if (!alt_names.empty()) alt_names += ",";
    alt_names += (is_ip_address(name) ? "IP:" : "DNS:") + name;
  }
  add_extension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth");
  add_extension(server.get(), ca.get(), NID_subject_alt_name, alt_names);
  add_extension(server.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
  check(X509_sign(server.get(), ca_key.get(), EVP_sha256()) > 0, "signing the server certificate");

  TestCertificates out;
  out.ca_pem = pem([&](BIO* bio) { return PEM_write_bio_X509(bio, ca.get()); });
  out.certificate_pem = pem([&](BIO* bio) { return PEM_write_bio_X509(bio, server.get()); });
  out.key_pem = pem([&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, server_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  return out;
}

void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temporary = path.string() + ".new";
  {
    std::ofstream out(temporary, std::ios::trunc | std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  std::filesystem::rename(temporary, path);
}

void install_certificate_files(const std::filesystem::path& cert_file,
                               const std::filesystem::path& key_file,
                               const TestCertificates& certificates) {
  write_file_atomically(key_file, certificates.key_pem);
  write_file_atomically(cert_file, certificates.certificate_pem);
}

}  // namespace sluice::test
