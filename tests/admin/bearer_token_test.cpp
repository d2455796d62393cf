#include "admin/bearer_token.hpp"

#include <catch2/catch.hpp>

namespace sluice::admin {

TEST_CASE("BearerToken accepts exactly its token under the Bearer scheme", "[admin]") {
  const BearerToken token("0123456789abcdef");
  SECTION("accepted") {
    CHECK(token.accepts("Bearer 0123456789abcdef"));
    CHECK(token.accepts("bearer 0123456789abcdef"));
    CHECK(token.accepts("BEARER  0123456789abcdef "));
    CHECK(token.accepts("Bearer\t0123456789abcdef"));
  }
  SECTION("refused") {
    for (std::string_view header :
         {"", "Bearer", "Bearer ", "0123456789abcdef", "Bearer0123456789abcdef",
          "Bearer 0123456789abcde", "Bearer 0123456789abcdef0", "Bearer 0123456789ABCDEF",
          "Basic 0123456789abcdef", "Bearer 0123456789abcdef x", "Token 0123456789abcdef",
          "Bearer 0123456789abcdeg"}) {
      INFO(header);
      CHECK_FALSE(token.accepts(header));
    }
  }
}

TEST_CASE("constant_time_equals compares content and length", "[admin]") {
  CHECK(constant_time_equals("abc", "abc"));
  CHECK_FALSE(constant_time_equals("abd", "abc"));
  CHECK_FALSE(constant_time_equals("ab", "abc"));
  CHECK_FALSE(constant_time_equals("abcabc", "abc"));  // b repeated must not match a longer a
  CHECK_FALSE(constant_time_equals("", "abc"));
}

}  // namespace sluice::admin
