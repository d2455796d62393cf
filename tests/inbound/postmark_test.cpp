#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "api/base64.hpp"
#include "config/config.hpp"
#include "inbound/email_providers.hpp"
#include "tests/support/provider_signing.hpp"

namespace sluice::inbound {
namespace {

std::string postmark_fixture(std::string_view name) {
  return test::read_email_fixture("postmark/" + std::string(name));
}

// text with its first `from` replaced by `to`, for variants of a fixture.
std::string replaced(std::string text, std::string_view from, std::string_view to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Reads body as Postmark's webhook request, with an Authorization header when one is given.
ProviderOutcome read(std::string_view body, const config::EmailSettings& settings = {},
                     std::string_view authorization = {}) {
  WebhookRequest request;
  request.body = body;
  request.content_type = "application/json";
  request.header = [authorization](std::string_view name) {
    return test::same_ignoring_case(name, "Authorization") ? authorization : std::string_view{};
  };
  request.url = "https://sluice.example.com/v1/webhook/wk_postmark";
  request.now_ms = 1709700000000;
  return read_postmark(request, settings);
}

// The one event a valid Postmark body yields.
EmailEvent read_one(std::string_view body, const config::EmailSettings& settings = {}) {
  ProviderOutcome outcome = read(body, settings);
  REQUIRE(outcome.status == ReadStatus::kOk);
  REQUIRE(outcome.events.size() == 1);
  return outcome.events.front();
}

EmailEvent read_fixture(std::string_view name) {
  return read_one(postmark_fixture(name));
}

TEST_CASE("Postmark delivery becomes Email Delivered", "[inbound][postmark]") {
  const EmailEvent event = read_fixture("delivery.json");
  CHECK(event.kind == EmailEventKind::kDelivered);
  CHECK(event.provider_event == "Delivery");
  CHECK(event.email_id == "5b3a8f0e-2c41-4a7d-9f6e-0d1c2b3a4e51");
  CHECK(event.recipient == "ada@example.com");
  CHECK(event.user_id == "user-1001");
  CHECK(event.timestamp_ms == 1709633730123);  // seven fractional digits, truncated
  CHECK(event.campaign_name == "welcome-email");
  CHECK(event.event_id.size() == 64);  // derived: Postmark has no id for it
  // A delivery's Details is the server's acceptance, not a failure reason.
  CHECK(event.reason.empty());
  CHECK(event.bounce_type.empty());
}

TEST_CASE("Postmark opens carry the opener's address and browser", "[inbound][postmark]") {
  const EmailEvent event = read_fixture("open.json");
  CHECK(event.kind == EmailEventKind::kOpened);
  CHECK(event.provider_event == "Open");
  CHECK(event.recipient == "ada@example.com");
  CHECK(event.email_id == "5b3a8f0e-2c41-4a7d-9f6e-0d1c2b3a4e51");
  CHECK(event.timestamp_ms == 1709636565000);
  CHECK(event.ip == "203.0.113.7");
  CHECK(event.user_agent ==
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0");
  CHECK(event.user_id == "user-1001");
  CHECK(event.link_url.empty());
}

TEST_CASE("Postmark clicks carry the original link", "[inbound][postmark]") {
  const EmailEvent event = read_fixture("click.json");
  CHECK(event.kind == EmailEventKind::kLinkClicked);
  CHECK(event.provider_event == "Click");
  CHECK(event.link_url == "https://example.com/pricing?ref=welcome");
  CHECK(event.ip == "198.51.100.23");
  CHECK(event.user_agent.rfind("Mozilla/5.0 (Macintosh;", 0) == 0);
  CHECK(event.timestamp_ms == 1709636649318);
  CHECK(event.recipient == "ada@example.com");
}

TEST_CASE("Postmark hard bounces become Email Bounced with their reason", "[inbound][postmark]") {
  const EmailEvent event = read_fixture("bounce-hard.json");
  CHECK(event.kind == EmailEventKind::kBounced);
  CHECK(event.provider_event == "Bounce");
  CHECK(event.event_id == "3719297215");  // Postmark's own bounce id
  CHECK(event.recipient == "grace@example.com");
  CHECK(event.email_id == "9d0f6c2e-71b8-4e0a-b5c3-2f4e6a8d1c07");
  CHECK(event.email_subject == "Your March invoice");
  CHECK(event.bounce_type == "HardBounce");
  CHECK(event.reason ==
        "smtp;550 5.1.1 <grace@example.com>: Recipient address rejected: User unknown");
  CHECK(event.timestamp_ms == 1709633762500);  // -05:00 offset applied
  CHECK(event.user_id == "user-2002");
  CHECK(event.campaign_name == "invoice");
}

TEST_CASE("Postmark bounce reason falls back to the type's description", "[inbound][postmark]") {
  const std::string body = replaced(postmark_fixture("bounce-hard.json"),
                                    "\"Details\": \"smtp;550 5.1.1 <grace@example.com>: "
                                    "Recipient address rejected: User unknown\",",
                                    "");
  const EmailEvent event = read_one(body);
  CHECK(event.reason ==
        "The receiving server refused the message for good (unknown user, no such mailbox).");
}

TEST_CASE("Postmark bad email addresses count as hard bounces", "[inbound][postmark]") {
  const std::string body =
      replaced(postmark_fixture("bounce-hard.json"), "\"HardBounce\"", "\"BadEmailAddress\"");
  const EmailEvent event = read_one(body);
  CHECK(event.kind == EmailEventKind::kBounced);
  CHECK(event.bounce_type == "BadEmailAddress");
}

TEST_CASE("Postmark bounces that are not permanent stay unmapped", "[inbound][postmark]") {
  SECTION("the soft bounce fixture") {
    const EmailEvent event = read_fixture("bounce-soft.json");
    CHECK(event.kind == EmailEventKind::kUnmapped);
    CHECK(event.provider_event == "Bounce");
    CHECK(event.bounce_type == "SoftBounce");
    CHECK(event.reason == "smtp;452 4.2.2 The email account that you tried to reach is over quota");
    CHECK(event.event_id == "3719297388");
    CHECK(event.recipient == "linus@example.com");
  }
  for (const char* type : {"Transient", "DnsError", "AutoResponder", "ManuallyDeactivated"}) {
    DYNAMIC_SECTION("type " << type) {
      const std::string body = replaced(postmark_fixture("bounce-soft.json"), "\"SoftBounce\"",
                                        "\"" + std::string(type) + "\"");
      const EmailEvent event = read_one(body);
      CHECK(event.kind == EmailEventKind::kUnmapped);
      CHECK(event.bounce_type == type);
    }
  }
}

TEST_CASE("Postmark spam complaints become Email Marked as Spam", "[inbound][postmark]") {
  const EmailEvent event = read_fixture("spam-complaint.json");
  CHECK(event.kind == EmailEventKind::kMarkedAsSpam);
  CHECK(event.provider_event == "SpamComplaint");
  CHECK(event.event_id == "3719301744");
  CHECK(event.recipient == "margaret@example.com");
  CHECK(event.email_subject == "Spring sale: 20% off");
  CHECK(event.timestamp_ms == 1709649627700);
  CHECK(event.user_id == "user-4004");
  CHECK(event.bounce_type.empty());
}

TEST_CASE("Postmark manual suppressions become Unsubscribe", "[inbound][postmark]") {
  const EmailEvent event = read_fixture("subscription-change.json");
  CHECK(event.kind == EmailEventKind::kUnsubscribe);
  CHECK(event.provider_event == "SubscriptionChange");
  CHECK(event.recipient == "alan@example.com");
  CHECK(event.email_id == "7e2d9b40-3c15-4f8a-a6b1-95c0d3e8f712");
  CHECK(event.list_id == "broadcast");
  CHECK(event.timestamp_ms == 1709713800042);
  CHECK(event.user_id == "user-5005");
  CHECK(event.event_id.size() == 64);  // derived: Postmark has no id for it
}

TEST_CASE("Postmark other subscription changes stay unmapped", "[inbound][postmark]") {
  const std::string fixture = postmark_fixture("subscription-change.json");
  SECTION("a suppression after a hard bounce") {
    const EmailEvent event = read_one(replaced(fixture, "\"ManualSuppression\"", "\"HardBounce\""));
    CHECK(event.kind == EmailEventKind::kUnmapped);
    CHECK(event.provider_event == "SubscriptionChange");
    CHECK(event.reason == "HardBounce");
    CHECK(event.list_id.empty());
  }
  SECTION("a reactivation") {
    const EmailEvent event =
        read_one(replaced(fixture, "\"SuppressSending\": true", "\"SuppressSending\": false"));
    CHECK(event.kind == EmailEventKind::kUnmapped);
  }
  SECTION("SuppressSending that is not a boolean") {
    const EmailEvent event =
        read_one(replaced(fixture, "\"SuppressSending\": true", "\"SuppressSending\": \"true\""));
    CHECK(event.kind == EmailEventKind::kUnmapped);
  }
}

TEST_CASE("Postmark record types beyond the six stay unmapped", "[inbound][postmark]") {
  const EmailEvent event = read_one(
      R"({"RecordType": "Inbound", "MessageID": "0c5d7e9f-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
          "Recipient": "support@example.com"})");
  CHECK(event.kind == EmailEventKind::kUnmapped);
  CHECK(event.provider_event == "Inbound");
  CHECK(event.recipient == "support@example.com");
  CHECK_FALSE(event.event_id.empty());
}

TEST_CASE("Postmark event ids are stable and distinct", "[inbound][postmark]") {
  const std::vector<std::string> names = {
      "delivery.json", "bounce-hard.json", "bounce-soft.json",        "spam-complaint.json",
      "open.json",     "click.json",       "subscription-change.json"};
  SECTION("each fixture keeps its id when resent") {
    for (const std::string& name : names) {
      CHECK(read_fixture(name).event_id == read_fixture(name).event_id);
    }
  }
  SECTION("no two fixtures share an id") {
    std::set<std::string> ids;
    for (const std::string& name : names) ids.insert(read_fixture(name).event_id);
    CHECK(ids.size() == names.size());
  }
  SECTION("a second open of the same message gets its own id") {
    const std::string fixture = postmark_fixture("open.json");
    const EmailEvent later =
        read_one(replaced(fixture, "2024-03-05T11:02:45Z", "2024-03-05T12:30:00Z"));
    CHECK(later.event_id != read_one(fixture).event_id);
  }
  SECTION("clicks on two links at the same time get their own ids") {
    const std::string fixture = postmark_fixture("click.json");
    const EmailEvent other_link =
        read_one(replaced(fixture, "https://example.com/pricing?ref=welcome",
                          "https://example.com/docs?ref=welcome"));
    CHECK(other_link.event_id != read_one(fixture).event_id);
  }
}

TEST_CASE("Postmark user_id comes from the configured metadata key", "[inbound][postmark]") {
  config::EmailSettings settings;
  SECTION("another key") {
    settings.user_id_field = "plan";
    CHECK(read_one(postmark_fixture("delivery.json"), settings).user_id == "pro");
  }
  SECTION("a key the metadata does not have") {
    settings.user_id_field = "accountId";
    CHECK(read_one(postmark_fixture("delivery.json"), settings).user_id.empty());
  }
  SECTION("a numeric value") {
    const EmailEvent event =
        read_one(replaced(postmark_fixture("delivery.json"), "\"user-1001\"", "1001"), settings);
    CHECK(event.user_id == "1001");
  }
}

TEST_CASE("Postmark credentials are checked when configured", "[inbound][postmark]") {
  config::EmailSettings settings;
  settings.basic_auth = "hook-user:s3cret pass";
  const std::string body = postmark_fixture("delivery.json");
  const std::string right = "Basic " + api::encode_base64("hook-user:s3cret pass");

  SECTION("the right user and password") {
    const ProviderOutcome outcome = read(body, settings, right);
    CHECK(outcome.status == ReadStatus::kOk);
    CHECK(outcome.events.size() == 1);
  }
  SECTION("the scheme in any case") {
    const ProviderOutcome outcome =
        read(body, settings, "bASIC " + api::encode_base64("hook-user:s3cret pass"));
    CHECK(outcome.status == ReadStatus::kOk);
  }
  SECTION("a wrong password") {
    const ProviderOutcome outcome =
        read(body, settings, "Basic " + api::encode_base64("hook-user:guess"));
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK(outcome.events.empty());
    CHECK_FALSE(outcome.message.empty());
  }
  SECTION("the user name alone") {
    const ProviderOutcome outcome =
        read(body, settings, "Basic " + api::encode_base64("hook-user"));
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
  }
  SECTION("no Authorization header") {
    const ProviderOutcome outcome = read(body, settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK(outcome.events.empty());
  }
  SECTION("another scheme") {
    const ProviderOutcome outcome =
        read(body, settings, "Bearer " + api::encode_base64("hook-user:s3cret pass"));
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
  }
  SECTION("credentials that are not base64") {
    const ProviderOutcome outcome = read(body, settings, "Basic ***");
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
  }
  SECTION("wrong credentials refuse even a body that is not Postmark's") {
    const ProviderOutcome outcome = read("not json", settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
  }
}

TEST_CASE("Postmark requests are not checked without configured credentials",
          "[inbound][postmark]") {
  const std::string body = postmark_fixture("delivery.json");
  CHECK(read(body).status == ReadStatus::kOk);
  CHECK(read(body, {}, "Basic " + api::encode_base64("anyone:anything")).status == ReadStatus::kOk);
}

TEST_CASE("Postmark refuses bodies it could not have sent", "[inbound][postmark]") {
  const auto check_refused = [](std::string_view body) {
    const ProviderOutcome outcome = read(body);
    CHECK(outcome.status == ReadStatus::kInvalidBody);
    CHECK(outcome.events.empty());
    CHECK_FALSE(outcome.message.empty());
  };
  SECTION("an empty body") {
    check_refused("");
  }
  SECTION("text that is not JSON") {
    check_refused("RecordType=Delivery");
  }
  SECTION("truncated JSON") {
    check_refused(R"({"RecordType": "Delivery", "MessageID": )");
  }
  SECTION("an array of records") {
    check_refused(R"([{"RecordType": "Delivery"}])");
  }
  SECTION("an object without RecordType") {
    check_refused(R"({"MessageID": "5b3a8f0e-2c41-4a7d-9f6e-0d1c2b3a4e51"})");
  }
  SECTION("a RecordType that is not a string") {
    check_refused(R"({"RecordType": 7})");
  }
}

TEST_CASE("Postmark fields of the wrong type are ignored one by one", "[inbound][postmark]") {
  const EmailEvent event = read_one(R"({
    "RecordType": "Click",
    "MessageID": null,
    "Recipient": ["ada@example.com"],
    "Email": "ada@example.com",
    "Metadata": "userId=user-1001",
    "Geo": {"IP": {"v4": "203.0.113.7"}},
    "UserAgent": false,
    "OriginalLink": "https://example.com/a",
    "ReceivedAt": 1709636649,
    "Tag": {}
  })");
  CHECK(event.kind == EmailEventKind::kLinkClicked);
  CHECK(event.email_id.empty());
  CHECK(event.recipient == "ada@example.com");  // Email stands in for the unusable Recipient
  CHECK(event.user_id.empty());
  CHECK(event.ip.empty());
  CHECK(event.link_url == "https://example.com/a");
  CHECK(event.timestamp_ms == 0);  // Postmark writes times as ISO-8601 text only
  CHECK(event.campaign_name.empty());
  CHECK_FALSE(event.event_id.empty());
}

}  // namespace
}  // namespace sluice::inbound
