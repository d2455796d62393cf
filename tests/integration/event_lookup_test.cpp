// "Where is my event": GET /v1/events/{messageId}?source= on the admin API of the real binary,
// with destinations that delivered an event, hold it, do not take it and dead-lettered it.

#include <thread>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "delivery_support.hpp"
#include "test_support.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;
using Catch::Matchers::Contains;

constexpr std::string_view kAdminToken = "admin-token-0123456789";

struct LookupFixture {
  LookupFixture() {
    refusing.respond_with([](const test::SinkRequest&) {
      return test::SinkAnswer{400, {}, R"({"error":"no"})"};
    });
  }

  ServerOptions options() const {
    std::string identify_only = file_destination_toml("identify_only", dir.path() / "ids");
    identify_only.replace(identify_only.find("type = \"file\"\n"), 14,
                          "type = \"file\"\ninclude_types = [\"identify\"]\n");
    // A 400 is not retried: the batch is dead-lettered at once.
    const std::string refused =
        "\n[[destinations]]\nname = \"refused\"\ntype = \"webhook\"\n"
        "batch_max_wait = \"20ms\"\n[destinations.webhook]\nurl = \"" +
        refusing.url() + "\"\n";
    ServerOptions options;
    options.durability = "wal";
    options.extra_config = webhook_destination_toml("delivered", accepting.url(), 10) +
                           file_destination_toml("held", dir.path() / "held") + identify_only +
                           refused + "\n[admin]\nlisten = \"127.0.0.1:0\"\ntoken = \"" +
                           std::string(kAdminToken) + "\"\n";
    return options;
  }

  HttpResponse call(std::string_view method, std::string_view target) {
    return admin.request(method, target, {{"Authorization", "Bearer " + std::string(kAdminToken)}},
                         "");
  }

  test::HttpSink accepting;
  test::HttpSink refusing;
  TempDir dir;
  ServerProcess server{dir.path(), options()};
  HttpClient intake{server.port(), 5s};
  HttpClient admin{server.admin_port(), 5s};
};

// The destination entry of name in a lookup's answer.
simdjson::dom::element destination_of(simdjson::dom::element answer, std::string_view name) {
  for (simdjson::dom::element entry : answer["destinations"].get_array()) {
    if (entry["name"].get_string().value() == name) return entry;
  }
  FAIL("no destination " << name << " in the answer");
  return {};
}

}  // namespace

TEST_CASE("An event is found by its messageId with its state at every destination",
          "[integration][admin][lookup]") {
  LookupFixture fixture;
  REQUIRE(fixture.call("POST", "/v1/destinations/held/pause").status == 200);
  REQUIRE(fixture.intake
              .request("POST", "/v1/batch", auth_headers(),
                       batch_json({track_json("look-1"), track_json("a b/c+d")}))
              .status == 200);
  REQUIRE(wait_until_delivered(fixture.server.port(), "delivered", 10s));
  REQUIRE(eventually([&] {
    return fixture.call("GET", "/v1/destinations/refused").body.find(R"("dead_letters":1)") !=
           std::string::npos;
  }));

  // The id travels percent-encoded in the path; '+' stays a plus there.
  const HttpResponse found = fixture.call("GET", "/v1/events/a%20b%2Fc+d?source=website");
  INFO(found.body);
  REQUIRE(found.status == 200);
  simdjson::dom::parser parser;
  simdjson::dom::element answer;
  REQUIRE(parser.parse(found.body).get(answer) == simdjson::SUCCESS);
  CHECK(answer["messageId"].get_string().value() == "a b/c+d");
  CHECK(answer["sequence"].get_uint64().value() == 2);
  CHECK(answer["stored"].get_bool().value());
  CHECK(answer["type"].get_string().value() == "track");
  CHECK(answer["event"]["messageId"].get_string().value() == "a b/c+d");
  CHECK(destination_of(answer, "delivered")["state"].get_string().value() == "delivered");
  const simdjson::dom::element held = destination_of(answer, "held");
  CHECK(held["state"].get_string().value() == "pending");
  CHECK(held["ahead"].get_uint64().value() == 1);  // look-1 waits before it
  CHECK(destination_of(answer, "identify_only")["state"].get_string().value() == "filtered");
  const simdjson::dom::element refused = destination_of(answer, "refused");
  CHECK(refused["state"].get_string().value() == "dead_lettered");
  CHECK(refused["dead_letter"]["attempts"].get_uint64().value() == 1);
  CHECK(refused["redeliver"].get_string().value() ==
        "/v1/destinations/refused/dead-letters/1/redeliver");

  // Resumed, the held destination has it.
  REQUIRE(fixture.call("POST", "/v1/destinations/held/resume").status == 200);
  REQUIRE(wait_until_delivered(fixture.server.port(), "held", 10s));
  const HttpResponse later = fixture.call("GET", "/v1/events/look-1?source=website");
  CHECK_THAT(later.body, Contains(R"({"name":"held","state":"delivered"})"));
}

TEST_CASE("An event lookup says what it needs and why nothing was found",
          "[integration][admin][lookup]") {
  LookupFixture fixture;
  REQUIRE(fixture.intake.request("POST", "/v1/track", auth_headers(), track_json("seen")).status ==
          200);
  const HttpResponse no_source = fixture.call("GET", "/v1/events/seen");
  CHECK(no_source.status == 400);
  CHECK_THAT(no_source.body, Contains("?source=NAME"));
  // Ids are kept per source.
  const HttpResponse other_source = fixture.call("GET", "/v1/events/seen?source=elsewhere");
  CHECK(other_source.status == 404);
  const HttpResponse never = fixture.call("GET", "/v1/events/never?source=website");
  CHECK(never.status == 404);
  CHECK_THAT(never.body, Contains(R"("code":"not_found")"));
  CHECK_THAT(never.body, Contains("within the dedup window (7d)"));
  CHECK(fixture.call("POST", "/v1/events/seen?source=website").status == 405);
  CHECK(fixture.call("GET", "/v1/events/seen?source=website").status == 200);
}

}  // namespace sluice::integration
