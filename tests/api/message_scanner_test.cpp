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
// Long bodies are adjacent literals joined into one.
// NOLINTBEGIN(bugprone-suspicious-missing-comma)
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
// NOLINTEND(bugprone-suspicious-missing-comma)

const std::string kMutations = "{}[],:\"\\0a-e. u+E1t\x01\xc3\xff";

// The member slices, joined, must give back the minified object; each member's key must be the
// key the DOM parser reads (unescaped) and its value the same JSON as what it finds there.
void check_members(const std::vector<Member>& members, std::string_view object) {
  std::string rebuilt = "{";
  simdjson::dom::parser key_parser;
  for (std::size_t i = 0; i < members.size(); ++i) {
    if (i) rebuilt += ',';
    rebuilt += members[i].member;
    simdjson::dom::object alone;
    const std::string_view key_part =
        members[i].member.substr(0, members[i].member.size() - members[i].value.size());
    REQUIRE(key_parser.parse("{" + std::string(key_part) + "null}").get_object().get(alone) ==
            simdjson::SUCCESS);
    CHECK(std::string((*alone.begin()).key) == std::string(members[i].key));
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

// What simdjson's text minifier makes of body: whitespace outside strings removed.
std::string minify(const std::string& body) {
  std::string out(body.size(), '\0');
  std::size_t size = 0;
  REQUIRE(simdjson::minify(body.data(), body.size(), out.data(), size) == simdjson::SUCCESS);
  out.resize(size);
  return out;
}

}  // namespace

TEST_CASE("the scanner slices members that rebuild the object", "[api]") {
  MessageScanner scanner;
  for (const std::string& body : kBodies) {
    INFO(body);
    MessageView envelope;
    std::vector<MessageView> items;
    std::size_t count = 0;
    if (body.find("\"batch\"") != std::string::npos) {
      REQUIRE(scanner.scan_batch(body, envelope, items, count, 100).status == ScanStatus::kOk);
      check_members(envelope.members, scanner.minified());
      for (std::size_t i = 0; i < count; ++i) {
        if (items[i].is_object) check_members(items[i].members, items[i].raw);
      }
    } else {
      MessageView message;
      REQUIRE(scanner.scan_single(body, message).status == ScanStatus::kOk);
      check_members(message.members, scanner.minified());
      CHECK(message.raw == scanner.minified());
    }
  }
}

TEST_CASE("the scanner reads context members and decodes escaped strings", "[api]") {
  MessageScanner scanner;
  MessageView message;
  REQUIRE(scanner.scan_single(kBodies[0], message).status == ScanStatus::kOk);
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
  simdjson::dom::parser parser;
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
    simdjson::dom::element root;
    const auto verdict = parser.parse(body).get(root);
    MessageView message;
    MessageView envelope;
    std::vector<MessageView> items;
    std::size_t count = 0;
    // A scan's string texts live until the next scan: each is checked before the next.
    const auto single = scanner.scan_single(body, message).status;
    if (single == ScanStatus::kOk) check_members(message.members, scanner.minified());
    const auto batch = scanner.scan_batch(body, envelope, items, count, 100).status;
    if (batch == ScanStatus::kOk) {
      check_members(envelope.members, scanner.minified());
      for (std::size_t i = 0; i < count; ++i) {
        if (items[i].is_object) check_members(items[i].members, items[i].raw);
      }
    }
    if (verdict == simdjson::SUCCESS) {
      // Every object is a message; whether it is a batch depends on its members.
      CHECK((single == ScanStatus::kOk) == root.is_object());
      if (single == ScanStatus::kOk) CHECK(scanner.minified() == minify(body));
      ++accepted;
    } else if (verdict != simdjson::NUMBER_ERROR) {
      // (The DOM parser refuses integers over 64 bits, which JSON and the scanner allow.)
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
    MessageView message;
    CHECK(scanner.scan_single(body, message).status == ScanStatus::kInvalidJson);
  }
  MessageView message;
  CHECK(scanner.scan_single(R"({ "type" : "track" , "n" : 1234 , "b" : true })", message).status ==
        ScanStatus::kOk);
}

TEST_CASE("the scanner draws the line where simdjson does on strings, numbers and nesting",
          "[api]") {
  struct Case {
    std::string value;
    bool valid;
  };
  const std::vector<Case> cases = {
      {R"("\ud83d\ude00")", true},
      {R"("\ud800")", false},        // high surrogate alone
      {R"("\udc00")", false},        // low surrogate alone
      {R"("\ud800\u0041")", false},  // high surrogate, then no low one
      {R"("\u00e")", false},
      {R"("\x")", false},
      {"\"a\x01b\"", false},  // control character
      {"\"caf\xc3\xa9\"", true},
      {"\"caf\xc3\"", false},       // truncated UTF-8
      {"\"\xed\xa0\x80\"", false},  // an encoded surrogate is not UTF-8
      {"1.7976931348623157e308", true},
      {"1.8e308", false},
      {"-1e400", false},
      {"1e-400", true},  // reads as zero
      {"0.0001e309", true},
      {"-0", true},
      {"0.0E+0", true},
      {"01", false},
      {"1.", false},
      {".5", false},
      {"-", false},
      {"1e", false},
      {"+1", false},
      {"tru", false},
      {"nulls", false},
      {std::string(1023, '[') + std::string(1023, ']'), true},
      {std::string(1024, '[') + std::string(1024, ']'), false},
  };
  MessageScanner scanner;
  simdjson::dom::parser parser;
  for (const Case& c : cases) {
    const std::string body = R"({"type":"track","v":)" + c.value + "}";
    INFO(body);
    REQUIRE((parser.parse(body).error() == simdjson::SUCCESS) == c.valid);
    MessageView message;
    CHECK((scanner.scan_single(body, message).status == ScanStatus::kOk) == c.valid);
  }
  // Wider than 64 bits: the DOM parser refuses it, JSON allows it, and so does the scanner.
  MessageView message;
  CHECK(scanner.scan_single(R"({"v":123456789012345678901234567890})", message).status ==
        ScanStatus::kOk);
}

TEST_CASE("malformed bodies are refused with where and what was wrong", "[api]") {
  MessageScanner scanner;
  MessageView message;
  auto detail = [&](std::string_view body) { return scanner.scan_single(body, message).detail; };
  CHECK(detail(R"({"a":tru})") ==
        "malformed JSON at byte 5: invalid literal (expected true, "
        "false or null)");
  CHECK(detail(R"({"a" 1})") == "malformed JSON at byte 5: expected ':' after a key");
  CHECK(detail(R"({"a":1 "b":2})") == "malformed JSON at byte 7: expected ',' or '}' in an object");
  CHECK(detail(R"({"a":1} x)") == "malformed JSON at byte 8: unexpected content after the value");
  CHECK(detail("") == "malformed JSON at byte 0: the text ends inside a value");
  CHECK(detail("{\"a\":\"\xff\"}") == "malformed JSON: the text is not valid UTF-8");
  CHECK(detail(R"([1,2])") == "the body must be a JSON object");
  CHECK(detail(R"([1,2)") == "malformed JSON at byte 4: expected ',' or ']' in an array");
}

TEST_CASE("a batch body's shape is judged only once it is known to be JSON", "[api]") {
  MessageScanner scanner;
  MessageView envelope;
  std::vector<MessageView> items;
  std::size_t count = 0;
  auto scan = [&](std::string_view body) {
    return scanner.scan_batch(body, envelope, items, count, 2);
  };
  CHECK(scan(R"({"batch":{}})").detail == "\"batch\" must be an array");
  CHECK(scan(R"({"sentAt":"x"})").detail == "a batch body needs a \"batch\" array");
  CHECK(scan(R"({"batch":[{},{},{}]})").status == ScanStatus::kTooManyItems);
  CHECK(scan(R"({"batch":[{},{},{}],})").status == ScanStatus::kInvalidJson);
  CHECK(scan(R"({"batch":{},"x":})").detail == "malformed JSON at byte 16: expected a value");
  REQUIRE(scan(R"({"batch":[{"type":"track"},[1]],"context":{"ip":"1.2.3.4"}})").status ==
          ScanStatus::kOk);
  REQUIRE(count == 2);
  CHECK(items[0].is_object);
  CHECK(items[0].raw == R"({"type":"track"})");
  CHECK_FALSE(items[1].is_object);
  CHECK(items[1].raw == "[1]");
  REQUIRE(envelope.context.size() == 1);
  CHECK(envelope.context[0].text == "1.2.3.4");
}
