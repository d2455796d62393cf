#include "inbound/webhook_items.hpp"

#include <cctype>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "inbound/name_uuid.hpp"

namespace sluice::inbound {
namespace {

constexpr std::string_view kSourceName = "billing";

// A produced message, parsed. The parser lives on the heap so the root stays valid when a
// Message is moved.
struct Message {
  std::unique_ptr<simdjson::dom::parser> parser;
  simdjson::dom::element root;

  bool has(std::string_view pointer) const {
    return root.at_pointer(pointer).error() == simdjson::SUCCESS;
  }

  simdjson::dom::element at(std::string_view pointer) const {
    INFO("JSON pointer " << pointer);
    simdjson::dom::element found;
    REQUIRE(root.at_pointer(pointer).get(found) == simdjson::SUCCESS);
    return found;
  }

  std::string string_at(std::string_view pointer) const {
    INFO("JSON pointer " << pointer);
    std::string_view text;
    REQUIRE(at(pointer).get_string().get(text) == simdjson::SUCCESS);
    return std::string(text);
  }

  std::string minified_at(std::string_view pointer) const { return simdjson::minify(at(pointer)); }
};

Message parse_message(std::string_view text) {
  INFO("message: " << text);
  Message message{std::make_unique<simdjson::dom::parser>(), {}};
  REQUIRE(message.parser->parse(std::string(text)).get(message.root) == simdjson::SUCCESS);
  REQUIRE(message.root.type() == simdjson::dom::element_type::OBJECT);
  return message;
}

std::string lower_case(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// Header names in lower case; looked up without regard to case, as HTTP does.
using Headers = std::map<std::string, std::string>;

ItemsOutcome read_items(std::string_view body, const config::WebhookItemSettings& settings,
                        const Headers& headers = {}) {
  WebhookRequest request;
  request.body = body;
  request.content_type = "application/json";
  // The lookup owns its copy of the headers, so the views it returns outlive this call's
  // arguments for as long as the request does.
  request.header = [headers](std::string_view name) -> std::string_view {
    const auto found = headers.find(lower_case(name));
    return found == headers.end() ? std::string_view() : std::string_view(found->second);
  };
  request.url = "https://sluice.example/v1/webhook/KEY";
  request.now_ms = 1'700'000'000'000;
  return read_webhook_items(request, kSourceName, settings);
}

// The one message of an outcome that must hold exactly one.
Message only_message(const ItemsOutcome& outcome) {
  INFO(outcome.message);
  REQUIRE(outcome.status == ReadStatus::kOk);
  REQUIRE(outcome.rejected.empty());
  REQUIRE(outcome.messages.size() == 1);
  return parse_message(outcome.messages.front());
}

bool is_lower_hex(std::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

constexpr std::string_view kDeliveries = R"({"data":{"deliveries":[
  {"kind":"invoice.paid","customer":{"id":"cus_1"},"created":1700000000,"id":"evt_1",
   "object":{"amount":1200,"currency":"eur"}},
  {"kind":"invoice.failed","customer":{"id":42},"created":"2024-01-02T03:04:05Z","id":7,
   "object":{"amount":300,"reason":"card declined"}},
  {"kind":"invoice.voided","customer":{"id":"cus_3"},"created":"1700000060","id":"evt_3",
   "object":{}}
]}})";

config::WebhookItemSettings delivery_settings() {
  config::WebhookItemSettings settings;
  settings.items = "/data/deliveries";
  settings.event = "/kind";
  settings.user_id = "/customer/id";
  settings.timestamp = "/created";
  settings.message_id = "/id";
  settings.properties = "/object";
  return settings;
}

TEST_CASE("webhook items become track messages by the pointers of the settings", "[inbound]") {
  const ItemsOutcome outcome = read_items(kDeliveries, delivery_settings());
  INFO(outcome.message);
  REQUIRE(outcome.status == ReadStatus::kOk);
  CHECK(outcome.rejected.empty());
  REQUIRE(outcome.messages.size() == 3);

  SECTION("string ids and a timestamp in Unix seconds") {
    const Message message = parse_message(outcome.messages[0]);
    CHECK(message.string_at("/type") == "track");
    CHECK(message.string_at("/event") == "invoice.paid");
    CHECK(message.string_at("/userId") == "cus_1");
    CHECK_FALSE(message.has("/anonymousId"));
    CHECK(message.string_at("/messageId") == "evt_1");
    CHECK(message.string_at("/timestamp") == "2023-11-14T22:13:20.000Z");
    CHECK(message.minified_at("/properties") == R"({"amount":1200,"currency":"eur"})");
    CHECK(message.string_at("/context/integration/name") == "webhook");
  }
  SECTION("numeric ids as their text and an ISO-8601 timestamp") {
    const Message message = parse_message(outcome.messages[1]);
    CHECK(message.string_at("/event") == "invoice.failed");
    CHECK(message.string_at("/userId") == "42");
    CHECK(message.string_at("/messageId") == "7");
    CHECK(message.string_at("/timestamp") == "2024-01-02T03:04:05.000Z");
    CHECK(message.minified_at("/properties") == R"({"amount":300,"reason":"card declined"})");
  }
  SECTION("Unix seconds written as a string of digits") {
    const Message message = parse_message(outcome.messages[2]);
    CHECK(message.string_at("/timestamp") == "2023-11-14T22:14:20.000Z");
    CHECK(message.minified_at("/properties") == "{}");
  }
}

TEST_CASE("webhook item fields the pointers do not find are left to their defaults", "[inbound]") {
  config::WebhookItemSettings settings = delivery_settings();
  settings.items.clear();

  SECTION("an unreadable timestamp is left out") {
    const Message message =
        only_message(read_items(R"({"kind":"k","created":"last tuesday","id":"a"})", settings));
    CHECK_FALSE(message.has("/timestamp"));
  }
  SECTION("an absent timestamp is left out") {
    const Message message = only_message(read_items(R"({"kind":"k","id":"a"})", settings));
    CHECK_FALSE(message.has("/timestamp"));
  }
  SECTION("properties that are not an object give way to the whole item") {
    const Message message =
        only_message(read_items(R"({"kind":"k","id":"a","object":[1,2]})", settings));
    CHECK(message.minified_at("/properties") == R"({"kind":"k","id":"a","object":[1,2]})");
  }
  SECTION("a boolean user id is no user id") {
    const Message message =
        only_message(read_items(R"({"kind":"k","id":"a","customer":{"id":true}})", settings));
    CHECK_FALSE(message.has("/userId"));
    CHECK(message.has("/anonymousId"));
  }
}

TEST_CASE("without an items pointer the body is the one item", "[inbound]") {
  config::WebhookItemSettings settings;
  settings.event = "/action";
  settings.user_id = "/sender/login";
  constexpr std::string_view kBody =
      R"({ "action": "completed", "sender": {"login": "octo"}, "run": {"id": 9} })";

  const Message message = only_message(read_items(kBody, settings));
  CHECK(message.string_at("/event") == "completed");
  CHECK(message.string_at("/userId") == "octo");
  CHECK(message.minified_at("/properties") ==
        R"({"action":"completed","sender":{"login":"octo"},"run":{"id":9}})");
}

TEST_CASE("a fixed event name stands when the event pointer finds none", "[inbound]") {
  config::WebhookItemSettings settings;
  settings.event_name = "Build Finished";

  SECTION("no event pointer") {
    const Message message = only_message(read_items(R"({"build":12})", settings));
    CHECK(message.string_at("/event") == "Build Finished");
  }
  SECTION("an event pointer that finds nothing") {
    settings.event = "/action";
    const Message message = only_message(read_items(R"({"build":12})", settings));
    CHECK(message.string_at("/event") == "Build Finished");
  }
  SECTION("an event pointer that finds a name wins") {
    settings.event = "/action";
    const Message message = only_message(read_items(R"({"action":"Build Failed"})", settings));
    CHECK(message.string_at("/event") == "Build Failed");
  }
}

TEST_CASE("the default messageId is a digest of the item", "[inbound]") {
  config::WebhookItemSettings settings;
  settings.event_name = "Row Changed";

  const std::string first =
      only_message(read_items(R"({"row":1})", settings)).string_at("/messageId");
  REQUIRE(first.size() == 3 + 64);
  CHECK(first.starts_with("wh-"));
  CHECK(is_lower_hex(std::string_view(first).substr(3)));

  SECTION("the same item again gets the same id") {
    CHECK(only_message(read_items(R"({"row":1})", settings)).string_at("/messageId") == first);
  }
  SECTION("the same item with other whitespace gets the same id") {
    CHECK(only_message(read_items("{ \"row\" : 1 }\n", settings)).string_at("/messageId") == first);
  }
  SECTION("another item gets another id") {
    CHECK(only_message(read_items(R"({"row":2})", settings)).string_at("/messageId") != first);
  }
  SECTION("equal items in one body share an id") {
    settings.items = "/rows";
    const ItemsOutcome outcome =
        read_items(R"({"rows":[{"row":1},{"row":2},{"row":1}]})", settings);
    REQUIRE(outcome.messages.size() == 3);
    const std::string id0 = parse_message(outcome.messages[0]).string_at("/messageId");
    const std::string id1 = parse_message(outcome.messages[1]).string_at("/messageId");
    const std::string id2 = parse_message(outcome.messages[2]).string_at("/messageId");
    CHECK(id0 == first);
    CHECK(id1 != id0);
    CHECK(id2 == id0);
  }
}

TEST_CASE("an item without a user id gets an anonymousId from the source and messageId",
          "[inbound]") {
  config::WebhookItemSettings settings;
  settings.event_name = "Row Changed";
  settings.user_id = "/user";

  SECTION("from the messageId found in the item") {
    settings.message_id = "/id";
    const Message message = only_message(read_items(R"({"id":"m-1"})", settings));
    CHECK_FALSE(message.has("/userId"));
    CHECK(message.string_at("/anonymousId") == name_uuid("billing/m-1"));
  }
  SECTION("from the default messageId") {
    const Message message = only_message(read_items(R"({"row":1})", settings));
    CHECK_FALSE(message.has("/userId"));
    const std::string message_id = message.string_at("/messageId");
    CHECK(message.string_at("/anonymousId") == name_uuid("billing/" + message_id));
  }
  SECTION("the same for the same item") {
    const std::string first =
        only_message(read_items(R"({"row":1})", settings)).string_at("/anonymousId");
    CHECK(only_message(read_items(R"({"row":1})", settings)).string_at("/anonymousId") == first);
    CHECK(only_message(read_items(R"({"row":2})", settings)).string_at("/anonymousId") != first);
  }
}

TEST_CASE("an item that is not an object is kept under properties.value", "[inbound]") {
  config::WebhookItemSettings settings;
  settings.items = "/ticks";
  settings.event_name = "Tick";

  const ItemsOutcome outcome = read_items(R"({"ticks":["a",3,[true,null]]})", settings);
  REQUIRE(outcome.messages.size() == 3);
  CHECK(parse_message(outcome.messages[0]).minified_at("/properties") == R"({"value":"a"})");
  CHECK(parse_message(outcome.messages[1]).minified_at("/properties") == R"({"value":3})");
  CHECK(parse_message(outcome.messages[2]).minified_at("/properties") ==
        R"({"value":[true,null]})");
}

// HMAC-SHA256 of kSignedBody with key "whsec-test", computed outside Sluice.
constexpr std::string_view kSignedBody = R"({"action":"completed","run":{"id":9}})";
constexpr std::string_view kSignatureHex =
    "4eb63817674dee0e08cbf4b2f5d8db4f4fca6a086161a162f97233211d49244d";
constexpr std::string_view kSignatureBase64 = "TrY4F2dN7g4Iy/Sy9djbT0/KaghhYaFi+XIzIR1JJE0=";

config::WebhookItemSettings signed_settings(config::SignatureEncoding encoding) {
  config::WebhookItemSettings settings;
  settings.event = "/action";
  settings.hmac = config::BodyHmacConfig{"X-Hub-Signature-256", "whsec-test", encoding};
  return settings;
}

Headers signature_header(std::string_view value) {
  return {{"x-hub-signature-256", std::string(value)}};
}

TEST_CASE("a signed webhook body must match its HMAC-SHA256 header", "[inbound]") {
  const auto hex = signed_settings(config::SignatureEncoding::kHex);
  const auto base64 = signed_settings(config::SignatureEncoding::kBase64);

  SECTION("lower-case hex") {
    only_message(read_items(kSignedBody, hex, signature_header(kSignatureHex)));
  }
  SECTION("upper-case hex") {
    std::string upper(kSignatureHex);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    only_message(read_items(kSignedBody, hex, signature_header(upper)));
  }
  SECTION("hex after a sha256= prefix") {
    only_message(
        read_items(kSignedBody, hex, signature_header("sha256=" + std::string(kSignatureHex))));
  }
  SECTION("base64") {
    only_message(read_items(kSignedBody, base64, signature_header(kSignatureBase64)));
  }
  SECTION("base64 after a sha256= prefix") {
    only_message(read_items(kSignedBody, base64,
                            signature_header("sha256=" + std::string(kSignatureBase64))));
  }
}

TEST_CASE("a webhook body with a wrong or missing signature is refused", "[inbound]") {
  const auto hex = signed_settings(config::SignatureEncoding::kHex);
  ItemsOutcome outcome;

  SECTION("a signature of another body") {
    outcome = read_items(R"({"action":"completed","run":{"id":10}})", hex,
                         signature_header(kSignatureHex));
  }
  SECTION("a signature with another secret") {
    auto other = hex;
    other.hmac->secret = "whsec-other";
    outcome = read_items(kSignedBody, other, signature_header(kSignatureHex));
  }
  SECTION("hex where base64 is expected") {
    outcome = read_items(kSignedBody, signed_settings(config::SignatureEncoding::kBase64),
                         signature_header(kSignatureHex));
  }
  SECTION("a header that is not hex") {
    outcome = read_items(kSignedBody, hex, signature_header("not a signature"));
  }
  SECTION("a truncated signature") {
    outcome = read_items(kSignedBody, hex, signature_header(kSignatureHex.substr(0, 32)));
  }
  SECTION("no header") {
    outcome = read_items(kSignedBody, hex);
  }
  CHECK(outcome.status == ReadStatus::kInvalidSignature);
  CHECK_THAT(outcome.message, Catch::Contains("X-Hub-Signature-256"));
  CHECK(outcome.messages.empty());
}

TEST_CASE("a webhook body that is not JSON is refused", "[inbound]") {
  config::WebhookItemSettings settings;
  settings.event_name = "Anything";
  std::string_view body;

  SECTION("broken JSON") {
    body = R"({"action":)";
  }
  SECTION("form data") {
    body = "action=completed&run=9";
  }
  SECTION("an empty body") {
    body = "";
  }

  const ItemsOutcome outcome = read_items(body, settings);
  CHECK(outcome.status == ReadStatus::kInvalidBody);
  CHECK_THAT(outcome.message, Catch::StartsWith("the body is not JSON: "));
  CHECK(outcome.message.size() > std::string_view("the body is not JSON: ").size());
  CHECK(outcome.messages.empty());
}

TEST_CASE("an items pointer must find an array", "[inbound]") {
  config::WebhookItemSettings settings;
  settings.event_name = "Anything";

  SECTION("an object") {
    settings.items = "/data";
    const ItemsOutcome outcome = read_items(R"({"data":{"id":1}})", settings);
    CHECK(outcome.status == ReadStatus::kInvalidBody);
    CHECK_THAT(outcome.message, Catch::Contains("/data"));
    CHECK_THAT(outcome.message, Catch::Contains("an object"));
  }
  SECTION("a string") {
    settings.items = "/data/0";
    const ItemsOutcome outcome = read_items(R"({"data":["x"]})", settings);
    CHECK(outcome.status == ReadStatus::kInvalidBody);
    CHECK_THAT(outcome.message, Catch::Contains("/data/0"));
    CHECK_THAT(outcome.message, Catch::Contains("a string"));
  }
  SECTION("nothing") {
    settings.items = "/events";
    const ItemsOutcome outcome = read_items(R"({"data":[]})", settings);
    CHECK(outcome.status == ReadStatus::kInvalidBody);
    CHECK_THAT(outcome.message, Catch::Contains("/events"));
  }
  SECTION("an empty array is no items and no error") {
    settings.items = "/data";
    const ItemsOutcome outcome = read_items(R"({"data":[]})", settings);
    CHECK(outcome.status == ReadStatus::kOk);
    CHECK(outcome.messages.empty());
    CHECK(outcome.rejected.empty());
  }
}

TEST_CASE("an item without an event name is rejected while the others pass", "[inbound]") {
  config::WebhookItemSettings settings;
  settings.items = "/events";
  settings.event = "/kind";
  constexpr std::string_view kBody =
      R"({"events":[{"kind":"a"},{"other":1},{"kind":""},{"kind":5},{"kind":"e"}]})";

  const ItemsOutcome outcome = read_items(kBody, settings);
  REQUIRE(outcome.status == ReadStatus::kOk);
  REQUIRE(outcome.messages.size() == 2);
  CHECK(parse_message(outcome.messages[0]).string_at("/event") == "a");
  CHECK(parse_message(outcome.messages[1]).string_at("/event") == "e");
  REQUIRE(outcome.rejected.size() == 3);
  CHECK(outcome.rejected[0].index == 1);
  CHECK(outcome.rejected[1].index == 2);
  CHECK(outcome.rejected[2].index == 3);
  for (const auto& rejected : outcome.rejected) {
    CHECK(rejected.message == "no event name at /kind");
  }
}

}  // namespace
}  // namespace sluice::inbound
