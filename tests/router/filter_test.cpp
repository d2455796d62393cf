#include "router/filter.hpp"

#include <catch2/catch.hpp>

#include "router_fixture.hpp"

namespace sluice::router::test {
namespace {

using storage::EventType;

// Whether filter matches the event, through the same encode/decode path as the log.
bool matches(Filter& filter, const TestEvent& event) {
  const std::string bytes = encoded(event);
  const auto record = storage::decode_record(bytes);
  REQUIRE(record.has_value());
  return filter.matches(*record);
}

storage::Record record_with_json(std::string_view json) {
  storage::Record record;
  record.type = EventType::kTrack;
  record.source = "web";
  record.json = json;
  return record;
}

}  // namespace

TEST_CASE("An empty filter matches every event", "[router]") {
  Filter filter(destination_config());
  CHECK(matches(filter, TestEvent{"a"}));
  CHECK(matches(filter, TestEvent{"b", "ios", EventType::kAlias}));
}

TEST_CASE("Filters select by source, type and track event name", "[router]") {
  config::DestinationConfig config = destination_config();

  SECTION("sources") {
    config.sources = {"web", "ios"};
    Filter filter(config);
    CHECK(matches(filter, TestEvent{"a", "web"}));
    CHECK(matches(filter, TestEvent{"b", "ios"}));
    CHECK_FALSE(matches(filter, TestEvent{"c", "backend"}));
    CHECK_FALSE(matches(filter, TestEvent{"d", "we"}));
  }
  SECTION("types") {
    config.include_types = {"identify", "page"};
    Filter filter(config);
    CHECK(matches(filter, TestEvent{"a", "web", EventType::kIdentify}));
    CHECK(matches(filter, TestEvent{"b", "web", EventType::kPage}));
    CHECK_FALSE(matches(filter, TestEvent{"c", "web", EventType::kTrack}));
    CHECK_FALSE(matches(filter, TestEvent{"d", "web", EventType::kScreen}));
  }
  SECTION("included event names apply to track events only") {
    config.include_events = {"Order Completed", "Signed Up"};
    Filter filter(config);
    CHECK(matches(filter, TestEvent{"a", "web", EventType::kTrack, "Order Completed"}));
    CHECK(matches(filter, TestEvent{"b", "web", EventType::kTrack, "Signed Up"}));
    CHECK_FALSE(matches(filter, TestEvent{"c", "web", EventType::kTrack, "Order"}));
    CHECK(matches(filter, TestEvent{"d", "web", EventType::kIdentify, "Other"}));
  }
  SECTION("excluded event names win over included ones") {
    config.include_events = {"A", "B"};
    config.exclude_events = {"B"};
    Filter filter(config);
    CHECK(matches(filter, TestEvent{"a", "web", EventType::kTrack, "A"}));
    CHECK_FALSE(matches(filter, TestEvent{"b", "web", EventType::kTrack, "B"}));
  }
  SECTION("every condition must hold") {
    config.sources = {"web"};
    config.include_types = {"track"};
    config.exclude_events = {"Noise"};
    Filter filter(config);
    CHECK(matches(filter, TestEvent{"a", "web", EventType::kTrack, "Signal"}));
    CHECK_FALSE(matches(filter, TestEvent{"b", "web", EventType::kTrack, "Noise"}));
    CHECK_FALSE(matches(filter, TestEvent{"c", "ios", EventType::kTrack, "Signal"}));
    CHECK_FALSE(matches(filter, TestEvent{"d", "web", EventType::kPage, "Signal"}));
  }
}

TEST_CASE("The event name is read from anywhere in the JSON, escapes decoded", "[router]") {
  config::DestinationConfig config = destination_config();
  config.include_events = {"Say \"hi\""};
  Filter filter(config);
  CHECK(filter.matches(record_with_json(R"({"properties":{"event":"x"},"event":"Say \"hi\""})")));
  CHECK_FALSE(filter.matches(record_with_json(R"({"event":"Say hi"})")));

  SECTION("an event without a usable name is not included, and not excluded") {
    CHECK_FALSE(filter.matches(record_with_json(R"({"userId":"u"})")));
    CHECK_FALSE(filter.matches(record_with_json(R"({"event":42})")));
    CHECK_FALSE(filter.matches(record_with_json(R"({"event":)")));
    config::DestinationConfig excluding = destination_config();
    excluding.exclude_events = {"x"};
    Filter exclude_only(excluding);
    CHECK(exclude_only.matches(record_with_json(R"({"userId":"u"})")));
  }
}

}  // namespace sluice::router::test
