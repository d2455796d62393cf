#pragma once

// What the webhook tests need to play an email provider or any tool that signs its webhooks:
// the providers' documented sample payloads (tests/fixtures/email), their signatures computed
// with OpenSSL directly (not with the code under test), and form encoding.

#include <memory>
#include <openssl/evp.h>
#include <string>
#include <string_view>

namespace sluice::test {

// The text of tests/fixtures/email/<relative>, such as "mailgun/opened.json". Throws when it
// cannot be read.
std::string read_email_fixture(std::string_view relative);

// A P-256 key pair standing in for the one SendGrid signs its event webhook with.
class EcKeyPair {
 public:
  EcKeyPair();  // throws when OpenSSL cannot make a key

  // As SendGrid shows it: base64 of the DER SubjectPublicKeyInfo.
  std::string public_key_base64() const;
  // As SendGrid sends it: base64 of the DER ECDSA signature of SHA-256(message).
  std::string sign_base64(std::string_view message) const;

 private:
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
};

std::string hmac_sha256_hex(std::string_view key, std::string_view message);
std::string hmac_sha256_base64(std::string_view key, std::string_view message);
std::string hmac_sha1_base64(std::string_view key, std::string_view message);

std::string base64(std::string_view bytes);

// HTTP header names match ignoring ASCII case.
bool same_ignoring_case(std::string_view a, std::string_view b);

// Percent-encodes everything but unreserved characters, as a form would; with plus_for_space,
// spaces become '+' the way HTML forms write them.
std::string form_encode(std::string_view text, bool plus_for_space = false);

}  // namespace sluice::test
