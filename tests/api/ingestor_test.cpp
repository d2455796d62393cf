#include "api/ingestor.hpp"

#include <regex>
#include <string>

#include <catch2/catch.hpp>

#include "api/base64.hpp"
#include "api/timestamp.hpp"
#include "api_fixture.hpp"

namespace sluice::api {
namespace {

using simdjson::dom::element_type;
using storage::EventType;
using test::IngestFixture;
using test::kReceivedAt;
using test::StoredEvent;

bool is_uuid_v4(const std::string& text) {
  static const std::regex kUuidV4(
      "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return std::regex_match(text, kUuidV4);
}

struct TypeCase {
  EventType type;
  std::string_view members;  // a minimal valid message of the type
};

constexpr TypeCase kTypeCases[] = {
    {EventType::kIdentify, R"("userId":"u1","traits":{"plan":"pro"})"},
    {EventType::kTrack, R"("userId":"u1","event":"Signed Up","properties":{"n":1})"},
    {EventType::kPage, R"("anonymousId":"a1","name":"Home","category":"Docs")"},
    {EventType::kScreen, R"("anonymousId":"a1","name":"Settings")"},
    {EventType::kGroup, R"("userId":"u1","groupId":"g1","traits":{"size":3})"},
    {EventType::kAlias, R"("userId":"u1","previousId":"a1")"},
};

// What every stored event carries, whatever its type.
void check_enriched(const StoredEvent& event, EventType type, std::string_view source) {
  CHECK(event.type == type);
  CHECK(event.source == source);
  CHECK(event.received_at_ms == kReceivedAt);
  CHECK(event.json.string_at("/type") == storage::to_string(type));
  CHECK(event.json.at("/version").get_int64().value_unsafe() == 2);
  CHECK(event.json.string_at("/receivedAt") == format_timestamp(kReceivedAt));
  CHECK(event.json.string_at("/messageId") == event.message_id);
  CHECK_FALSE(event.json.has("/writeKey"));
}

TEST_CASE("single messages of every type are stored enriched", "[api]") {
  IngestFixture fixture;
  for (const TypeCase& type_case : kTypeCases) {
    DYNAMIC_SECTION(storage::to_string(type_case.type)) {
      const std::string body = R"({"writeKey":"wk_web",)" + std::string(type_case.members) + "}";
      const IngestOutcome outcome = fixture.single(type_case.type, body);
      const StoredEvent event = fixture.only_event(outcome);
      check_enriched(event, type_case.type, "web");
      CHECK(outcome.source == fixture.registry().find_by_write_key("wk_web"));
      CHECK(outcome.accepted_by_type[static_cast<std::size_t>(type_case.type)] == 1);
      // No client time: the receive time stands for both.
      CHECK(event.timestamp_ms == kReceivedAt);
      CHECK(event.json.string_at("/timestamp") == format_timestamp(kReceivedAt));
      CHECK(event.json.string_at("/originalTimestamp") == format_timestamp(kReceivedAt));
    }
  }
}

TEST_CASE("the route's type replaces the body's type on single-message routes", "[api]") {
  IngestFixture fixture;
  const StoredEvent event = fixture.only_event(fixture.single(
      EventType::kTrack, R"({"writeKey":"wk_web","type":"identify","userId":"u","event":"E"})"));
  CHECK(event.type == EventType::kTrack);
  CHECK(event.json.string_at("/type") == "track");
  int types = 0;
  for (const auto& member : event.json.members_at("")) types += member.first == "type";
  CHECK(types == 1);
}

TEST_CASE("a batch stores messages of mixed types in order", "[api]") {
  IngestFixture fixture;
  std::string body = R"({"writeKey":"wk_mobile","batch":[)";
  for (const TypeCase& type_case : kTypeCases) {
    if (body.back() != '[') body += ',';
    body += R"({"type":")" + std::string(storage::to_string(type_case.type)) + "\"," +
            std::string(type_case.members) + "}";
  }
  body += "]}";
  const IngestOutcome outcome = fixture.batch(body);
  REQUIRE(outcome.error == RequestError::kNone);
  CHECK(outcome.rejected.empty());
  REQUIRE(outcome.records.size() == std::size(kTypeCases));
  for (std::size_t i = 0; i < std::size(kTypeCases); ++i) {
    INFO("item " << i);
    check_enriched(test::decode_event(outcome.records[i]), kTypeCases[i].type, "mobile");
    CHECK(outcome.accepted_by_type[static_cast<std::size_t>(kTypeCases[i].type)] == 1);
  }
}

TEST_CASE("a batch reports each rejected item by index and stores the rest", "[api]") {
  IngestFixture fixture;
  const IngestOutcome outcome = fixture.batch(R"({"writeKey":"wk_web","batch":[)"
                                              R"({"type":"track","userId":"u","event":"A"},)"
                                              R"({"type":"track","userId":"u"},)"
                                              R"(7,)"
                                              R"({"type":"identify","userId":"u"},)"
                                              R"({"type":"shout","userId":"u"}]})");
  REQUIRE(outcome.error == RequestError::kNone);
  REQUIRE(outcome.records.size() == 2);
  CHECK(test::decode_event(outcome.records[0]).json.string_at("/event") == "A");
  CHECK(test::decode_event(outcome.records[1]).type == EventType::kIdentify);
  REQUIRE(outcome.rejected.size() == 3);
  CHECK(outcome.rejected[0].index == 1);
  CHECK(outcome.rejected[0].code == "event_not_defined");
  CHECK(outcome.rejected[1].index == 2);
  CHECK(outcome.rejected[1].code == "message_not_object");
  CHECK(outcome.rejected[2].index == 4);
  CHECK(outcome.rejected[2].code == "invalid_type");
  CHECK(outcome.accepted_by_type[static_cast<std::size_t>(EventType::kTrack)] == 1);
  CHECK(outcome.accepted_by_type[static_cast<std::size_t>(EventType::kIdentify)] == 1);
}

TEST_CASE("an empty batch succeeds and stores nothing", "[api]") {
  IngestFixture fixture;
  const IngestOutcome outcome = fixture.batch(R"({"writeKey":"wk_web","batch":[]})");
  CHECK(outcome.error == RequestError::kNone);
  CHECK(outcome.records.empty());
  CHECK(outcome.rejected.empty());
  CHECK(outcome.source != nullptr);
}

TEST_CASE("numeric ids are stored as strings", "[api]") {
  IngestFixture fixture;
  SECTION("userId and anonymousId") {
    const StoredEvent event = fixture.only_event(fixture.single(
        EventType::kTrack, R"({"writeKey":"wk_web","userId":42,"anonymousId":-7,"event":"E"})"));
    CHECK(event.json.string_at("/userId") == "42");
    CHECK(event.json.string_at("/anonymousId") == "-7");
  }
  SECTION("groupId, with digits beyond a double's precision kept") {
    const StoredEvent event = fixture.only_event(fixture.single(
        EventType::kGroup, R"({"writeKey":"wk_web","userId":"u","groupId":9007199254740993})"));
    CHECK(event.json.string_at("/groupId") == "9007199254740993");
  }
  SECTION("previousId and a fraction") {
    const StoredEvent event = fixture.only_event(
        fixture.single(EventType::kAlias,
                       R"({"writeKey":"wk_web","userId":3.5,"previousId":12345678901234567890})"));
    CHECK(event.json.string_at("/userId") == "3.5");
    CHECK(event.json.string_at("/previousId") == "12345678901234567890");
  }
  SECTION("messageId") {
    const StoredEvent event = fixture.only_event(fixture.single(
        EventType::kIdentify, R"({"writeKey":"wk_web","userId":"u","messageId":123})"));
    CHECK(event.json.string_at("/messageId") == "123");
    CHECK(event.message_id == "123");
  }
  SECTION("other numbers are left alone") {
    const StoredEvent event = fixture.only_event(fixture.single(
        EventType::kTrack, R"({"writeKey":"wk_web","userId":"u","event":"E","count":5})"));
    CHECK(event.json.type_at("/count") == element_type::INT64);
  }
}

TEST_CASE("messageId is kept or generated as a UUID v4", "[api]") {
  IngestFixture fixture;
  auto stored_id = [&fixture](std::string_view members) {
    const std::string body = R"({"writeKey":"wk_web","userId":"u")" + std::string(members) + "}";
    const StoredEvent event = fixture.only_event(fixture.single(EventType::kIdentify, body));
    CHECK(event.json.string_at("/messageId") == event.message_id);
    return event.message_id;
  };
  SECTION("a supplied messageId is kept") {
    CHECK(stored_id(R"(,"messageId":"ajs-next-1700000000000-abc")") ==
          "ajs-next-1700000000000-abc");
  }
  SECTION("a 100-character messageId is kept") {
    const std::string id(100, 'k');
    CHECK(stored_id(R"(,"messageId":")" + id + '"') == id);
  }
  SECTION("absent, empty or null: a fresh UUID v4 each time") {
    const std::string absent = stored_id("");
    const std::string empty = stored_id(R"(,"messageId":"")");
    const std::string null = stored_id(R"(,"messageId":null)");
    CHECK(is_uuid_v4(absent));
    CHECK(is_uuid_v4(empty));
    CHECK(is_uuid_v4(null));
    CHECK(absent != empty);
    CHECK(empty != null);
  }
  SECTION("longer than 100 characters: the message is rejected") {
    const IngestOutcome outcome =
        fixture.single(EventType::kIdentify, R"({"writeKey":"wk_web","userId":"u","messageId":")" +
                                                 std::string(101, 'k') + R"("})");
    CHECK(outcome.error == RequestError::kNone);
    CHECK(outcome.records.empty());
    REQUIRE(outcome.rejected.size() == 1);
    CHECK(outcome.rejected[0].code == "message_id_too_long");
  }
  SECTION("an escaped messageId: unescaped in the header, as sent in the JSON") {
    const IngestOutcome outcome = fixture.single(
        EventType::kIdentify, R"({"writeKey":"wk_web","userId":"u","messageId":"m\u002d1"})");
    const StoredEvent event = fixture.only_event(outcome);
    CHECK(event.message_id == "m-1");
    CHECK(event.text.find(R"("messageId":"m\u002d1")") != std::string::npos);
  }
}

TEST_CASE("envelope context and integrations are merged into every item, item keys win", "[api]") {
  IngestFixture fixture;
  const IngestOutcome outcome = fixture.batch(
      R"({"writeKey":"wk_web",)"
      R"("context":{"library":{"name":"analytics-go","version":"3.0"},"locale":"en-US"},)"
      R"("integrations":{"All":false,"Mixpanel":true},"batch":[)"
      R"({"type":"track","userId":"u","event":"A","context":{"locale":"de-DE","page":{"path":"/"}},)"
      R"("integrations":{"Mixpanel":false}},)"
      R"({"type":"track","userId":"u","event":"B"}]})");
  REQUIRE(outcome.error == RequestError::kNone);
  REQUIRE(outcome.records.size() == 2);
  const StoredEvent first = test::decode_event(outcome.records[0]);
  const StoredEvent second = test::decode_event(outcome.records[1]);
  SECTION("an item with its own context and integrations") {
    CHECK(first.json.string_at("/context/locale") == "de-DE");
    CHECK(first.json.string_at("/context/page/path") == "/");
    CHECK(first.json.string_at("/context/library/name") == "analytics-go");
    CHECK(first.json.size_at("/context") == 3);  // no duplicated locale
    CHECK(first.json.at("/integrations/Mixpanel").get_bool().value_unsafe() == false);
    CHECK(first.json.at("/integrations/All").get_bool().value_unsafe() == false);
    CHECK(first.json.size_at("/integrations") == 2);
  }
  SECTION("an item without: the envelope's") {
    CHECK(second.json.string_at("/context/locale") == "en-US");
    CHECK(second.json.string_at("/context/library/version") == "3.0");
    CHECK(second.json.at("/integrations/Mixpanel").get_bool().value_unsafe() == true);
  }
}

TEST_CASE("context.ip is filled in for client-side requests only", "[api]") {
  IngestFixture fixture;
  auto run = [&fixture](std::string_view members, bool client_side,
                        std::string_view client_ip = "203.0.113.9") {
    IngestRequest request;
    const std::string body =
        R"({"writeKey":"wk_web","userId":"u","event":"E")" + std::string(members) + "}";
    request.body = body;
    request.path_type = EventType::kTrack;
    request.client_side = client_side;
    request.client_ip = client_ip;
    return fixture.only_event(fixture.run(request));
  };
  SECTION("client-side without an ip: the peer address") {
    const StoredEvent event = run("", true);
    CHECK(event.json.string_at("/context/ip") == "203.0.113.9");
    CHECK(event.ip == "203.0.113.9");
  }
  SECTION("client-side, added next to the message's own context") {
    const StoredEvent event = run(R"(,"context":{"locale":"fr"})", true);
    CHECK(event.json.string_at("/context/ip") == "203.0.113.9");
    CHECK(event.json.string_at("/context/locale") == "fr");
  }
  SECTION("server-side: no ip") {
    const StoredEvent event = run(R"(,"context":{"locale":"fr"})", false);
    CHECK_FALSE(event.json.has("/context/ip"));
    CHECK(event.ip.empty());
  }
  SECTION("server-side without any context: no context at all") {
    CHECK_FALSE(run("", false).json.has("/context"));
  }
  SECTION("a supplied ip is never overwritten") {
    const StoredEvent event = run(R"(,"context":{"ip":"198.51.100.7"})", true);
    CHECK(event.json.string_at("/context/ip") == "198.51.100.7");
    CHECK(event.ip == "198.51.100.7");
    CHECK(event.json.size_at("/context") == 1);
  }
  SECTION("\"0.0.0.0\", the documented opt-out, is kept") {
    const StoredEvent event = run(R"(,"context":{"ip":"0.0.0.0"})", true);
    CHECK(event.json.string_at("/context/ip") == "0.0.0.0");
    CHECK(event.ip == "0.0.0.0");
  }
  SECTION("context.direct == true makes a server-side request client-side") {
    const StoredEvent event = run(R"(,"context":{"direct":true})", false);
    CHECK(event.json.string_at("/context/ip") == "203.0.113.9");
    CHECK(event.ip == "203.0.113.9");
  }
  SECTION("context.direct == false or not a boolean does not") {
    CHECK_FALSE(run(R"(,"context":{"direct":false})", false).json.has("/context/ip"));
    CHECK_FALSE(run(R"(,"context":{"direct":"true"})", false).json.has("/context/ip"));
  }
  SECTION("no known peer address: nothing added") {
    CHECK_FALSE(run("", true, "").json.has("/context/ip"));
  }
}

TEST_CASE("context.ip in batches follows the envelope", "[api]") {
  IngestFixture fixture;
  auto run = [&fixture](std::string_view body, bool client_side) {
    IngestRequest request;
    request.body = body;
    request.client_side = client_side;
    request.client_ip = "203.0.113.9";
    const IngestOutcome outcome = fixture.run(request);
    REQUIRE(outcome.records.size() == 1);
    return test::decode_event(outcome.records[0]);
  };
  SECTION("an envelope ip is not overwritten by the peer address") {
    const StoredEvent event = run(
        R"({"writeKey":"wk_web","context":{"ip":"0.0.0.0"},"batch":[{"type":"identify","userId":"u"}]})",
        true);
    CHECK(event.json.string_at("/context/ip") == "0.0.0.0");
    CHECK(event.ip == "0.0.0.0");
    CHECK(event.json.size_at("/context") == 1);
  }
  SECTION("an envelope context.direct makes the items client-side") {
    const StoredEvent event = run(
        R"({"writeKey":"wk_web","context":{"direct":true},"batch":[{"type":"identify","userId":"u"}]})",
        false);
    CHECK(event.json.string_at("/context/ip") == "203.0.113.9");
  }
}

TEST_CASE("stored events drop writeKey and keep every other member verbatim", "[api]") {
  IngestFixture fixture;
  const StoredEvent event = fixture.only_event(fixture.single(
      EventType::kTrack, R"({"writeKey":"wk_web","userId":"u","event":"E","channel":"server",)"
                         R"("_metadata":{"bundled":["Segment.io"],"unbundled":[],"retryCount":2},)"
                         R"("custom":{"deep":[1,2.50,{"x":null,"y":true}],"e":1E+2}})"));
  CHECK_FALSE(event.json.has("/writeKey"));
  CHECK(event.text.find("wk_web") == std::string::npos);
  CHECK(event.json.string_at("/channel") == "server");
  CHECK(event.json.string_at("/_metadata/bundled/0") == "Segment.io");
  CHECK(event.json.at("/_metadata/retryCount").get_int64().value_unsafe() == 2);
  CHECK(event.text.find(R"("custom":{"deep":[1,2.50,{"x":null,"y":true}],"e":1E+2})") !=
        std::string::npos);
}

TEST_CASE("stored events keep big numbers, unicode and escapes as sent", "[api]") {
  IngestFixture fixture;
  const StoredEvent event = fixture.only_event(fixture.single(
      EventType::kTrack,
      R"({"writeKey":"wk_web","userId":"u","event":"Sign\u0020Up \"now\"",)"
      R"("properties":{"u64":18446744073709551615,"exact":9007199254740993,"tiny":-1.5e-300,)"
      "\"text\":\"caf\\u00e9 \\\\ \\ud83d\\ude00 \xc3\xa9 \xf0\x9f\x98\x80\\n\"}}"));
  SECTION("numbers keep all their digits") {
    CHECK(event.text.find(R"("u64":18446744073709551615)") != std::string::npos);
    CHECK(event.text.find(R"("exact":9007199254740993)") != std::string::npos);
    CHECK(event.text.find(R"("tiny":-1.5e-300)") != std::string::npos);
    CHECK(event.json.at("/properties/exact").get_uint64().value_unsafe() == 9007199254740993u);
  }
  SECTION("escapes stay escaped and decode to the same text") {
    CHECK(event.text.find(R"("event":"Sign\u0020Up \"now\"")") != std::string::npos);
    CHECK(event.json.string_at("/event") == "Sign Up \"now\"");
    CHECK(event.json.string_at("/properties/text") ==
          "caf\xc3\xa9 \\ \xf0\x9f\x98\x80 \xc3\xa9 \xf0\x9f\x98\x80\n");
  }
}

// JSON has no integer width limit and analytics-python sends Python ints as they are. The
// stored text is checked as text: the DOM parser the fixture decodes with has no such limit.
TEST_CASE("integers wider than 64 bits are kept verbatim", "[api]") {
  IngestFixture fixture;
  const IngestOutcome& outcome =
      fixture.single(EventType::kTrack, R"({"writeKey":"wk_web","userId":"u","event":"E",)"
                                        R"("properties":{"big":123456789012345678901234567890}})");
  REQUIRE(outcome.error == RequestError::kNone);
  REQUIRE(outcome.records.size() == 1);
  auto record = storage::decode_record(outcome.records[0]);
  REQUIRE(record.has_value());
  CHECK(record->json.find(R"("big":123456789012345678901234567890)") != std::string::npos);
}

TEST_CASE("a malformed number is still refused", "[api]") {
  IngestFixture fixture;
  const IngestOutcome& outcome =
      fixture.single(EventType::kTrack,
                     R"({"writeKey":"wk_web","userId":"u","event":"E","properties":{"n":1.e5}})");
  CHECK(outcome.error == RequestError::kInvalidJson);
}

TEST_CASE("a message that repeats a member the API reads is rejected as duplicate_field", "[api]") {
  IngestFixture fixture;
  const auto rejection = [&fixture](std::string_view body) -> std::string {
    INFO(body);
    const IngestOutcome outcome = fixture.single(EventType::kTrack, body);
    REQUIRE(outcome.error == RequestError::kNone);
    if (outcome.rejected.empty()) return "";
    CHECK(outcome.records.empty());
    return std::string(outcome.rejected[0].code) + ": " + std::string(outcome.rejected[0].message);
  };
  SECTION("spelled alike") {
    CHECK(rejection(R"({"writeKey":"wk_web","userId":"a","event":"E","userId":"b"})") ==
          "duplicate_field: the message has userId more than once");
  }
  SECTION("spelled with escapes: keys are compared unescaped") {
    CHECK(rejection(R"({"writeKey":"wk_web","userId":"a","event":"E","\u0075serId":"b"})") ==
          "duplicate_field: the message has userId more than once");
    CHECK(rejection(R"({"writeKey":"wk_web","userId":"a","event":"E","\u0074ype":"identify"})") ==
          "");  // one type: the escaped one, and it is read as the type
  }
  SECTION("in a batch, only the repeating item is rejected") {
    const IngestOutcome outcome =
        fixture.batch(R"({"writeKey":"wk_web","batch":[{"type":"track","userId":"a","event":"E"},)"
                      R"({"type":"track","userId":"a","event":"E","even\u0074":"F"}]})");
    CHECK(outcome.records.size() == 1);
    REQUIRE(outcome.rejected.size() == 1);
    CHECK(outcome.rejected[0].index == 1);
    CHECK(outcome.rejected[0].code == "duplicate_field");
  }
  SECTION("members the API does not read may repeat") {
    CHECK(rejection(R"({"writeKey":"wk_web","userId":"a","event":"E","x":1,"x":2})") == "");
  }
}

TEST_CASE("escaped spellings of fields the server replaces are replaced", "[api]") {
  IngestFixture fixture;
  SECTION("an escaped writeKey is stripped like the plain one") {
    const StoredEvent event = fixture.only_event(fixture.single(
        EventType::kTrack, R"({"\u0077riteKey":"wk_web","userId":"u","event":"E"})"));
    CHECK_FALSE(event.json.has("/writeKey"));
    CHECK(event.text.find("riteKey") == std::string::npos);
  }
  SECTION("an escaped context.ip is the client's ip: the server adds no second one") {
    IngestRequest request;
    request.body =
        R"({"writeKey":"wk_web","userId":"u","event":"E","context":{"\u0069p":"1.2.3.4"}})";
    request.path_type = EventType::kTrack;
    request.client_side = true;
    request.client_ip = "198.51.100.1";
    const StoredEvent event = fixture.only_event(fixture.run(request));
    CHECK(event.json.size_at("/context") == 1);
  }
}

TEST_CASE("malformed bodies are refused as invalid_json", "[api]") {
  IngestFixture fixture;
  auto single_error = [&fixture](std::string_view body) {
    INFO(body);
    const IngestOutcome outcome = fixture.single(EventType::kTrack, body);
    CHECK(outcome.records.empty());
    CHECK_FALSE(outcome.detail.empty());
    return outcome.error;
  };
  auto batch_error = [&fixture](std::string_view body) {
    INFO(body);
    const IngestOutcome outcome = fixture.batch(body);
    CHECK(outcome.records.empty());
    return outcome.error;
  };
  constexpr auto kInvalid = RequestError::kInvalidJson;
  SECTION("truncated") {
    CHECK(single_error(R"({"writeKey":"wk_web","userId":"u","event":"E")") == kInvalid);
    CHECK(single_error(R"({"writeKey":"wk_web","userId":"u","event":"E)") == kInvalid);
    CHECK(batch_error(R"({"writeKey":"wk_web","batch":[{"type":"track")") == kInvalid);
  }
  SECTION("trailing garbage") {
    CHECK(single_error(R"({"writeKey":"wk_web","userId":"u","event":"E"} x)") == kInvalid);
    CHECK(single_error(R"({"writeKey":"wk_web","userId":"u","event":"E"}{})") == kInvalid);
    CHECK(batch_error(R"({"writeKey":"wk_web","batch":[]}])") == kInvalid);
  }
  SECTION("a bad literal nested where nothing reads it") {
    CHECK(
        single_error(R"({"writeKey":"wk_web","userId":"u","event":"E","properties":{"a":tru}})") ==
        kInvalid);
    CHECK(single_error(R"({"writeKey":"wk_web","userId":"u","event":"E","context":{"a":nul}})") ==
          kInvalid);
    CHECK(single_error(R"({"writeKey":"wk_web","userId":"u","event":"E","x":[1,fals]})") ==
          kInvalid);
    CHECK(batch_error(R"({"writeKey":"wk_web","batch":[{"type":"track","p":{"a":tru}}]})") ==
          kInvalid);
    CHECK(batch_error(R"({"writeKey":"wk_web","x":{"a":tru},"batch":[]})") == kInvalid);
  }
  SECTION("bad numbers and escapes") {
    CHECK(single_error(R"({"writeKey":"wk_web","userId":"u","event":"E","n":01})") == kInvalid);
    CHECK(single_error(R"({"writeKey":"wk_web","userId":"u","event":"E\x"})") == kInvalid);
  }
  SECTION("invalid UTF-8") {
    CHECK(single_error("{\"writeKey\":\"wk_web\",\"userId\":\"u\",\"event\":\"\xff\"}") ==
          kInvalid);
  }
  SECTION("empty") {
    CHECK(single_error("") == kInvalid);
    CHECK(batch_error("") == kInvalid);
  }
  SECTION("a body that is not an object") {
    CHECK(single_error(R"([{"writeKey":"wk_web","userId":"u","event":"E"}])") == kInvalid);
    CHECK(single_error(R"("track")") == kInvalid);
    CHECK(single_error("null") == kInvalid);
    CHECK(batch_error(R"([{"type":"track"}])") == kInvalid);
  }
  SECTION("batch that is not an array, or missing") {
    CHECK(batch_error(R"({"writeKey":"wk_web","batch":{"type":"track"}})") == kInvalid);
    CHECK(batch_error(R"({"writeKey":"wk_web","batch":null})") == kInvalid);
    CHECK(batch_error(R"({"writeKey":"wk_web"})") == kInvalid);
  }
  SECTION("the error code") {
    CHECK(to_code(kInvalid) == "invalid_json");
  }
}

TEST_CASE("a batch with more messages than allowed is refused", "[api]") {
  IngestFixture fixture(IngestLimits{32768, 3});
  auto batch_of = [](int count) {
    std::string body = R"({"writeKey":"wk_web","batch":[)";
    for (int i = 0; i < count; ++i) {
      if (i) body += ',';
      body += R"({"type":"identify","userId":"u"})";
    }
    return body + "]}";
  };
  SECTION("at the limit: accepted") {
    const IngestOutcome outcome = fixture.batch(batch_of(3));
    CHECK(outcome.error == RequestError::kNone);
    CHECK(outcome.records.size() == 3);
  }
  SECTION("one more: too_many_events, nothing stored") {
    const IngestOutcome outcome = fixture.batch(batch_of(4));
    CHECK(outcome.error == RequestError::kTooManyEvents);
    CHECK(to_code(outcome.error) == "too_many_events");
    CHECK(outcome.records.empty());
    CHECK(outcome.rejected.empty());
  }
}

TEST_CASE("a single message over max_message_bytes is refused as payload_too_large", "[api]") {
  IngestFixture fixture(IngestLimits{100, 2500});
  // A message of exactly `size` bytes.
  auto message_of = [](std::size_t size) {
    const std::string head = R"({"writeKey":"wk_web","userId":"u","event":"E","p":")";
    const std::string tail = R"("})";
    return head + std::string(size - head.size() - tail.size(), 'x') + tail;
  };
  SECTION("at the limit: accepted") {
    const IngestOutcome outcome = fixture.single(EventType::kTrack, message_of(100));
    CHECK(outcome.error == RequestError::kNone);
    CHECK(outcome.records.size() == 1);
  }
  SECTION("one byte over: refused") {
    const IngestOutcome outcome = fixture.single(EventType::kTrack, message_of(101));
    CHECK(outcome.error == RequestError::kPayloadTooLarge);
    CHECK(to_code(outcome.error) == "payload_too_large");
    CHECK(outcome.records.empty());
  }
  SECTION("whitespace does not count") {
    std::string spaced = message_of(100);
    spaced.insert(1, 500, ' ');
    CHECK(fixture.single(EventType::kTrack, spaced).error == RequestError::kNone);
  }
}

TEST_CASE("the write key is resolved from header, body, then extension", "[api]") {
  IngestFixture fixture;
  // extension: the X-Write-Key header's key.
  auto run = [&fixture](std::string_view body, std::string_view basic, std::string_view extension,
                        bool batch = false) {
    const std::string authorization =
        basic.empty() ? "" : "Basic " + encode_base64(std::string(basic) + ":");
    IngestRequest request;
    request.body = body;
    if (!batch) request.path_type = EventType::kIdentify;
    request.keys.authorization = authorization;
    request.keys.write_key_header = extension;
    return fixture.run(request);
  };
  auto source_of = [](const IngestOutcome& outcome) {
    INFO(outcome.detail);
    REQUIRE(outcome.error == RequestError::kNone);
    REQUIRE(outcome.source != nullptr);
    REQUIRE(outcome.records.size() == 1);
    CHECK(test::decode_event(outcome.records[0]).source == outcome.source->name);
    return outcome.source->name;
  };
  constexpr std::string_view kWebBody = R"({"writeKey":"wk_web","userId":"u"})";
  constexpr std::string_view kNoKeyBody = R"({"userId":"u"})";
  SECTION("Basic wins over the body") {
    CHECK(source_of(run(kWebBody, "wk_mobile", "")) == "mobile");
  }
  SECTION("an unknown Basic key is refused even with a valid body key") {
    const IngestOutcome outcome = run(kWebBody, "wk_nope", "");
    CHECK(outcome.error == RequestError::kInvalidWriteKey);
    CHECK(outcome.records.empty());
  }
  SECTION("the body wins over X-Write-Key / ?writeKey=") {
    CHECK(source_of(run(kWebBody, "", "wk_mobile")) == "web");
  }
  SECTION("an unknown body key is refused even with a valid extension key") {
    CHECK(run(R"({"writeKey":"wk_nope","userId":"u"})", "", "wk_web").error ==
          RequestError::kInvalidWriteKey);
  }
  SECTION("the extension key when nothing else is given") {
    CHECK(source_of(run(kNoKeyBody, "", "wk_mobile")) == "mobile");
  }
  SECTION("a non-string body key counts as absent") {
    CHECK(source_of(run(R"({"writeKey":5,"userId":"u"})", "", "wk_mobile")) == "mobile");
  }
  SECTION("any key of a source") {
    CHECK(source_of(run(R"({"writeKey":"wk_web2","userId":"u"})", "", "")) == "web");
  }
  SECTION("an unknown key: invalid_write_key") {
    const IngestOutcome outcome = run(R"({"writeKey":"wk_nope","userId":"u"})", "", "");
    CHECK(outcome.error == RequestError::kInvalidWriteKey);
    CHECK(to_code(outcome.error) == "invalid_write_key");
    CHECK(outcome.source == nullptr);
    CHECK(outcome.records.empty());
  }
  SECTION("no key anywhere: missing_write_key") {
    const IngestOutcome outcome = run(kNoKeyBody, "", "");
    CHECK(outcome.error == RequestError::kMissingWriteKey);
    CHECK(to_code(outcome.error) == "missing_write_key");
    CHECK(outcome.records.empty());
  }
  SECTION("batch: the envelope key wins over the first item's") {
    CHECK(
        source_of(run(
            R"({"writeKey":"wk_web","batch":[{"type":"identify","userId":"u","writeKey":"wk_mobile"}]})",
            "", "", true)) == "web");
  }
  SECTION("batch: the first item's key when the envelope has none") {
    CHECK(source_of(run(R"({"batch":[{"type":"identify","userId":"u","writeKey":"wk_mobile"}]})",
                        "", "wk_web", true)) == "mobile");
  }
  SECTION("batch: only the first item is looked at") {
    const IngestOutcome outcome = run(R"({"batch":[{"type":"identify","userId":"u"},)"
                                      R"({"type":"identify","userId":"u","writeKey":"wk_web"}]})",
                                      "", "", true);
    CHECK(outcome.error == RequestError::kMissingWriteKey);
  }
  SECTION("batch: Basic wins over the envelope") {
    CHECK(source_of(run(R"({"writeKey":"wk_web","batch":[{"type":"identify","userId":"u"}]})",
                        "wk_mobile", "", true)) == "mobile");
  }
}

TEST_CASE("the query's writeKey comes last in the write key order", "[api]") {
  IngestFixture fixture;
  auto source_name = [&fixture](std::string_view body, std::string_view header,
                                std::string_view query) -> std::string {
    IngestRequest request;
    request.body = body;
    request.path_type = EventType::kIdentify;
    request.keys.write_key_header = header;
    request.keys.query = query;
    const IngestOutcome outcome = fixture.run(request);
    if (outcome.error != RequestError::kNone) return std::string(to_code(outcome.error));
    return outcome.source->name;
  };
  constexpr std::string_view kNoKeyBody = R"({"userId":"u"})";
  SECTION("used when nothing else carries a key") {
    CHECK(source_name(kNoKeyBody, "", "a=1&writeKey=wk_mobile") == "mobile");
  }
  SECTION("percent-decoded") {
    CHECK(source_name(kNoKeyBody, "", "writeKey=wk%5Fmobile") == "mobile");
  }
  SECTION("the lower-case spelling when the camel-case one is absent") {
    CHECK(source_name(kNoKeyBody, "", "writekey=wk_mobile") == "mobile");
    CHECK(source_name(kNoKeyBody, "", "writeKey=wk_web&writekey=wk_mobile") == "web");
  }
  SECTION("X-Write-Key wins over the query") {
    CHECK(source_name(kNoKeyBody, "wk_web", "writeKey=wk_mobile") == "web");
  }
  SECTION("the body wins over the query") {
    CHECK(source_name(R"({"writeKey":"wk_web","userId":"u"})", "", "writeKey=wk_mobile") == "web");
  }
  SECTION("an empty writeKey= is no key") {
    CHECK(source_name(kNoKeyBody, "", "writeKey=") == "missing_write_key");
  }
}

TEST_CASE("an IngestOutcome is cleared between requests", "[api]") {
  IngestFixture fixture;
  IngestOutcome outcome;
  IngestRequest request;
  const std::string first =
      R"({"writeKey":"wk_web","batch":[{"type":"identify","userId":"u"},{"type":"track"}]})";
  request.body = first;
  request.received_at_ms = kReceivedAt;
  Ingestor ingestor(IngestLimits{});
  ingestor.ingest(fixture.registry(), request, outcome);
  REQUIRE(outcome.records.size() == 1);
  REQUIRE(outcome.rejected.size() == 1);
  const std::string second = R"({"writeKey":"wk_nope","batch":[]})";
  request.body = second;
  ingestor.ingest(fixture.registry(), request, outcome);
  CHECK(outcome.error == RequestError::kInvalidWriteKey);
  CHECK(outcome.records.empty());
  CHECK(outcome.rejected.empty());
  CHECK(outcome.accepted_by_type[static_cast<std::size_t>(EventType::kIdentify)] == 0);
}

}  // namespace
}  // namespace sluice::api
