#include "api/message_rules.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "api_fixture.hpp"

namespace sluice::api {
namespace {

using storage::EventType;
using test::IngestFixture;

// The single rejection code of a message posted alone to the route of `type`, or "" when it
// is accepted. The request itself always succeeds.
std::string verdict(IngestFixture& fixture, EventType type, const std::string& members) {
  const std::string body = R"({"writeKey":"wk_web")" + (members.empty() ? "" : "," + members) + "}";
  INFO(body);
  const IngestOutcome outcome = fixture.single(type, body);
  REQUIRE(outcome.error == RequestError::kNone);
  if (outcome.rejected.empty()) {
    CHECK(outcome.records.size() == 1);
    return "";
  }
  REQUIRE(outcome.rejected.size() == 1);
  CHECK(outcome.rejected[0].index == 0);
  CHECK_FALSE(outcome.rejected[0].message.empty());
  CHECK(outcome.records.empty());
  return std::string(outcome.rejected[0].code);
}

// The same for one item of a batch.
std::string batch_verdict(IngestFixture& fixture, const std::string& item) {
  const std::string body = R"({"writeKey":"wk_web","batch":[)" + item + "]}";
  INFO(body);
  const IngestOutcome outcome = fixture.batch(body);
  REQUIRE(outcome.error == RequestError::kNone);
  if (outcome.rejected.empty()) {
    CHECK(outcome.records.size() == 1);
    return "";
  }
  REQUIRE(outcome.rejected.size() == 1);
  CHECK(outcome.records.empty());
  return std::string(outcome.rejected[0].code);
}

TEST_CASE("minimal valid messages of every type are accepted", "[api]") {
  IngestFixture fixture;
  SECTION("identify with a userId or only an anonymousId") {
    CHECK(verdict(fixture, EventType::kIdentify, R"("userId":"u")") == "");
    CHECK(verdict(fixture, EventType::kIdentify, R"("anonymousId":"a")") == "");
  }
  SECTION("track") {
    CHECK(verdict(fixture, EventType::kTrack, R"("userId":"u","event":"E")") == "");
  }
  SECTION("page and screen without name or category") {
    CHECK(verdict(fixture, EventType::kPage, R"("userId":"u")") == "");
    CHECK(verdict(fixture, EventType::kScreen, R"("userId":"u","name":"Home")") == "");
  }
  SECTION("group") {
    CHECK(verdict(fixture, EventType::kGroup, R"("userId":"u","groupId":"g")") == "");
  }
  SECTION("alias") {
    CHECK(verdict(fixture, EventType::kAlias, R"("userId":"u","previousId":"p")") == "");
  }
  SECTION("numeric ids count as ids") {
    CHECK(verdict(fixture, EventType::kTrack, R"("userId":42,"event":"E")") == "");
    CHECK(verdict(fixture, EventType::kGroup, R"("anonymousId":1,"groupId":2)") == "");
    CHECK(verdict(fixture, EventType::kAlias, R"("userId":1,"previousId":2)") == "");
  }
  SECTION("null optional objects are as good as absent") {
    CHECK(verdict(fixture, EventType::kTrack,
                  R"("userId":"u","event":"E","properties":null,"context":null)") == "");
    CHECK(verdict(fixture, EventType::kIdentify, R"("userId":"u","traits":null)") == "");
  }
}

TEST_CASE("a message needs a usable user or anonymous id", "[api]") {
  IngestFixture fixture;
  SECTION("neither id: no_user_anon_id") {
    CHECK(verdict(fixture, EventType::kTrack, R"("event":"E")") == "no_user_anon_id");
  }
  SECTION("empty or null ids count as absent") {
    CHECK(verdict(fixture, EventType::kIdentify, R"("userId":"","anonymousId":null)") ==
          "no_user_anon_id");
  }
  SECTION("ids of another type: id_not_string") {
    CHECK(verdict(fixture, EventType::kIdentify, R"("userId":true)") == "id_not_string");
    CHECK(verdict(fixture, EventType::kIdentify, R"("userId":"u","anonymousId":["a"])") ==
          "id_not_string");
    CHECK(verdict(fixture, EventType::kPage, R"("userId":{"id":"u"})") == "id_not_string");
  }
}

TEST_CASE("track needs a string event and object properties", "[api]") {
  IngestFixture fixture;
  SECTION("no event, an empty one or null: event_not_defined") {
    CHECK(verdict(fixture, EventType::kTrack, R"("userId":"u")") == "event_not_defined");
    CHECK(verdict(fixture, EventType::kTrack, R"("userId":"u","event":"")") == "event_not_defined");
    CHECK(verdict(fixture, EventType::kTrack, R"("userId":"u","event":null)") ==
          "event_not_defined");
  }
  SECTION("an event that is not a string: event_not_string") {
    CHECK(verdict(fixture, EventType::kTrack, R"("userId":"u","event":5)") == "event_not_string");
    CHECK(verdict(fixture, EventType::kTrack, R"("userId":"u","event":{"n":1})") ==
          "event_not_string");
  }
  SECTION("properties that are not an object: properties_not_object") {
    CHECK(verdict(fixture, EventType::kTrack, R"("userId":"u","event":"E","properties":[])") ==
          "properties_not_object");
    CHECK(verdict(fixture, EventType::kTrack, R"("userId":"u","event":"E","properties":"x")") ==
          "properties_not_object");
  }
}

TEST_CASE("identify and group need object traits", "[api]") {
  IngestFixture fixture;
  SECTION("identify") {
    CHECK(verdict(fixture, EventType::kIdentify, R"("userId":"u","traits":"x")") ==
          "traits_not_object");
  }
  SECTION("group") {
    CHECK(verdict(fixture, EventType::kGroup, R"("userId":"u","groupId":"g","traits":5)") ==
          "traits_not_object");
  }
}

TEST_CASE("group needs a groupId", "[api]") {
  IngestFixture fixture;
  SECTION("absent or empty: group_id_required") {
    CHECK(verdict(fixture, EventType::kGroup, R"("userId":"u")") == "group_id_required");
    CHECK(verdict(fixture, EventType::kGroup, R"("userId":"u","groupId":"")") ==
          "group_id_required");
  }
  SECTION("not a string or number: id_not_string") {
    CHECK(verdict(fixture, EventType::kGroup, R"("userId":"u","groupId":{})") == "id_not_string");
  }
}

TEST_CASE("alias needs a previousId and a userId", "[api]") {
  IngestFixture fixture;
  SECTION("no previousId: previous_id_required") {
    CHECK(verdict(fixture, EventType::kAlias, R"("userId":"u")") == "previous_id_required");
  }
  SECTION("no userId, even with an anonymousId: user_id_required") {
    CHECK(verdict(fixture, EventType::kAlias, R"("previousId":"p","anonymousId":"a")") ==
          "user_id_required");
  }
  SECTION("ids of another type: id_not_string") {
    CHECK(verdict(fixture, EventType::kAlias, R"("userId":"u","previousId":false)") ==
          "id_not_string");
    CHECK(verdict(fixture, EventType::kAlias, R"("userId":[],"previousId":"p")") ==
          "id_not_string");
  }
}

TEST_CASE("page and screen need non-empty string names and categories", "[api]") {
  IngestFixture fixture;
  const EventType type = GENERATE(EventType::kPage, EventType::kScreen);
  SECTION("name") {
    CHECK(verdict(fixture, type, R"("userId":"u","name":5)") == "name_not_string");
    CHECK(verdict(fixture, type, R"("userId":"u","name":"")") == "name_not_string");
  }
  SECTION("category") {
    CHECK(verdict(fixture, type, R"("userId":"u","name":"Home","category":false)") ==
          "category_not_string");
  }
}

TEST_CASE("context and integrations must be objects", "[api]") {
  IngestFixture fixture;
  SECTION("context") {
    CHECK(verdict(fixture, EventType::kIdentify, R"("userId":"u","context":"x")") ==
          "context_not_object");
  }
  SECTION("integrations") {
    CHECK(verdict(fixture, EventType::kIdentify, R"("userId":"u","integrations":[true])") ==
          "integrations_not_object");
  }
}

TEST_CASE("messageId may hold at most 100 characters", "[api]") {
  IngestFixture fixture;
  auto with_id = [](const std::string& id) { return R"("userId":"u","messageId":")" + id + '"'; };
  SECTION("100 ASCII characters are accepted, 101 are not") {
    CHECK(verdict(fixture, EventType::kIdentify, with_id(std::string(100, 'm'))) == "");
    CHECK(verdict(fixture, EventType::kIdentify, with_id(std::string(101, 'm'))) ==
          "message_id_too_long");
  }
  SECTION("characters, not bytes, are counted") {
    std::string hundred_e_acute;
    for (int i = 0; i < 100; ++i) hundred_e_acute += "\xc3\xa9";
    CHECK(verdict(fixture, EventType::kIdentify, with_id(hundred_e_acute)) == "");
    CHECK(verdict(fixture, EventType::kIdentify, with_id(hundred_e_acute + "x")) ==
          "message_id_too_long");
  }
}

TEST_CASE("batch items need an object with a known type", "[api]") {
  IngestFixture fixture;
  SECTION("no type or a null type: type_required") {
    CHECK(batch_verdict(fixture, R"({"userId":"u","event":"E"})") == "type_required");
    CHECK(batch_verdict(fixture, R"({"type":null,"userId":"u"})") == "type_required");
  }
  SECTION("an unknown type or one that is not a string: invalid_type") {
    CHECK(batch_verdict(fixture, R"({"type":"purchase","userId":"u"})") == "invalid_type");
    CHECK(batch_verdict(fixture, R"({"type":"Track","userId":"u","event":"E"})") == "invalid_type");
    CHECK(batch_verdict(fixture, R"({"type":1,"userId":"u"})") == "invalid_type");
  }
  SECTION("an item that is not an object: message_not_object") {
    CHECK(batch_verdict(fixture, "5") == "message_not_object");
    CHECK(batch_verdict(fixture, R"("track")") == "message_not_object");
    CHECK(batch_verdict(fixture, "[1,2]") == "message_not_object");
    CHECK(batch_verdict(fixture, "null") == "message_not_object");
  }
  SECTION("a typed item goes through the rules of its type") {
    CHECK(batch_verdict(fixture, R"({"type":"track","userId":"u"})") == "event_not_defined");
    CHECK(batch_verdict(fixture, R"({"type":"alias","userId":"u"})") == "previous_id_required");
  }
}

TEST_CASE("a batch item over the per-message limit is rejected alone", "[api]") {
  IngestFixture fixture(IngestLimits{100, 2500});
  const std::string small = R"({"type":"track","userId":"u","event":"E"})";
  const std::string big = R"({"type":"track","userId":"u","event":"E","properties":{"p":")" +
                          std::string(100, 'x') + R"("}})";
  const IngestOutcome outcome =
      fixture.batch(R"({"writeKey":"wk_web","batch":[)" + small + "," + big + "," + small + "]}");
  REQUIRE(outcome.error == RequestError::kNone);
  CHECK(outcome.records.size() == 2);
  REQUIRE(outcome.rejected.size() == 1);
  CHECK(outcome.rejected[0].index == 1);
  CHECK(outcome.rejected[0].code == "message_too_large");
}

}  // namespace
}  // namespace sluice::api
