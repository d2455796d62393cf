#include <cctype>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "inbound/email_providers.hpp"
#include "tests/support/provider_signing.hpp"

namespace sluice::inbound {
namespace {

constexpr std::string_view kSignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
constexpr std::string_view kTimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";

std::string events_fixture() {
  return test::read_email_fixture("sendgrid/events.json");
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A webhook request and the headers it came with; names are looked up ignoring case, as HTTP
// does. The WebhookRequest it makes refers to it, so it must outlive each read.
struct TestRequest {
  std::string body;
  std::map<std::string, std::string> headers;  // by lower-case name

  void set_header(std::string_view name, std::string value) {
    headers[lower(name)] = std::move(value);
  }
  void erase_header(std::string_view name) { headers.erase(lower(name)); }

  WebhookRequest view() const {
    WebhookRequest request;
    request.body = body;
    request.content_type = "application/json";
    request.header = [this](std::string_view name) -> std::string_view {
      const auto found = headers.find(lower(name));
      return found == headers.end() ? std::string_view{} : std::string_view(found->second);
    };
    request.url = "https://sluice.example.com/v1/webhook/sendgrid";
    request.now_ms = 1'700'000'100'000;
    return request;
  }
};

void sign(TestRequest& request, const test::EcKeyPair& key, const std::string& timestamp) {
  request.set_header(kTimestampHeader, timestamp);
  request.set_header(kSignatureHeader, key.sign_base64(timestamp + request.body));
}

ProviderOutcome read(const TestRequest& request, const config::EmailSettings& settings = {}) {
  return read_sendgrid(request.view(), settings);
}

const EmailEvent& event_named(const ProviderOutcome& outcome, std::string_view provider_event) {
  const EmailEvent* found = nullptr;
  for (const EmailEvent& event : outcome.events) {
    if (event.provider_event == provider_event) found = &event;
  }
  INFO("provider event " << provider_event);
  REQUIRE(found != nullptr);
  return *found;
}

TEST_CASE("read_sendgrid maps each documented event to its email event", "[inbound]") {
  const ProviderOutcome outcome = read(TestRequest{events_fixture(), {}});

  REQUIRE(outcome.status == ReadStatus::kOk);
  CHECK(outcome.message.empty());
  std::vector<std::string> names;
  std::vector<EmailEventKind> kinds;
  for (const EmailEvent& event : outcome.events) {
    names.push_back(event.provider_event);
    kinds.push_back(event.kind);
  }
  CHECK(names == std::vector<std::string>{"delivered", "open", "click", "bounce", "spamreport",
                                          "unsubscribe", "group_unsubscribe", "processed",
                                          "deferred", "dropped"});
  CHECK(kinds ==
        std::vector<EmailEventKind>{EmailEventKind::kDelivered, EmailEventKind::kOpened,
                                    EmailEventKind::kLinkClicked, EmailEventKind::kBounced,
                                    EmailEventKind::kMarkedAsSpam, EmailEventKind::kUnsubscribe,
                                    EmailEventKind::kUnsubscribe, EmailEventKind::kUnmapped,
                                    EmailEventKind::kUnmapped, EmailEventKind::kUnmapped});
}

TEST_CASE("read_sendgrid reads the documented fields of each event", "[inbound]") {
  const ProviderOutcome outcome = read(TestRequest{events_fixture(), {}});
  REQUIRE(outcome.status == ReadStatus::kOk);

  SECTION("delivered") {
    const EmailEvent& event = event_named(outcome, "delivered");
    CHECK(event.event_id == "ZGVsaXZlcmVkLTAwMDAwMQ");
    CHECK(event.email_id == "18bcc8a7f31.a1b.2c3d4e.filter0042.12345.65540A00.0");
    CHECK(event.recipient == "alice@example.com");
    CHECK(event.timestamp_ms == 1'700'000'000'000);
    CHECK(event.user_id == "user-4821");
    CHECK(event.reason.empty());  // "250 OK" is no reason: nothing failed
    CHECK(event.bounce_type.empty());
  }
  SECTION("open, sent by a Single Send") {
    const EmailEvent& event = event_named(outcome, "open");
    CHECK(event.event_id == "b3Blbi0wMDAwMDI");
    CHECK(event.timestamp_ms == 1'700'000'360'000);
    CHECK(event.ip == "203.0.113.24");
    CHECK(event.user_agent ==
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
          "Gecko)");
    CHECK(event.campaign_id == "9b2f6c1e-4d7a-11ee-9f2b-0242ac120002");
    CHECK(event.campaign_name == "November welcome series");
  }
  SECTION("click") {
    const EmailEvent& event = event_named(outcome, "click");
    CHECK(event.event_id == "Y2xpY2stMDAwMDAz");
    CHECK(event.link_url == "https://www.example.com/getting-started?utm_source=email");
    CHECK(event.ip == "198.51.100.77");
    CHECK(event.user_agent.starts_with("Mozilla/5.0 (Windows NT 10.0"));
    CHECK(event.user_id == "user-4821");
    CHECK(event.campaign_id.empty());
  }
  SECTION("bounce") {
    const EmailEvent& event = event_named(outcome, "bounce");
    CHECK(event.event_id == "Ym91bmNlLTAwMDAwNA");
    CHECK(event.recipient == "bob@example.net");
    CHECK(event.reason == "550 5.1.1 The email account that you tried to reach does not exist.");
    CHECK(event.bounce_type == "bounce");
    CHECK(event.user_id == "user-1093");
  }
  SECTION("group_unsubscribe names the unsubscribe group") {
    const EmailEvent& event = event_named(outcome, "group_unsubscribe");
    CHECK(event.list_id == "4217");
    CHECK(event.recipient == "erin@example.com");
    CHECK(event.ip == "192.0.2.51");
  }
  SECTION("unsubscribe names no group") {
    const EmailEvent& event = event_named(outcome, "unsubscribe");
    CHECK(event.list_id.empty());
    CHECK(event.user_id == "user-3307");
  }
  SECTION("deferred gives the receiving server's response as its reason") {
    const EmailEvent& event = event_named(outcome, "deferred");
    CHECK(event.kind == EmailEventKind::kUnmapped);
    CHECK(event.reason == "421 4.7.0 Try again later, closing connection.");
  }
  SECTION("dropped keeps its reason") {
    const EmailEvent& event = event_named(outcome, "dropped");
    CHECK(event.kind == EmailEventKind::kUnmapped);
    CHECK(event.event_id == "ZHJvcHBlZC0wMDAwMTA");
    CHECK(event.reason == "Bounced Address");
  }
}

TEST_CASE("read_sendgrid leaves a blocked message unmapped", "[inbound]") {
  const std::string body =
      R"([{"email":"bob@example.net","timestamp":1700000015,"event":"bounce",)"
      R"("sg_event_id":"YmxvY2tlZC0wMDAwMDE","reason":"554 5.7.1 Service unavailable",)"
      R"("status":"5.7.1","type":"blocked"}])";
  const ProviderOutcome outcome = read(TestRequest{body, {}});

  REQUIRE(outcome.status == ReadStatus::kOk);
  REQUIRE(outcome.events.size() == 1);
  CHECK(outcome.events[0].kind == EmailEventKind::kUnmapped);
  CHECK(outcome.events[0].provider_event == "bounce");
  CHECK(outcome.events[0].bounce_type == "blocked");
  CHECK(outcome.events[0].reason == "554 5.7.1 Service unavailable");
}

TEST_CASE("read_sendgrid takes the user id from the custom argument the source names",
          "[inbound]") {
  const TestRequest request{
      R"([{"email":"alice@example.com","timestamp":1700000000,"event":"open",)"
      R"("sg_event_id":"b3Blbi0wMDAwMTE","userId":"user-4821","account_number":90210}])",
      {}};
  config::EmailSettings settings;

  SECTION("the default userId") {
    CHECK(read(request, settings).events.at(0).user_id == "user-4821");
  }
  SECTION("another argument, a number") {
    settings.user_id_field = "account_number";
    CHECK(read(request, settings).events.at(0).user_id == "90210");
  }
  SECTION("an argument the event lacks") {
    settings.user_id_field = "customer";
    CHECK(read(request, settings).events.at(0).user_id.empty());
  }
}

TEST_CASE("read_sendgrid derives a stable event id when sg_event_id is absent", "[inbound]") {
  const TestRequest request{
      R"([{"email":"alice@example.com","timestamp":1700000000,"event":"delivered",)"
      R"("sg_message_id":"18bcc8a7f31.a1b.2c3d4e.filter0042.12345.65540A00.0"},)"
      R"({"email":"alice@example.com","timestamp":1700000000,"event":"open",)"
      R"("sg_message_id":"18bcc8a7f31.a1b.2c3d4e.filter0042.12345.65540A00.0"}])",
      {}};

  const ProviderOutcome first = read(request);
  const ProviderOutcome again = read(request);
  REQUIRE(first.events.size() == 2);
  REQUIRE(again.events.size() == 2);
  CHECK_FALSE(first.events[0].event_id.empty());
  CHECK(first.events[0].event_id == again.events[0].event_id);
  CHECK(first.events[1].event_id == again.events[1].event_id);
  CHECK(first.events[0].event_id != first.events[1].event_id);
}

TEST_CASE("read_sendgrid ignores members of the wrong type", "[inbound]") {
  const ProviderOutcome outcome = read(TestRequest{
      R"([{"event":"click","email":["alice@example.com"],"timestamp":"yesterday",)"
      R"("url":{"href":"https://www.example.com/"},"ip":null,"useragent":{"name":"Chrome"},)"
      R"("sg_event_id":"Y2xpY2stMDAwMDk5","asm_group_id":[1],"userId":{"id":"user-1"}}])",
      {}});

  REQUIRE(outcome.status == ReadStatus::kOk);
  REQUIRE(outcome.events.size() == 1);
  const EmailEvent& event = outcome.events[0];
  CHECK(event.kind == EmailEventKind::kLinkClicked);
  CHECK(event.event_id == "Y2xpY2stMDAwMDk5");
  CHECK(event.recipient.empty());
  CHECK(event.timestamp_ms == 0);
  CHECK(event.link_url.empty());
  CHECK(event.ip.empty());
  CHECK(event.user_agent.empty());
  CHECK(event.user_id.empty());
}

TEST_CASE("read_sendgrid checks the signature when a verification key is set", "[inbound]") {
  const test::EcKeyPair key;
  config::EmailSettings settings;
  settings.verification_key = key.public_key_base64();
  TestRequest request{events_fixture(), {}};
  sign(request, key, "1700000090");

  SECTION("a signed request is accepted") {
    const ProviderOutcome outcome = read(request, settings);
    CHECK(outcome.status == ReadStatus::kOk);
    CHECK(outcome.events.size() == 10);
  }
  SECTION("a body changed after signing is refused") {
    const std::size_t at = request.body.find("user-4821");
    REQUIRE(at != std::string::npos);
    request.body.replace(at, 9, "user-4822");
    const ProviderOutcome outcome = read(request, settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK(outcome.events.empty());
    CHECK_FALSE(outcome.message.empty());
  }
  SECTION("a timestamp changed after signing is refused") {
    request.set_header(kTimestampHeader, "1700000091");
    CHECK(read(request, settings).status == ReadStatus::kInvalidSignature);
  }
  SECTION("a signature by another key is refused") {
    const test::EcKeyPair other_key;
    sign(request, other_key, "1700000090");
    const ProviderOutcome outcome = read(request, settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK(outcome.events.empty());
  }
  SECTION("a request without the signature header is refused") {
    request.erase_header(kSignatureHeader);
    const ProviderOutcome outcome = read(request, settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK_THAT(outcome.message, Catch::Contains(std::string(kSignatureHeader)));
  }
  SECTION("a request without the timestamp header is refused") {
    request.erase_header(kTimestampHeader);
    const ProviderOutcome outcome = read(request, settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK_THAT(outcome.message, Catch::Contains(std::string(kTimestampHeader)));
  }
  SECTION("a signature that is not base64 is refused") {
    request.set_header(kSignatureHeader, "not a signature!");
    CHECK(read(request, settings).status == ReadStatus::kInvalidSignature);
  }
  SECTION("a request without a header function is refused") {
    WebhookRequest bare = request.view();
    bare.header = nullptr;
    CHECK(read_sendgrid(bare, settings).status == ReadStatus::kInvalidSignature);
  }
  SECTION("an unsigned request is refused before its body is read") {
    request.headers.clear();
    request.body = "not even JSON";
    const ProviderOutcome outcome = read(request, settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
  }
}

TEST_CASE("read_sendgrid does not check signatures without a verification key", "[inbound]") {
  TestRequest request{events_fixture(), {}};

  SECTION("no signature headers") {
    CHECK(read(request).status == ReadStatus::kOk);
  }
  SECTION("a signature that would not verify") {
    request.set_header(kTimestampHeader, "1700000090");
    request.set_header(kSignatureHeader, "MEUCIQDtotallywrong");
    const ProviderOutcome outcome = read(request);
    CHECK(outcome.status == ReadStatus::kOk);
    CHECK(outcome.events.size() == 10);
  }
}

TEST_CASE("read_sendgrid refuses a body that is not an array of SendGrid events", "[inbound]") {
  const auto refusal = [](std::string body) {
    const ProviderOutcome outcome = read(TestRequest{std::move(body), {}});
    CHECK(outcome.status == ReadStatus::kInvalidBody);
    CHECK(outcome.events.empty());
    return outcome.message;
  };

  SECTION("not JSON") {
    CHECK_THAT(refusal("event=open&email=alice%40example.com"),
               Catch::Contains("expected a JSON array of SendGrid events"));
  }
  SECTION("an empty body") {
    CHECK_THAT(refusal(""), Catch::Contains("expected a JSON array of SendGrid events"));
  }
  SECTION("one event not wrapped in an array") {
    CHECK_THAT(refusal(R"({"event":"open","email":"alice@example.com"})"),
               Catch::Contains("expected a JSON array of SendGrid events"));
  }
  SECTION("an element that is not an object") {
    CHECK_THAT(refusal(R"([{"event":"open","sg_event_id":"b3Blbi0x"},"open"])"),
               Catch::Contains("event 1 is not a JSON object"));
  }
  SECTION("an event without an event name") {
    CHECK_THAT(refusal(R"([{"email":"alice@example.com","timestamp":1700000000}])"),
               Catch::Contains("\"event\""));
  }
}

TEST_CASE("read_sendgrid accepts an empty array of events", "[inbound]") {
  const ProviderOutcome outcome = read(TestRequest{"[]", {}});
  CHECK(outcome.status == ReadStatus::kOk);
  CHECK(outcome.events.empty());
}

}  // namespace
}  // namespace sluice::inbound
