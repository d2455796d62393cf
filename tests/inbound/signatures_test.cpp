#include "inbound/signatures.hpp"

#include <catch2/catch.hpp>

namespace sluice::inbound {

TEST_CASE("HMACs match RFC 4231 and RFC 2202 test vectors", "[inbound][signatures]") {
  // RFC 4231 test case 2 and RFC 2202 test case 2.
  CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(to_hex(hmac_sha1("Jefe", "what do ya want for nothing?")) ==
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST_CASE("hex reads back what it wrote, in either case", "[inbound][signatures]") {
  const std::string bytes("\x00\x7f\x80\xff", 4);
  CHECK(to_hex(bytes) == "007f80ff");
  CHECK(from_hex("007f80ff") == bytes);
  CHECK(from_hex("007F80FF") == bytes);
  CHECK_FALSE(from_hex("abc"));
  CHECK_FALSE(from_hex("zz"));
}

TEST_CASE("secrets compare equal only when every byte and the length match",
          "[inbound][signatures]") {
  CHECK(equal_secrets("abc", "abc"));
  CHECK_FALSE(equal_secrets("abc", "abd"));
  CHECK_FALSE(equal_secrets("abc", "abcd"));
  CHECK(equal_secrets("", ""));
}

TEST_CASE("an ECDSA check fails on a key that is not a key", "[inbound][signatures]") {
  CHECK_FALSE(verify_ecdsa_sha256("not der", "message", "signature"));
  CHECK_FALSE(verify_ecdsa_sha256("", "", ""));
}

}  // namespace sluice::inbound
