#include "api/objects.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "api/base64.hpp"
#include "api/ingestor.hpp"
#include "api/timestamp.hpp"
#include "api_fixture.hpp"

namespace sluice::api {
namespace {

using storage::EventType;
using test::decode_event;
using test::kReceivedAt;

// "rooms-source" takes everything; "tracks-only" only track messages.
std::vector<config::SourceConfig> object_sources() {
  config::SourceConfig tracks_only{"tracks-only", {"wk_tracks"}, {}};
  tracks_only.settings.allowed_types = {"track"};
  return {config::SourceConfig{"rooms-source", {"wk_rooms"}, {}}, tracks_only};
}

struct ObjectsFixture {
  SourceRegistry registry{object_sources()};
  Ingestor ingestor{IngestLimits{}};
  std::string authorization;

  IngestOutcome send(std::string_view body, std::string_view key = "wk_rooms") {
    authorization = "Basic " + encode_base64(std::string(key) + ":");
    IngestRequest request;
    request.body = body;
    request.keys = KeyCarriers{authorization, {}, {}};
    request.received_at_ms = kReceivedAt;
    IngestOutcome outcome;
    ingestor.ingest_objects(registry, request, outcome);
    return outcome;
  }
};

TEST_CASE("Objects are stored as records of type object with their collection and id",
          "[api][objects]") {
  ObjectsFixture fixture;
  const IngestOutcome outcome = fixture.send(
      R"({"collection":"rooms","objects":[{"id":"2561341","properties":{"name":"Topaz","beds":2}},)"
      R"({"id":42},{"id":"q\"x","properties":{}}]})");
  INFO(outcome.detail);
  REQUIRE(outcome.error == RequestError::kNone);
  CHECK(outcome.rejected.empty());
  REQUIRE(outcome.records.size() == 3);
  CHECK(outcome.accepted_by_type[static_cast<std::size_t>(EventType::kObject)] == 3);
  const auto first = decode_event(outcome.records[0]);
  CHECK(first.type == EventType::kObject);
  CHECK(first.source == "rooms-source");
  CHECK(first.received_at_ms == kReceivedAt);
  CHECK(first.json.string_at("/type") == "object");
  CHECK(first.json.string_at("/collection") == "rooms");
  CHECK(first.json.string_at("/id") == "2561341");
  CHECK(first.json.string_at("/properties/name") == "Topaz");
  CHECK(first.json.string_at("/messageId") == first.message_id);
  CHECK(first.json.string_at("/receivedAt") == format_timestamp(kReceivedAt));
  CHECK(decode_event(outcome.records[1]).json.string_at("/id") == "42");
  CHECK(decode_event(outcome.records[1]).json.has("/properties"));
  CHECK(decode_event(outcome.records[2]).json.string_at("/id") == "q\"x");
  CHECK(first.message_id != decode_event(outcome.records[1]).message_id);
}

TEST_CASE("An object with a problem is rejected alone", "[api][objects]") {
  ObjectsFixture fixture;
  const std::string big(kMaxObjectBytes, 'x');
  const IngestOutcome outcome =
      fixture.send(R"({"collection":"rooms","objects":[7,{"properties":{}},{"id":""},{"id":1.5},)"
                   R"({"id":"p","properties":[1]},{"id":"big","properties":{"x":")" +
                   big + R"("}},{"id":"fine"}]})");
  REQUIRE(outcome.error == RequestError::kNone);
  REQUIRE(outcome.records.size() == 1);
  CHECK(decode_event(outcome.records[0]).json.string_at("/id") == "fine");
  REQUIRE(outcome.rejected.size() == 6);
  const std::vector<std::string_view> codes{"object_not_object",     "object_id_required",
                                            "object_id_required",    "object_id_required",
                                            "properties_not_object", "object_too_large"};
  for (std::size_t i = 0; i < codes.size(); ++i) {
    CHECK(outcome.rejected[i].index == i);
    CHECK(outcome.rejected[i].code == codes[i]);
  }
}

TEST_CASE("An Objects API request that is not one is refused whole", "[api][objects]") {
  ObjectsFixture fixture;
  CHECK(fixture.send("nope").error == RequestError::kInvalidJson);
  CHECK(fixture.send(R"({"objects":[]})").error == RequestError::kInvalidCollection);
  CHECK(fixture.send(R"({"collection":"Rooms","objects":[]})").error ==
        RequestError::kInvalidCollection);
  CHECK(fixture.send(R"({"collection":")" + std::string(65, 'a') + R"(","objects":[]})").error ==
        RequestError::kInvalidCollection);
  CHECK(fixture.send(R"({"collection":"rooms"})").error == RequestError::kInvalidJson);
  std::string many = R"({"collection":"rooms","objects":[)";
  for (std::size_t i = 0; i <= kMaxObjects; ++i) many += (i ? ",{\"id\":1}" : "{\"id\":1}");
  many += "]}";
  CHECK(fixture.send(many).error == RequestError::kTooManyObjects);
  CHECK(fixture.send(R"({"collection":"rooms","objects":[]})", "nobody").error ==
        RequestError::kInvalidWriteKey);
  const std::string oversized =
      R"({"collection":"rooms","objects":[],"pad":")" + std::string(kMaxObjectsBody, ' ') + "\"}";
  CHECK(fixture.send(oversized).error == RequestError::kPayloadTooLarge);
}

TEST_CASE("A source whose allowed_types leave out object gets its objects rejected",
          "[api][objects]") {
  ObjectsFixture fixture;
  const IngestOutcome outcome =
      fixture.send(R"({"collection":"rooms","objects":[{"id":"1"}]})", "wk_tracks");
  REQUIRE(outcome.error == RequestError::kNone);
  CHECK(outcome.records.empty());
  REQUIRE(outcome.rejected.size() == 1);
  CHECK(outcome.rejected[0].code == "type_not_allowed");
}

TEST_CASE("Collection names are a-z, 0-9 and '_', 1 to 64 of them", "[api][objects]") {
  CHECK(valid_collection("rooms"));
  CHECK(valid_collection("room_2"));
  CHECK(valid_collection(std::string(64, 'a')));
  CHECK_FALSE(valid_collection(""));
  CHECK_FALSE(valid_collection("Rooms"));
  CHECK_FALSE(valid_collection("rooms-2"));
  CHECK_FALSE(valid_collection(std::string(65, 'a')));
}

TEST_CASE("object is not a message type of the Tracking API", "[api][objects]") {
  test::IngestFixture fixture;
  const IngestOutcome outcome =
      fixture.batch(R"({"writeKey":"wk_web","batch":[{"type":"object","userId":"u"}]})");
  REQUIRE(outcome.error == RequestError::kNone);
  REQUIRE(outcome.rejected.size() == 1);
  CHECK(outcome.rejected[0].code == "invalid_type");
  CHECK_FALSE(storage::message_type_from_string("object").has_value());
  CHECK(storage::event_type_from_string("object") == EventType::kObject);
}

}  // namespace
}  // namespace sluice::api
