#include "api/auth.hpp"

#include <catch2/catch.hpp>

namespace sluice::api {
namespace {

TEST_CASE("write_key_from_authorization reads the Basic user name", "[api]") {
  SECTION("key followed by a colon and an empty password") {
    CHECK(write_key_from_authorization("Basic a2V5Og==") == "key");  // "key:"
  }
  SECTION("the text before the first colon when a password is present") {
    CHECK(write_key_from_authorization("Basic d2tfbGl2ZTpzZWNyZXQ=") == "wk_live");
  }
  SECTION("the whole text when there is no colon") {
    CHECK(write_key_from_authorization("Basic b25seXVzZXI=") == "onlyuser");
  }
  SECTION("the scheme is case-insensitive") {
    CHECK(write_key_from_authorization("basic a2V5Og==") == "key");
    CHECK(write_key_from_authorization("BASIC a2V5Og==") == "key");
  }
  SECTION("missing padding is tolerated") {
    CHECK(write_key_from_authorization("Basic a2V5Og") == "key");
  }
  SECTION("surrounding spaces are ignored") {
    CHECK(write_key_from_authorization("  Basic   a2V5Og==  ") == "key");
  }
}

TEST_CASE("write_key_from_authorization yields nothing it cannot use", "[api]") {
  SECTION("Bearer tokens") {
    CHECK_FALSE(write_key_from_authorization("Bearer a2V5Og==").has_value());
  }
  SECTION("undecodable credentials") {
    CHECK_FALSE(write_key_from_authorization("Basic !!!!").has_value());
  }
  SECTION("an empty user name") {
    CHECK_FALSE(write_key_from_authorization("Basic Onh4").has_value());  // ":xx"
  }
  SECTION("a scheme without credentials") {
    CHECK_FALSE(write_key_from_authorization("Basic").has_value());
    CHECK_FALSE(write_key_from_authorization("").has_value());
  }
}

TEST_CASE("query_parameter finds and percent-decodes one parameter", "[api]") {
  SECTION("in the middle of the query") {
    CHECK(query_parameter("a=1&writeKey=k%20y&b=2", "writeKey") == "k y");
  }
  SECTION("first and last") {
    CHECK(query_parameter("writeKey=first&x=1", "writeKey") == "first");
    CHECK(query_parameter("x=1&writeKey=last", "writeKey") == "last");
  }
  SECTION("the first occurrence wins") {
    CHECK(query_parameter("writeKey=a&writeKey=b", "writeKey") == "a");
  }
  SECTION("a name without '=' has an empty value") {
    CHECK(query_parameter("writeKey&x=1", "writeKey") == "");
  }
  SECTION("names are case-sensitive") {
    CHECK_FALSE(query_parameter("writekey=a", "writeKey").has_value());
    CHECK(query_parameter("writekey=a", "writekey") == "a");
  }
  SECTION("absent") {
    CHECK_FALSE(query_parameter("a=1&b=2", "writeKey").has_value());
    CHECK_FALSE(query_parameter("", "writeKey").has_value());
  }
  SECTION("a name that only starts like the one sought") {
    CHECK_FALSE(query_parameter("writeKeyX=a", "writeKey").has_value());
  }
}

TEST_CASE("percent_decode decodes escapes and plus signs", "[api]") {
  SECTION("escapes in either case, '+' as space") {
    CHECK(percent_decode("%41%2b%2F+x") == "A+/ x");
  }
  SECTION("malformed escapes are kept as is") {
    CHECK(percent_decode("%zz") == "%zz");
    CHECK(percent_decode("100%") == "100%");
    CHECK(percent_decode("%4") == "%4");
  }
  SECTION("an escape at the very end") {
    CHECK(percent_decode("a%41") == "aA");
  }
  SECTION("UTF-8 bytes") {
    CHECK(percent_decode("caf%C3%A9") == "caf\xc3\xa9");
  }
}

}  // namespace
}  // namespace sluice::api
