#include "api/base64.hpp"

#include <catch2/catch.hpp>

namespace sluice::api {
namespace {

TEST_CASE("encode_base64 produces the RFC 4648 test vectors", "[api]") {
  CHECK(encode_base64("") == "");
  CHECK(encode_base64("f") == "Zg==");
  CHECK(encode_base64("fo") == "Zm8=");
  CHECK(encode_base64("foo") == "Zm9v");
  CHECK(encode_base64("foob") == "Zm9vYg==");
  CHECK(encode_base64("fooba") == "Zm9vYmE=");
  CHECK(encode_base64("foobar") == "Zm9vYmFy");
  const std::string all_bytes = [] {
    std::string bytes;
    for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
    return bytes;
  }();
  CHECK(decode_base64(encode_base64(all_bytes)) == all_bytes);
}

TEST_CASE("decode_base64 decodes the RFC 4648 test vectors", "[api]") {
  SECTION("padded") {
    CHECK(decode_base64("") == "");
    CHECK(decode_base64("Zg==") == "f");
    CHECK(decode_base64("Zm8=") == "fo");
    CHECK(decode_base64("Zm9v") == "foo");
    CHECK(decode_base64("Zm9vYg==") == "foob");
    CHECK(decode_base64("Zm9vYmE=") == "fooba");
    CHECK(decode_base64("Zm9vYmFy") == "foobar");
  }
  SECTION("without padding") {
    CHECK(decode_base64("Zg") == "f");
    CHECK(decode_base64("Zm8") == "fo");
    CHECK(decode_base64("Zm9vYg") == "foob");
    CHECK(decode_base64("Zm9vYmE") == "fooba");
  }
}

TEST_CASE("decode_base64 takes both the standard and the URL-safe alphabet", "[api]") {
  const std::string expected("\xfb\xff\xbf", 3);
  SECTION("standard: + and /") {
    CHECK(decode_base64("+/+/") == expected);
  }
  SECTION("URL-safe: - and _") {
    CHECK(decode_base64("-_-_") == expected);
  }
  SECTION("binary bytes including NUL") {
    CHECK(decode_base64("AAEC/w==") == std::string("\x00\x01\x02\xff", 4));
  }
}

TEST_CASE("decode_base64 refuses what is not base64", "[api]") {
  SECTION("a character outside both alphabets") {
    CHECK_FALSE(decode_base64("Zm9v!mFy").has_value());
    CHECK_FALSE(decode_base64("Zm9v YmFy").has_value());
  }
  SECTION("padding in the middle") {
    CHECK_FALSE(decode_base64("Zg==Zg==").has_value());
  }
  SECTION("an impossible length: one character past a full group") {
    CHECK_FALSE(decode_base64("Z").has_value());
    CHECK_FALSE(decode_base64("Zm9vY").has_value());
    CHECK_FALSE(decode_base64("Zm9vY===").has_value());
  }
}

}  // namespace
}  // namespace sluice::api
