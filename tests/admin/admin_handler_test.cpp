// Every admin endpoint over a real socket: status codes and the exact JSON of each answer.

#include "admin/admin_handler.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "admin_fixture.hpp"

namespace sluice::admin::test {
namespace {

using Catch::Contains;
using namespace std::chrono_literals;

constexpr std::string_view kWebStatus =
    R"({"name":"web","type":"webhook","state":"running","cursor":10,"last_sequence":15,)"
    R"("backlog_events":5,"backlog_bytes":2048,"oldest_undelivered_age_ms":1500,)"
    R"("delivered_events":100,"dead_letters":1,"last_error":"HTTP 500: \"oops\""})";
constexpr std::string_view kArchiveStatus =
    R"({"name":"archive","type":"file","state":"paused","cursor":0,"last_sequence":0,)"
    R"("backlog_events":0,"backlog_bytes":0,"oldest_undelivered_age_ms":null,)"
    R"("delivered_events":0,"dead_letters":0,"last_error":null})";

// Event JSON as stored: re-serialising it would change 1.50 and the \u00e9 escape.
constexpr std::string_view kFirstEvent =
    R"({"type":"track","event":"A","properties":{"price":1.50,"name":"caf\u00e9"}})";
constexpr std::string_view kSecondEvent = R"({"type":"identify","userId":"u1"})";
constexpr std::string_view kLetterSummary =
    R"({"id":7,"first_sequence":7,"last_sequence":9,"events":2,"attempts":5,)"
    R"("dead_lettered_at":"2026-11-30T12:00:00.123Z","reason":"HTTP 400: bad \"payload\"\n")";

class EndpointFixture : public AdminFixture {
 public:
  EndpointFixture() {
    DestinationStatus web;
    web.name = "web";
    web.type = "webhook";
    web.state = LoopState::kRunning;
    web.cursor = 10;
    web.last_sequence = 15;
    web.backlog_events = 5;
    web.backlog_bytes = 2048;
    web.oldest_undelivered_age = 1500ms;
    web.delivered_events = 100;
    web.dead_letters = 1;
    web.last_error = R"(HTTP 500: "oops")";
    control_.add_destination(web);

    DestinationStatus archive;
    archive.name = "archive";
    archive.type = "file";
    archive.state = LoopState::kPaused;
    control_.add_destination(archive);

    storage::DeadLetter letter;
    letter.destination = "web";
    letter.first_sequence = 7;
    letter.last_sequence = 9;
    letter.events = 2;
    letter.attempts = 5;
    letter.dead_lettered_at_ms = 1'796'040'000'123;
    letter.reason = "HTTP 400: bad \"payload\"\n";
    letter.contents = {{7, stored_record(kFirstEvent)}, {9, stored_record(kSecondEvent)}};
    control_.add_dead_letter(letter);
  }
};

std::string json_of(std::initializer_list<std::string_view> parts) {
  std::string text;
  for (std::string_view part : parts) text += part;
  return text;
}

}  // namespace

TEST_CASE_METHOD(EndpointFixture, "GET /v1/destinations lists every status", "[admin]") {
  const HttpResponse response = get("/v1/destinations");
  CHECK(response.status == 200);
  CHECK(response.header("Content-Type") == "application/json");
  CHECK(response.header("Cache-Control") == "no-store");
  CHECK(response.body == json_of({R"({"destinations":[)", kWebStatus, ",", kArchiveStatus, "]}"}));
}

TEST_CASE_METHOD(EndpointFixture, "GET /v1/destinations/{name} answers one status", "[admin]") {
  SECTION("known") {
    const HttpResponse response = get("/v1/destinations/archive");
    CHECK(response.status == 200);
    CHECK(response.body == kArchiveStatus);
  }
  SECTION("unknown") {
    const HttpResponse response = get("/v1/destinations/nope");
    CHECK(response.status == 404);
    CHECK(response.body ==
          R"({"error":{"code":"not_found","message":"no destination named \"nope\""}})");
  }
}

TEST_CASE_METHOD(EndpointFixture, "POST pause and resume answer the new status", "[admin]") {
  SECTION("pause") {
    const HttpResponse response = post("/v1/destinations/web/pause");
    CHECK(response.status == 200);
    CHECK_THAT(response.body, Contains(R"("name":"web","type":"webhook","state":"paused")"));
    CHECK(control_.calls() == std::vector<std::string>{"pause web"});
  }
  SECTION("resume") {
    const HttpResponse response = post("/v1/destinations/archive/resume");
    CHECK(response.status == 200);
    CHECK_THAT(response.body, Contains(R"("state":"running")"));
    CHECK(control_.calls() == std::vector<std::string>{"resume archive"});
  }
  SECTION("an unknown destination") {
    const HttpResponse response = post("/v1/destinations/nope/pause");
    CHECK(response.status == 404);
    CHECK(has_error_code(response, "not_found"));
  }
}

TEST_CASE_METHOD(EndpointFixture, "A RouterControl error maps to 404, 400 or 503", "[admin]") {
  struct Case {
    StatusCode status_code;
    unsigned status;
    std::string_view code;
  };
  constexpr Case kCases[] = {
      {StatusCode::kNotFound, 404, "not_found"},
      {StatusCode::kInvalidArgument, 400, "invalid_request"},
      {StatusCode::kUnavailable, 503, "unavailable"},
  };
  for (const Case& c : kCases) {
    DYNAMIC_SECTION(c.code) {
      control_.force(Status::error(c.status_code, "the router says \"no\""));
      for (std::string_view target : {"/v1/destinations/web/pause", "/v1/destinations/web/resume",
                                      "/v1/destinations/web/dead-letters/7/redeliver"}) {
        INFO(target);
        const HttpResponse response = post(target);
        CHECK(response.status == c.status);
        CHECK(response.body == R"({"error":{"code":")" + std::string(c.code) +
                                   R"(","message":"the router says \"no\""}})");
      }
      const HttpResponse replay = post("/v1/destinations/web/replay", R"({"from_sequence":1})");
      CHECK(replay.status == c.status);
      CHECK(get("/v1/destinations/web/dead-letters").status == c.status);
      CHECK(get("/v1/destinations/web/dead-letters/7").status == c.status);
    }
  }
}

TEST_CASE_METHOD(EndpointFixture, "POST replay answers the new cursor", "[admin]") {
  SECTION("from_sequence") {
    const HttpResponse response = post("/v1/destinations/web/replay", R"({"from_sequence":42})");
    CHECK(response.status == 200);
    CHECK(response.body == R"({"cursor":42})");
    const auto from = control_.last_replay();
    REQUIRE(from.has_value());
    CHECK(from->kind == ReplayFrom::Kind::kSequence);
    CHECK(from->sequence == 42);
  }
  SECTION("from_time") {
    const HttpResponse response =
        post("/v1/destinations/web/replay", R"({"from_time":"2026-11-30T12:00:00Z"})");
    CHECK(response.status == 200);
    CHECK(response.body == R"({"cursor":1796040000})");  // the fake's cursor: the time's seconds
    const auto from = control_.last_replay();
    REQUIRE(from.has_value());
    CHECK(from->kind == ReplayFrom::Kind::kTime);
    CHECK(from->time_ms == 1'796'040'000'000);
  }
  SECTION("from_time_ms") {
    const HttpResponse response =
        post("/v1/destinations/web/replay", R"({"from_time_ms":1796040001000})");
    CHECK(response.status == 200);
    CHECK(response.body == R"({"cursor":1796040001})");
  }
  SECTION("an unknown destination") {
    CHECK(post("/v1/destinations/nope/replay", R"({"from_sequence":1})").status == 404);
  }
}

TEST_CASE_METHOD(EndpointFixture, "POST replay refuses a body without exactly one valid start",
                 "[admin]") {
  for (std::string_view body :
       {"", "{}", R"({"from_sequence":1,"from_time":"2026-11-30T12:00:00Z"})",
        R"({"from_time":"2026-11-30 noon"})", R"({"from_time_ms":"soon"})", "[1]",
        R"({"from":1})"}) {
    INFO(body);
    const HttpResponse response = post("/v1/destinations/web/replay", body);
    CHECK(response.status == 400);
    CHECK(has_error_code(response, "invalid_body"));
  }
  CHECK_FALSE(control_.last_replay().has_value());
}

TEST_CASE_METHOD(EndpointFixture, "GET dead-letters lists them without their events", "[admin]") {
  SECTION("with one") {
    const HttpResponse response = get("/v1/destinations/web/dead-letters");
    CHECK(response.status == 200);
    CHECK(response.body == json_of({R"({"dead_letters":[)", kLetterSummary, "}]}"}));
  }
  SECTION("none") {
    const HttpResponse response = get("/v1/destinations/archive/dead-letters");
    CHECK(response.status == 200);
    CHECK(response.body == R"({"dead_letters":[]})");
  }
  SECTION("an unknown destination") {
    CHECK(get("/v1/destinations/nope/dead-letters").status == 404);
  }
}

TEST_CASE_METHOD(EndpointFixture, "GET dead-letters/{id} adds the stored events verbatim",
                 "[admin]") {
  SECTION("known") {
    const HttpResponse response = get("/v1/destinations/web/dead-letters/7");
    CHECK(response.status == 200);
    CHECK(response.body ==
          json_of({kLetterSummary, R"(,"contents":[)", kFirstEvent, ",", kSecondEvent, "]}"}));
  }
  SECTION("a record that cannot be decoded shows as null") {
    storage::DeadLetter broken;
    broken.destination = "archive";
    broken.first_sequence = 3;
    broken.last_sequence = 4;
    broken.contents = {{3, "\xff not a record"}, {4, stored_record(kSecondEvent)}};
    control_.add_dead_letter(broken);
    const HttpResponse response = get("/v1/destinations/archive/dead-letters/3");
    CHECK(response.status == 200);
    CHECK_THAT(response.body, Contains(json_of({R"("contents":[null,)", kSecondEvent, "]}"})));
  }
  SECTION("an unknown id") {
    const HttpResponse response = get("/v1/destinations/web/dead-letters/8");
    CHECK(response.status == 404);
    CHECK(has_error_code(response, "not_found"));
  }
  SECTION("an id that is not a number") {
    for (std::string_view id : {"x", "-1", "7a", "18446744073709551616"}) {
      INFO(id);
      const HttpResponse response = get("/v1/destinations/web/dead-letters/" + std::string(id));
      CHECK(response.status == 400);
      CHECK(has_error_code(response, "invalid_id"));
    }
  }
}

TEST_CASE_METHOD(EndpointFixture, "POST redeliver queues a dead letter with 202", "[admin]") {
  SECTION("known") {
    const HttpResponse response = post("/v1/destinations/web/dead-letters/7/redeliver");
    CHECK(response.status == 202);
    CHECK(response.body == R"({"status":"queued"})");
    CHECK(control_.calls() == std::vector<std::string>{"redeliver web 7"});
  }
  SECTION("unknown") {
    CHECK(post("/v1/destinations/web/dead-letters/8/redeliver").status == 404);
  }
  SECTION("an id that is not a number is refused before the router is asked") {
    CHECK(post("/v1/destinations/web/dead-letters/seven/redeliver").status == 400);
    CHECK(control_.calls().empty());
  }
}

TEST_CASE_METHOD(AdminFixture, "Text from the router is escaped into valid JSON", "[admin]") {
  const std::string name = std::string("we\"ird\\na\x01me\n") + '\0';  // a NUL too
  const std::string error = "tab\there \xff end";
  DestinationStatus status;
  status.name = name;
  status.type = "webhook";
  status.last_error = error;
  control_.add_destination(status);

  const HttpResponse response = get("/v1/destinations");
  REQUIRE(response.status == 200);
  simdjson::dom::parser parser;
  simdjson::dom::element document;
  REQUIRE(parser.parse(response.body).get(document) == simdjson::SUCCESS);
  std::string_view parsed_name;
  std::string_view parsed_error;
  REQUIRE(document["destinations"].at(0)["name"].get(parsed_name) == simdjson::SUCCESS);
  REQUIRE(document["destinations"].at(0)["last_error"].get(parsed_error) == simdjson::SUCCESS);
  CHECK(parsed_name == name);
  CHECK(parsed_error == "tab\there \xEF\xBF\xBD end");
}

}  // namespace sluice::admin::test
