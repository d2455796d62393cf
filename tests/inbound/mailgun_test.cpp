#include <cctype>
#include <cstdint>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "inbound/email_providers.hpp"
#include "tests/support/provider_signing.hpp"

namespace sluice::inbound {
namespace {

constexpr std::int64_t kNowMs = 1'700'000'100'000;
constexpr std::string_view kSigningKey = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0";
constexpr std::string_view kToken = "c2d8e4f1a7b35e9d0f6a2b8c4e1d7f3a9b5c0e6d2f8a4b1c7e";

std::string mailgun_fixture(const std::string& name) {
  return test::read_email_fixture("mailgun/" + name);
}

// Hex HMAC-SHA256 of timestamp + token, as Mailgun signs. The support library computes it with
// OpenSSL directly so that the test does not trust the code it checks.
std::string mailgun_signature(std::string_view key, std::string_view timestamp,
                              std::string_view token) {
  return test::hmac_sha256_hex(key, std::string(timestamp) + std::string(token));
}

// The fixture's event-data under a new signature object, as Mailgun would post it.
std::string with_signature(const std::string& fixture, std::string_view timestamp,
                           std::string_view token, std::string_view signature) {
  simdjson::dom::parser parser;
  simdjson::dom::element event_data;
  REQUIRE(parser.parse(fixture)["event-data"].get(event_data) == simdjson::SUCCESS);
  return R"({"signature":{"timestamp":")" + std::string(timestamp) + R"(","token":")" +
         std::string(token) + R"(","signature":")" + std::string(signature) +
         R"("},"event-data":)" + simdjson::minify(event_data) + "}";
}

std::string signed_fixture(const std::string& name, std::string_view timestamp) {
  return with_signature(mailgun_fixture(name), timestamp, kToken,
                        mailgun_signature(kSigningKey, timestamp, kToken));
}

std::string unix_seconds(std::int64_t ms) {
  return std::to_string(ms / 1000);
}

ProviderOutcome read(const std::string& body, const config::EmailSettings& settings = {}) {
  WebhookRequest request;
  request.body = body;
  request.content_type = "application/json";
  request.header = [](std::string_view) { return std::string_view{}; };
  request.url = "https://sluice.example.com/v1/webhook/mailgun";
  request.now_ms = kNowMs;
  return read_mailgun(request, settings);
}

// The one event of a fixture read without a signing key.
EmailEvent fixture_event(const std::string& name, const config::EmailSettings& settings = {}) {
  const ProviderOutcome outcome = read(mailgun_fixture(name), settings);
  INFO(name << ": " << outcome.message);
  REQUIRE(outcome.status == ReadStatus::kOk);
  REQUIRE(outcome.events.size() == 1);
  return outcome.events[0];
}

config::EmailSettings signing_settings() {
  config::EmailSettings settings;
  settings.signing_key = std::string(kSigningKey);
  return settings;
}

TEST_CASE("read_mailgun maps each documented event to its email event", "[inbound]") {
  const auto [fixture, provider_event, kind] =
      GENERATE(table<std::string, std::string, EmailEventKind>({
          {"delivered.json", "delivered", EmailEventKind::kDelivered},
          {"opened.json", "opened", EmailEventKind::kOpened},
          {"clicked.json", "clicked", EmailEventKind::kLinkClicked},
          {"failed-permanent.json", "failed", EmailEventKind::kBounced},
          {"failed-temporary.json", "failed", EmailEventKind::kUnmapped},
          {"complained.json", "complained", EmailEventKind::kMarkedAsSpam},
          {"unsubscribed.json", "unsubscribed", EmailEventKind::kUnsubscribe},
      }));

  const EmailEvent event = fixture_event(fixture);
  CHECK(event.provider_event == provider_event);
  CHECK(event.kind == kind);
}

TEST_CASE("read_mailgun reads the documented fields of each event", "[inbound]") {
  SECTION("delivered") {
    const EmailEvent event = fixture_event("delivered.json");
    CHECK(event.event_id == "dQm3tY8sRkWz2fPbN6xHcA");
    CHECK(event.timestamp_ms == 1'700'000'012'482);
    CHECK(event.recipient == "alice@example.net");
    CHECK(event.email_id == "20231114221320.4f1c2a9be07d3e55@mg.example.com");
    CHECK(event.email_subject == "Your November digest");
    CHECK(event.user_id == "user-4821");
    CHECK(event.reason.empty());  // "OK" is no reason: nothing failed
    CHECK(event.bounce_type.empty());
  }
  SECTION("opened") {
    const EmailEvent event = fixture_event("opened.json");
    CHECK(event.event_id == "oP7kLx2VTa6gE0sJr9uYwQ");
    CHECK(event.timestamp_ms == 1'700'000'371'250);
    CHECK(event.ip == "203.0.113.24");
    CHECK(event.user_agent ==
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
          "Gecko)");
    CHECK(event.email_id == "20231114221320.4f1c2a9be07d3e55@mg.example.com");
  }
  SECTION("clicked") {
    const EmailEvent event = fixture_event("clicked.json");
    CHECK(event.event_id == "cK4nVb9QSe1mH7tXz3pLdw");
    CHECK(event.timestamp_ms == 1'700'000'425'750);
    CHECK(event.link_url == "https://www.example.com/articles/november?utm_source=digest");
    CHECK(event.ip == "198.51.100.77");
    CHECK(event.user_agent.starts_with("Mozilla/5.0 (Windows NT 10.0"));
    CHECK(event.campaign_id == "november-digest");
    CHECK(event.campaign_name == "November digest");
    CHECK(event.user_id == "user-4821");
  }
  SECTION("a permanent failure is a bounce") {
    const EmailEvent event = fixture_event("failed-permanent.json");
    CHECK(event.event_id == "fP2wZr6YQo8cD5kGj1sVxE");
    CHECK(event.recipient == "bob@example.net");
    CHECK(event.reason == "550 5.1.1 The email account that you tried to reach does not exist.");
    CHECK(event.bounce_type == "permanent");
    CHECK(event.email_subject == "Your receipt");
    CHECK(event.user_id == "user-1093");
  }
  SECTION("a temporary failure keeps its reason") {
    const EmailEvent event = fixture_event("failed-temporary.json");
    CHECK(event.reason == "452 4.2.2 The email account that you tried to reach is over quota.");
    CHECK(event.bounce_type == "temporary");
  }
  SECTION("complained") {
    const EmailEvent event = fixture_event("complained.json");
    CHECK(event.event_id == "sR1xNc8WTq4fJ6mBh0vKyO");
    CHECK(event.recipient == "carol@example.com");
    CHECK(event.user_id == "user-2210");
  }
  SECTION("unsubscribed") {
    const EmailEvent event = fixture_event("unsubscribed.json");
    CHECK(event.event_id == "uN5hTw0XSp7dC3gLk9aZmR");
    CHECK(event.recipient == "dave@example.net");
    CHECK(event.ip == "192.0.2.51");
    CHECK(event.user_agent.starts_with("Mozilla/5.0 (iPhone"));
    CHECK(event.user_id == "user-3307");
  }
}

TEST_CASE("read_mailgun takes the failure reason from what Mailgun gives", "[inbound]") {
  SECTION("the description when the message is empty") {
    const ProviderOutcome outcome =
        read(R"({"event-data":{"event":"failed","id":"a1","severity":"permanent",)"
             R"("reason":"suppress-bounce","delivery-status":{"message":"",)"
             R"("description":"Not delivering to previously bounced address"}}})");
    REQUIRE(outcome.events.size() == 1);
    CHECK(outcome.events[0].kind == EmailEventKind::kBounced);
    CHECK(outcome.events[0].reason == "Not delivering to previously bounced address");
  }
  SECTION("Mailgun's one-word reason when the delivery status says nothing") {
    const ProviderOutcome outcome =
        read(R"({"event-data":{"event":"failed","id":"a2","severity":"permanent",)"
             R"("reason":"suppress-bounce"}})");
    REQUIRE(outcome.events.size() == 1);
    CHECK(outcome.events[0].reason == "suppress-bounce");
  }
}

TEST_CASE("read_mailgun takes the user id from the user variable the source names", "[inbound]") {
  config::EmailSettings settings;

  SECTION("the default userId") {
    CHECK(fixture_event("clicked.json", settings).user_id == "user-4821");
  }
  SECTION("another variable") {
    settings.user_id_field = "plan";
    CHECK(fixture_event("clicked.json", settings).user_id == "pro");
  }
  SECTION("a variable the event lacks") {
    settings.user_id_field = "customer";
    CHECK(fixture_event("clicked.json", settings).user_id.empty());
  }
}

TEST_CASE("read_mailgun leaves other events unmapped", "[inbound]") {
  const ProviderOutcome outcome = read(
      R"({"event-data":{"event":"accepted","id":"CCXMjJ7nQi2N3BPigGOdgQ","timestamp":1700000001.5,)"
      R"("recipient":"alice@example.net"}})");

  REQUIRE(outcome.status == ReadStatus::kOk);
  REQUIRE(outcome.events.size() == 1);
  CHECK(outcome.events[0].kind == EmailEventKind::kUnmapped);
  CHECK(outcome.events[0].provider_event == "accepted");
  CHECK(outcome.events[0].timestamp_ms == 1'700'000'001'500);
}

TEST_CASE("read_mailgun derives a stable event id when the event has none", "[inbound]") {
  const std::string delivered =
      R"({"event-data":{"event":"delivered","timestamp":1700000012.5,)"
      R"("recipient":"alice@example.net",)"
      R"("message":{"headers":{"message-id":"20231114221320.4f1c2a9be07d3e55@mg.example.com"}}}})";
  const std::string opened =
      R"({"event-data":{"event":"opened","timestamp":1700000012.5,)"
      R"("recipient":"alice@example.net",)"
      R"("message":{"headers":{"message-id":"20231114221320.4f1c2a9be07d3e55@mg.example.com"}}}})";

  const std::string first_id = read(delivered).events.at(0).event_id;
  CHECK_FALSE(first_id.empty());
  CHECK(read(delivered).events.at(0).event_id == first_id);
  CHECK(read(opened).events.at(0).event_id != first_id);
}

TEST_CASE("read_mailgun ignores members of the wrong type", "[inbound]") {
  const ProviderOutcome outcome =
      read(R"({"event-data":{"event":"clicked","id":"x1","timestamp":"later","recipient":["a"],)"
           R"("url":{"href":"https://www.example.com/"},"client-info":"Chrome","ip":null,)"
           R"("user-variables":["user-1"],"campaigns":{"id":"c1"},"message":{"headers":"none"}}})");

  REQUIRE(outcome.status == ReadStatus::kOk);
  REQUIRE(outcome.events.size() == 1);
  const EmailEvent& event = outcome.events[0];
  CHECK(event.kind == EmailEventKind::kLinkClicked);
  CHECK(event.event_id == "x1");
  CHECK(event.timestamp_ms == 0);
  CHECK(event.recipient.empty());
  CHECK(event.link_url.empty());
  CHECK(event.user_agent.empty());
  CHECK(event.ip.empty());
  CHECK(event.user_id.empty());
  CHECK(event.campaign_id.empty());
  CHECK(event.email_id.empty());
}

TEST_CASE("read_mailgun checks the signature when a signing key is set", "[inbound]") {
  const config::EmailSettings settings = signing_settings();
  const std::string recent = unix_seconds(kNowMs - 100'000);

  SECTION("a correct signature is accepted") {
    const ProviderOutcome outcome = read(signed_fixture("delivered.json", recent), settings);
    CHECK(outcome.status == ReadStatus::kOk);
    CHECK(outcome.events.size() == 1);
  }
  SECTION("a signature in upper-case hex is accepted") {
    std::string signature = mailgun_signature(kSigningKey, recent, kToken);
    for (char& c : signature) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const std::string body =
        with_signature(mailgun_fixture("delivered.json"), recent, kToken, signature);
    CHECK(read(body, settings).status == ReadStatus::kOk);
  }
  SECTION("a signature by another key is refused") {
    const std::string body =
        with_signature(mailgun_fixture("delivered.json"), recent, kToken,
                       mailgun_signature("key-another-domain-entirely", recent, kToken));
    const ProviderOutcome outcome = read(body, settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK(outcome.events.empty());
  }
  SECTION("a token changed after signing is refused") {
    const std::string body = with_signature(mailgun_fixture("delivered.json"), recent,
                                            "a-different-token-of-fifty-characters-0123456789",
                                            mailgun_signature(kSigningKey, recent, kToken));
    CHECK(read(body, settings).status == ReadStatus::kInvalidSignature);
  }
  SECTION("the fixture's placeholder signature is refused") {
    CHECK(read(mailgun_fixture("delivered.json"), settings).status ==
          ReadStatus::kInvalidSignature);
  }
  SECTION("a signature that is not hexadecimal is refused") {
    const std::string body =
        with_signature(mailgun_fixture("delivered.json"), recent, kToken, "not-hex");
    CHECK(read(body, settings).status == ReadStatus::kInvalidSignature);
  }
  SECTION("a body without its signature object is refused") {
    const ProviderOutcome outcome =
        read(R"({"event-data":{"event":"delivered","id":"dQm3tY8sRkWz2fPbN6xHcA"}})", settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK(outcome.events.empty());
  }
  SECTION("a signature six minutes old is refused as stale") {
    const std::string old = unix_seconds(kNowMs - 6 * 60 * 1000);
    const ProviderOutcome outcome = read(signed_fixture("delivered.json", old), settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK_THAT(outcome.message, Catch::Contains("stale"));
    CHECK(outcome.events.empty());
  }
  SECTION("a signature six minutes ahead of this server's clock is refused as stale") {
    const std::string ahead = unix_seconds(kNowMs + 6 * 60 * 1000);
    const ProviderOutcome outcome = read(signed_fixture("delivered.json", ahead), settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK_THAT(outcome.message, Catch::Contains("stale"));
  }
  SECTION("a signature four minutes old is accepted") {
    const std::string four_minutes_old = unix_seconds(kNowMs - 4 * 60 * 1000);
    CHECK(read(signed_fixture("delivered.json", four_minutes_old), settings).status ==
          ReadStatus::kOk);
  }
}

TEST_CASE("read_mailgun does not check signatures without a signing key", "[inbound]") {
  SECTION("a placeholder signature") {
    CHECK(read(mailgun_fixture("delivered.json")).status == ReadStatus::kOk);
  }
  SECTION("no signature object at all") {
    CHECK(read(R"({"event-data":{"event":"delivered","id":"dQm3tY8sRkWz2fPbN6xHcA"}})").status ==
          ReadStatus::kOk);
  }
  SECTION("a stale timestamp") {
    const std::string body = with_signature(mailgun_fixture("delivered.json"), "1600000000", kToken,
                                            mailgun_signature(kSigningKey, "1600000000", kToken));
    CHECK(read(body).status == ReadStatus::kOk);
  }
}

TEST_CASE("read_mailgun refuses a body that is not a Mailgun webhook", "[inbound]") {
  const auto refusal = [](const std::string& body) {
    const ProviderOutcome outcome = read(body);
    CHECK(outcome.status == ReadStatus::kInvalidBody);
    CHECK(outcome.events.empty());
    return outcome.message;
  };

  SECTION("not JSON") {
    CHECK_FALSE(refusal("event=delivered&recipient=alice%40example.net").empty());
  }
  SECTION("an array") {
    CHECK_THAT(refusal(R"([{"event-data":{"event":"delivered"}}])"),
               Catch::Contains("expected a JSON object"));
  }
  SECTION("no event-data") {
    CHECK_THAT(refusal(R"({"signature":{"timestamp":"1700000000","token":"t","signature":"00"}})"),
               Catch::Contains("event-data"));
  }
  SECTION("event-data that is not an object") {
    CHECK_THAT(refusal(R"({"event-data":"delivered"})"), Catch::Contains("event-data"));
  }
  SECTION("event-data without an event name") {
    CHECK_THAT(refusal(R"({"event-data":{"id":"dQm3tY8sRkWz2fPbN6xHcA"}})"),
               Catch::Contains("\"event\""));
  }
}

}  // namespace
}  // namespace sluice::inbound
