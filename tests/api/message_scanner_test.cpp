#include "api/message_scanner.hpp"

#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <simdjson.h>

namespace {

using sluice::api::JsonKind;
using sluice::api::Member;
using sluice::api::MessageScanner;
using sluice::api::MessageView;
using sluice::api::ScanStatus;

// Bodies with what the scanner must slice right (the body, not its minified form, must be
// JSON: whitespace inside a token is an error, however a minifier would join it): escapes in keys
// and values, unicode and surrogate pairs, nesting, empty containers, every scalar, wide integers.
const std::vector<std::string> kBodies = {
    R"({"type":"track","event":"Order \"Completed\"","userId":"u\u00e9\ud83d\ude00",)"
    R"("properties":{"a":[1,-2.5e3,true,false,null,{"b":[]}],"c":{}},"context":{"ip":"1.2.3.4",)"
    R"("library":{"name":"x","version":"1"}},"integrations":{"All":false},"big":123456789012345678901234567890})",
    R"({ "batch" : [ {"type":"identify","traits":{"n\"ame":"x"}} , 7 , "s" , [ ] , { } ],)"
    R"( "sentAt" : "2026-11-30T00:00:00.000Z", "context" : { "k" : "v\\w\/" } })",
    R"({"a\\b":"\n\t\r\b\f","e":"","n":0,"m":-0.5,"o":{"p":{"q":{"r":[[[["deep"]]]]}}}})",
    R"({"batch":[],"writeKey":"k"})",
    R"({})",
};

const std::string kMutations = "{}[],:\"\\0a-e. ";

// The member slices, joined, must give back the minified object, and each member's value must
// be the same JSON as what the DOM parser finds under that key.
void check_members(const std::vector<Member>& members, std::string_view object) {
  std::string rebuilt = "{";
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i) rebuilt += ',';
    rebuilt += members[i].member;
    CHECK(members[i].member.substr(0, members[i].key.size() + 3) ==
          "\"" + std::string(members[i].key) + "\":");
    CHECK(members[i].member.substr(members[i].member.size() - members[i].value.size()) ==
          members[i].value);
  }
  rebuilt += '}';
  CHECK(rebuilt == object);

  simdjson::dom::parser parser;
  for (const Member& member : members) {
    simdjson::dom::element value;
    if (parser.parse(std::string(member.value)).get(value) != simdjson::SUCCESS) continue;
    if (member.kind == JsonKind::kString) {
      CHECK(std::string(value.get_string().value()) == std::string(member.text));
    }
    if (member.kind == JsonKind::kBool) CHECK(value.get_bool().value() == member.bool_value);
    CHECK((member.kind == JsonKind::kObject) == value.is_object());
    CHECK((member.kind == JsonKind::kArray) == value.is_array());
  }
}

bool dom_accepts(const std::string& body) {
  simdjson::dom::parser parser;
  auto error = parser.parse(body).error();
  // The DOM parser has no integers over 64 bits; JSON has, and so does the scanner.
  return error == simdjson::SUCCESS || error == simdjson::NUMBER_ERROR;
}

}  // namespace

TEST_CASE("the scanner slices members that rebuild the object", "[api]") {
  MessageScanner scanner;
  for (const std::string& body : kBodies) {
    INFO(body);
    REQUIRE(scanner.load(body));
    const std::string minified(scanner.minified());
    MessageView envelope;
    std::vector<MessageView> items;
    std::size_t count = 0;
    if (body.find("\"batch\"") != std::string::npos) {
      REQUIRE(scanner.scan_batch(envelope, items, count, 100).status == ScanStatus::kOk);
      check_members(envelope.members, minified);
      for (std::size_t i = 0; i < count; ++i) {
        if (items[i].is_object) check_members(items[i].members, items[i].raw);
      }
    } else {
      MessageView message;
      REQUIRE(scanner.scan_single(message).status == ScanStatus::kOk);
      check_members(message.members, minified);
      CHECK(message.raw == minified);
    }
  }
}

TEST_CASE("the scanner reads context members and decodes escaped strings", "[api]") {
  MessageScanner scanner;
  REQUIRE(scanner.load(kBodies[0]));
  MessageView message;
  REQUIRE(scanner.scan_single(message).status == ScanStatus::kOk);
  REQUIRE(message.get(sluice::api::Field::kEvent) != nullptr);
  CHECK(message.get(sluice::api::Field::kEvent)->text == "Order \"Completed\"");
  CHECK(message.get(sluice::api::Field::kUserId)->text == "u\xc3\xa9\xf0\x9f\x98\x80");
  REQUIRE(message.context.size() == 2);
  CHECK(message.context[0].key == "ip");
  CHECK(message.context[0].text == "1.2.3.4");
  CHECK(message.context[1].value == R"({"name":"x","version":"1"})");
  REQUIRE(message.integrations.size() == 1);
  CHECK(message.integrations[0].value == "false");
}

TEST_CASE("the scanner accepts exactly the JSON simdjson accepts", "[api]") {
  MessageScanner scanner;
  std::mt19937 random(20261130);
  int accepted = 0, refused = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string body = kBodies[random() % kBodies.size()];
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits && !body.empty(); ++e) {
      const std::size_t at = random() % body.size();
      if (random() % 2) {
        body.erase(at, 1);
      } else {
        body.insert(at, 1, kMutations[random() % kMutations.size()]);
      }
    }
    INFO(body);
    const bool valid = dom_accepts(body);
    MessageView message;
    MessageView envelope;
    std::vector<MessageView> items;
    std::size_t count = 0;
    // A scan's string texts live until the next scan: each is checked before the next.
    const bool loaded = scanner.load(body);
    const auto single = loaded ? scanner.scan_single(message).status : ScanStatus::kInvalidJson;
    if (valid && single == ScanStatus::kOk) check_members(message.members, scanner.minified());
    const auto batch =
        loaded ? scanner.scan_batch(envelope, items, count, 100).status : ScanStatus::kInvalidJson;
    if (valid && batch == ScanStatus::kOk) {
      check_members(envelope.members, scanner.minified());
      for (std::size_t i = 0; i < count; ++i) {
        if (items[i].is_object) check_members(items[i].members, items[i].raw);
      }
    }
    if (valid) {
      ++accepted;
    } else {
      CHECK(single == ScanStatus::kInvalidJson);
      CHECK(batch == ScanStatus::kInvalidJson);
      ++refused;
    }
  }
  // Both kinds were exercised.
  CHECK(accepted > 100);
  CHECK(refused > 100);
}

TEST_CASE("whitespace inside a number or literal is malformed JSON, though minifying joins it",
          "[api]") {
  MessageScanner scanner;
  for (const std::string body : {R"({"type":"track","n":12 34})", R"({"type":"track","b":tr ue})",
                                 R"({"type":"track","z":nu ll})"}) {
    INFO(body);
    REQUIRE(scanner.load(body));
    MessageView message;
    CHECK(scanner.scan_single(message).status == ScanStatus::kInvalidJson);
  }
  REQUIRE(scanner.load(R"({ "type" : "track" , "n" : 1234 , "b" : true })"));
  MessageView message;
  CHECK(scanner.scan_single(message).status == ScanStatus::kOk);
}
