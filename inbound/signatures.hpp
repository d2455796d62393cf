#pragma once

// The cryptography webhook providers sign with, over OpenSSL. Every comparison of a secret or
// a signature takes the same time whatever the bytes (CRYPTO_memcmp).

#include <optional>
#include <string>
#include <string_view>

namespace sluice::inbound {

// Raw digests (32 and 20 bytes).
std::string hmac_sha256(std::string_view key, std::string_view message);
std::string hmac_sha1(std::string_view key, std::string_view message);

// Lower-case hexadecimal of bytes, and back (nullopt on an odd length or a non-hex digit).
std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);

// true when a and b are the same bytes, in a time that depends only on their lengths.
bool equal_secrets(std::string_view a, std::string_view b);

// true when der_signature (ASN.1 DER, as SendGrid sends it after base64) is a valid ECDSA
// signature of SHA-256(message) by public_key_der (SubjectPublicKeyInfo, DER).
bool verify_ecdsa_sha256(std::string_view public_key_der, std::string_view message,
                         std::string_view der_signature);

}  // namespace sluice::inbound
