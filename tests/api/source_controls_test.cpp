// A source's [sources.settings] as the ingestor applies them: disallowed types and blocked track
// events are rejected per message, and a request bigger than the rate limit's burst is refused.

#include "api/source_controls.hpp"

#include <catch2/catch.hpp>

#include "api/ingestor.hpp"
#include "api_fixture.hpp"

namespace sluice::api {
namespace {

using storage::EventType;

config::SourceSettings blocking(std::vector<std::string> events) {
  config::SourceSettings settings;
  settings.blocked_events = std::move(events);
  return settings;
}

TEST_CASE("SourceControls without settings allow everything", "[api]") {
  const SourceControls controls;
  for (int t = 0; t < storage::kEventTypeCount; ++t) {
    CHECK(controls.allows_type(static_cast<EventType>(t)));
  }
  CHECK_FALSE(controls.blocks_event("Anything"));
  CHECK(controls.rate_limiter() == nullptr);
  CHECK(controls.allowed_origins() == nullptr);
}

TEST_CASE("SourceControls allow only the listed types", "[api]") {
  config::SourceSettings settings;
  settings.allowed_types = {"track", "identify"};
  const SourceControls controls(settings);
  CHECK(controls.allows_type(EventType::kTrack));
  CHECK(controls.allows_type(EventType::kIdentify));
  CHECK_FALSE(controls.allows_type(EventType::kPage));
  CHECK_FALSE(controls.allows_type(EventType::kAlias));
}

TEST_CASE("SourceControls block exact names and prefixes ending in *", "[api]") {
  const SourceControls controls(blocking({"Debug Ping", "Test *"}));
  CHECK(controls.blocks_event("Debug Ping"));
  CHECK_FALSE(controls.blocks_event("Debug Ping 2"));
  CHECK_FALSE(controls.blocks_event("debug ping"));
  CHECK(controls.blocks_event("Test Checkout"));
  CHECK(controls.blocks_event("Test "));
  CHECK_FALSE(controls.blocks_event("Test"));
  CHECK_FALSE(controls.blocks_event("Order Completed"));
}

TEST_CASE("SourceControls keep the source's origins and rate limit", "[api]") {
  config::SourceSettings settings;
  settings.allowed_origins = std::vector<std::string>{"https://shop.example.com"};
  settings.rate_limit = config::RateLimitConfig{50, 200};
  const SourceControls controls(settings);
  REQUIRE(controls.allowed_origins() != nullptr);
  CHECK(*controls.allowed_origins() == std::vector<std::string>{"https://shop.example.com"});
  REQUIRE(controls.rate_limiter() != nullptr);
  CHECK(controls.rate_limiter()->burst() == 200);
}

// One source "shop" (key "wk_shop") with the given settings.
class ControlledSource {
 public:
  explicit ControlledSource(const config::SourceSettings& settings)
      : registry_({config::SourceConfig{"shop", {"wk_shop"}, settings}}),
        ingestor_(IngestLimits{}) {}

  IngestOutcome run(std::string_view body, std::optional<EventType> path_type = std::nullopt) {
    IngestRequest request;
    request.body = body;
    request.path_type = path_type;
    request.received_at_ms = test::kReceivedAt;
    IngestOutcome outcome;
    ingestor_.ingest(registry_, request, outcome);
    return outcome;
  }

 private:
  SourceRegistry registry_;
  Ingestor ingestor_;
};

TEST_CASE("A batch reports blocked events and disallowed types and stores the rest", "[api]") {
  config::SourceSettings settings = blocking({"Debug Ping", "Test *"});
  settings.allowed_types = {"track", "identify"};
  ControlledSource source(settings);
  const IngestOutcome outcome = source.run(R"({"writeKey":"wk_shop","batch":[)"
                                           R"({"type":"track","userId":"u","event":"Debug Ping"},)"
                                           R"({"type":"track","userId":"u","event":"Bought"},)"
                                           R"({"type":"page","userId":"u"},)"
                                           R"({"type":"track","userId":"u","event":"Test A"},)"
                                           R"({"type":"track","userId":"u"},)"
                                           R"({"type":"identify","userId":"u"}]})");
  REQUIRE(outcome.error == RequestError::kNone);
  REQUIRE(outcome.records.size() == 2);
  CHECK(test::decode_event(outcome.records[0]).json.string_at("/event") == "Bought");
  CHECK(test::decode_event(outcome.records[1]).type == EventType::kIdentify);
  REQUIRE(outcome.rejected.size() == 4);
  CHECK(outcome.rejected[0].index == 0);
  CHECK(outcome.rejected[0].code == "event_blocked");
  CHECK(outcome.rejected[1].index == 2);
  CHECK(outcome.rejected[1].code == "type_not_allowed");
  CHECK(outcome.rejected[2].index == 3);
  CHECK(outcome.rejected[2].code == "event_blocked");
  // The message's own checks come first.
  CHECK(outcome.rejected[3].index == 4);
  CHECK(outcome.rejected[3].code == "event_not_defined");
}

TEST_CASE("A single message of a blocked event is reported like any rejected message", "[api]") {
  ControlledSource source(blocking({"Debug Ping"}));
  SECTION("a blocked name") {
    const IngestOutcome outcome = source.run(
        R"({"writeKey":"wk_shop","userId":"u","event":"Debug Ping"})", EventType::kTrack);
    CHECK(outcome.error == RequestError::kNone);
    CHECK(outcome.records.empty());
    REQUIRE(outcome.rejected.size() == 1);
    CHECK(outcome.rejected[0].index == 0);
    CHECK(outcome.rejected[0].code == "event_blocked");
  }
  SECTION("a page with that name is not a track event and is stored") {
    const IngestOutcome outcome = source.run(
        R"({"writeKey":"wk_shop","userId":"u","name":"Debug Ping","event":"Debug Ping"})",
        EventType::kPage);
    CHECK(outcome.rejected.empty());
    CHECK(outcome.records.size() == 1);
  }
}

TEST_CASE("A request with more events to store than the burst is refused", "[api]") {
  config::SourceSettings settings = blocking({"Noise"});
  settings.rate_limit = config::RateLimitConfig{1, 2};
  ControlledSource source(settings);
  SECTION("three events to store") {
    const IngestOutcome outcome = source.run(R"({"writeKey":"wk_shop","batch":[)"
                                             R"({"type":"track","userId":"u","event":"A"},)"
                                             R"({"type":"track","userId":"u","event":"B"},)"
                                             R"({"type":"track","userId":"u","event":"C"}]})");
    CHECK(outcome.error == RequestError::kExceedsBurst);
    CHECK(to_code(outcome.error) == "exceeds_burst");
    CHECK_THAT(outcome.detail, Catch::Contains("at most 2"));
    CHECK(outcome.records.empty());
    REQUIRE(outcome.source != nullptr);
    CHECK(outcome.source->name == "shop");
  }
  SECTION("only the events to be stored count") {
    const IngestOutcome outcome = source.run(R"({"writeKey":"wk_shop","batch":[)"
                                             R"({"type":"track","userId":"u","event":"A"},)"
                                             R"({"type":"track","userId":"u","event":"Noise"},)"
                                             R"({"type":"track","userId":"u","event":"C"}]})");
    CHECK(outcome.error == RequestError::kNone);
    CHECK(outcome.records.size() == 2);
    CHECK(outcome.rejected.size() == 1);
  }
}

}  // namespace
}  // namespace sluice::api
