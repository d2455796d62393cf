#include "router/destinations/webhook_url.hpp"

#include <catch2/catch.hpp>

namespace sluice::router::test {
namespace {

WebhookUrl parsed(std::string_view url) {
  Result<WebhookUrl> out = parse_webhook_url(url);
  INFO(out.status().to_string());
  REQUIRE(out.is_ok());
  return std::move(out).value();
}

std::string refused(std::string_view url) {
  const Result<WebhookUrl> out = parse_webhook_url(url);
  CHECK_FALSE(out.is_ok());
  return out.status().message();
}

}  // namespace

TEST_CASE("A webhook URL splits into what a request needs", "[router][webhook]") {
  SECTION("https with a path and query; the fragment is dropped") {
    const WebhookUrl url = parsed("HTTPS://Hooks.Example.com/v1/in?key=a#part");
    CHECK(url.tls);
    CHECK(url.host == "hooks.example.com");
    CHECK(url.port == "443");
    CHECK(url.target == "/v1/in?key=a");
    CHECK(url.authority == "hooks.example.com");
  }
  SECTION("http with a port, no path") {
    const WebhookUrl url = parsed("http://127.0.0.1:8080");
    CHECK_FALSE(url.tls);
    CHECK(url.host == "127.0.0.1");
    CHECK(url.port == "8080");
    CHECK(url.target == "/");
    CHECK(url.authority == "127.0.0.1:8080");
  }
  SECTION("a query without a path") {
    CHECK(parsed("http://h?x=1").target == "/?x=1");
  }
  SECTION("the scheme's own port stays out of Host") {
    CHECK(parsed("http://h:80/").authority == "h");
    CHECK(parsed("https://h:0443/").authority == "h");
    CHECK(parsed("https://h:80/").authority == "h:80");
  }
  SECTION("an IPv6 literal is resolved without its brackets and sent with them") {
    const WebhookUrl url = parsed("http://[::1]:9000/in");
    CHECK(url.host == "::1");
    CHECK(url.port == "9000");
    CHECK(url.authority == "[::1]:9000");
    CHECK(parsed("https://[2001:DB8::1]/").authority == "[2001:db8::1]");
  }
}

TEST_CASE("A malformed webhook URL is refused with the reason", "[router][webhook]") {
  CHECK_THAT(refused("ftp://h/"), Catch::Contains("must start with http:// or https://"));
  CHECK_THAT(refused("http:///path"), Catch::Contains("host is missing"));
  CHECK_THAT(refused("http://h:0/"), Catch::Contains("port must be a number"));
  CHECK_THAT(refused("http://h:65536/"), Catch::Contains("port must be a number"));
  CHECK_THAT(refused("http://h:/"), Catch::Contains("port is empty"));
  CHECK_THAT(refused("http://user:pw@h/"), Catch::Contains("credentials"));
  CHECK_THAT(refused("http://[::1/"), Catch::Contains("']'"));
  CHECK_THAT(refused("http://[nope]/"), Catch::Contains("IPv6 address is not valid"));
  CHECK_THAT(refused("http://[::1]x/"), Catch::Contains("after the IPv6 address"));
  CHECK_THAT(refused("http://h/a b"), Catch::Contains("space or a control character"));
  CHECK_THAT(refused("http://h%41/"), Catch::Contains("host is missing or not valid"));
  CHECK_THAT(refused("http://h/"
                     "\r\nX: y"),
             Catch::StartsWith("invalid webhook URL"));
}

}  // namespace sluice::router::test
