#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "inbound/email_providers.hpp"
#include "tests/support/provider_signing.hpp"

namespace sluice::inbound {
namespace {

constexpr std::string_view kRequestUrl = "https://sluice.example.com/v1/webhook/wk_mandrill";
constexpr std::string_view kWebhookKey = "Xq3vR8tL0pZ2mN6bC4dF7g";

std::string mandrill_events_fixture() {
  return test::read_email_fixture("mandrill/events.json");
}

std::string events_form(std::string_view events_json, bool plus_for_space = false) {
  return "mandrill_events=" + test::form_encode(events_json, plus_for_space);
}

// X-Mandrill-Signature as Mandrill computes it, from the decoded parameters already sorted
// by name and concatenated: base64(HMAC-SHA1(key, url + params)).
std::string mandrill_signature(std::string_view key, std::string_view url,
                               std::string_view sorted_params) {
  return test::hmac_sha1_base64(key, std::string(url) + std::string(sorted_params));
}

struct Call {
  std::string_view body;
  std::string_view signature;  // X-Mandrill-Signature; none when empty
  std::string_view url = kRequestUrl;
};

ProviderOutcome read(const Call& call, const config::EmailSettings& settings = {}) {
  WebhookRequest request;
  request.body = call.body;
  request.content_type = "application/x-www-form-urlencoded";
  request.header = [signature = call.signature](std::string_view name) {
    return test::same_ignoring_case(name, "X-Mandrill-Signature") ? signature : std::string_view{};
  };
  request.url = call.url;
  request.now_ms = 1709700000000;
  return read_mandrill(request, settings);
}

std::vector<EmailEvent> read_events(std::string_view events_json,
                                    const config::EmailSettings& settings = {}) {
  const std::string body = events_form(events_json);
  ProviderOutcome outcome = read(Call{body, {}}, settings);
  REQUIRE(outcome.status == ReadStatus::kOk);
  return std::move(outcome.events);
}

EmailEvent read_one(std::string_view event_json) {
  std::vector<EmailEvent> events = read_events("[" + std::string(event_json) + "]");
  REQUIRE(events.size() == 1);
  return events.front();
}

// The fixture's events, in its order.
enum FixtureIndex : std::size_t {
  kSend,
  kOpen,
  kClick,
  kHardBounce,
  kSoftBounce,
  kSpam,
  kUnsub,
  kReject
};

TEST_CASE("Mandrill fixture events map to the email events", "[inbound][mandrill]") {
  const std::vector<EmailEvent> events = read_events(mandrill_events_fixture());
  REQUIRE(events.size() == 8);
  CHECK(events[kSend].kind == EmailEventKind::kUnmapped);
  CHECK(events[kSend].provider_event == "send");
  CHECK(events[kOpen].kind == EmailEventKind::kOpened);
  CHECK(events[kClick].kind == EmailEventKind::kLinkClicked);
  CHECK(events[kHardBounce].kind == EmailEventKind::kBounced);
  CHECK(events[kSoftBounce].kind == EmailEventKind::kUnmapped);
  CHECK(events[kSoftBounce].provider_event == "soft_bounce");
  CHECK(events[kSpam].kind == EmailEventKind::kMarkedAsSpam);
  CHECK(events[kUnsub].kind == EmailEventKind::kUnsubscribe);
  CHECK(events[kReject].kind == EmailEventKind::kUnmapped);
  CHECK(events[kReject].provider_event == "reject");
}

TEST_CASE("Mandrill events carry the message's fields", "[inbound][mandrill]") {
  const std::vector<EmailEvent> events = read_events(mandrill_events_fixture());
  REQUIRE(events.size() == 8);
  const EmailEvent& send = events[kSend];
  CHECK(send.email_id == "3f1c9a7e52b84d06a1e0c4d7b9f2a813");
  CHECK(send.recipient == "ada@example.com");
  CHECK(send.email_subject == "Welcome to Example");
  CHECK(send.user_id == "user-1001");
  CHECK(send.timestamp_ms == 1709640001000);  // the event's ts, not the message's

  const EmailEvent& spam = events[kSpam];
  CHECK(spam.recipient == "margaret@example.com");
  CHECK(spam.user_id == "user-4004");
  CHECK(spam.timestamp_ms == 1709650420000);

  const EmailEvent& unsub = events[kUnsub];
  CHECK(unsub.recipient == "alan@example.com");
  CHECK(unsub.email_id == "f7e5d3c1a9b84e2f6d0c8b4a2e6f1d93");
  CHECK(unsub.user_id == "user-5005");
}

TEST_CASE("Mandrill opens and clicks carry the address browser and link", "[inbound][mandrill]") {
  const std::vector<EmailEvent> events = read_events(mandrill_events_fixture());
  REQUIRE(events.size() == 8);
  const EmailEvent& open = events[kOpen];
  CHECK(open.ip == "203.0.113.41");
  CHECK(open.user_agent ==
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Mobile/15E148");
  CHECK(open.timestamp_ms == 1709643600000);
  CHECK(open.user_id == "4242");  // a numeric metadata value, as its text
  CHECK(open.link_url.empty());

  const EmailEvent& click = events[kClick];
  CHECK(click.link_url == "https://example.com/start?step=1");
  CHECK(click.ip == "203.0.113.41");
  CHECK(click.user_agent.find("Safari/604.1") != std::string::npos);
  CHECK(click.timestamp_ms == 1709643662000);
  CHECK(click.email_id == open.email_id);
}

TEST_CASE("Mandrill bounces carry their type and reason", "[inbound][mandrill]") {
  const std::vector<EmailEvent> events = read_events(mandrill_events_fixture());
  REQUIRE(events.size() == 8);
  const EmailEvent& hard = events[kHardBounce];
  CHECK(hard.bounce_type == "hard");
  CHECK(hard.reason == "bad_mailbox");
  CHECK(hard.recipient == "grace@example.com");
  CHECK(hard.email_subject == "Your receipt");
  CHECK(hard.timestamp_ms == 1709640185000);

  const EmailEvent& soft = events[kSoftBounce];
  CHECK(soft.bounce_type == "soft");
  CHECK(soft.reason == "mailbox_full");

  SECTION("diag stands in for a missing bounce_description") {
    const EmailEvent event = read_one(R"({"event": "hard_bounce", "ts": 1709640185,
        "_id": "8b2e0d4f6a1c4e9b8d3f5a7c9e1b2d40",
        "msg": {"_id": "8b2e0d4f6a1c4e9b8d3f5a7c9e1b2d40", "email": "grace@example.com",
                "diag": "smtp;550 5.1.1 User unknown"}})");
    CHECK(event.kind == EmailEventKind::kBounced);
    CHECK(event.reason == "smtp;550 5.1.1 User unknown");
  }
}

TEST_CASE("Mandrill delivered events become Email Delivered", "[inbound][mandrill]") {
  const EmailEvent event = read_one(R"({"event": "delivered", "ts": 1709640060,
      "_id": "3f1c9a7e52b84d06a1e0c4d7b9f2a813",
      "msg": {"_id": "3f1c9a7e52b84d06a1e0c4d7b9f2a813", "email": "ada@example.com",
              "state": "delivered", "metadata": {"userId": "user-1001"}}})");
  CHECK(event.kind == EmailEventKind::kDelivered);
  CHECK(event.provider_event == "delivered");
  CHECK(event.user_id == "user-1001");
}

TEST_CASE("Mandrill event ids are stable and distinct", "[inbound][mandrill]") {
  const std::vector<EmailEvent> first = read_events(mandrill_events_fixture());
  const std::vector<EmailEvent> again = read_events(mandrill_events_fixture());
  REQUIRE(first.size() == again.size());

  SECTION("each event keeps its id when resent") {
    for (std::size_t i = 0; i < first.size(); ++i) CHECK(first[i].event_id == again[i].event_id);
  }
  SECTION("no two events share an id") {
    std::set<std::string> ids;
    for (const EmailEvent& event : first) {
      CHECK_FALSE(event.event_id.empty());
      ids.insert(event.event_id);
    }
    CHECK(ids.size() == first.size());
  }
  SECTION("the send open and click of one message have the same _id but not the same id") {
    CHECK(first[kSend].email_id == first[kOpen].email_id);
    CHECK(first[kOpen].event_id != first[kSend].event_id);
    CHECK(first[kOpen].event_id != first[kClick].event_id);
  }
  SECTION("without _id the message's id stands in") {
    const std::string with_id = R"({"event": "open", "ts": 1709643600,
        "_id": "3f1c9a7e52b84d06a1e0c4d7b9f2a813",
        "msg": {"_id": "3f1c9a7e52b84d06a1e0c4d7b9f2a813"}})";
    const std::string without_id = R"({"event": "open", "ts": 1709643600,
        "msg": {"_id": "3f1c9a7e52b84d06a1e0c4d7b9f2a813"}})";
    CHECK(read_one(without_id).event_id == read_one(with_id).event_id);
    CHECK(read_one(without_id).email_id == "3f1c9a7e52b84d06a1e0c4d7b9f2a813");
  }
}

TEST_CASE("Mandrill user_id comes from the configured metadata key", "[inbound][mandrill]") {
  config::EmailSettings settings;
  settings.user_id_field = "accountId";
  const std::vector<EmailEvent> events = read_events(
      R"([{"event": "open", "ts": 1709643600, "msg": {"_id": "m1",
          "metadata": {"userId": "user-1001", "accountId": "acct-77"}}}])",
      settings);
  REQUIRE(events.size() == 1);
  CHECK(events[0].user_id == "acct-77");
}

TEST_CASE("Mandrill signatures are checked when a webhook key is set", "[inbound][mandrill]") {
  config::EmailSettings settings;
  settings.webhook_key = std::string(kWebhookKey);
  const std::string events_json = mandrill_events_fixture();
  const std::string body = events_form(events_json);
  const std::string signature =
      mandrill_signature(kWebhookKey, kRequestUrl, "mandrill_events" + events_json);

  SECTION("the right signature") {
    const ProviderOutcome outcome = read(Call{body, signature}, settings);
    CHECK(outcome.status == ReadStatus::kOk);
    CHECK(outcome.events.size() == 8);
  }
  SECTION("the signature covers decoded values however they were encoded") {
    const std::string plus_body = events_form(events_json, true);
    REQUIRE(plus_body != body);
    CHECK(read(Call{plus_body, signature}, settings).status == ReadStatus::kOk);
  }
  SECTION("a signature made with another key") {
    const std::string other =
        mandrill_signature("another-key", kRequestUrl, "mandrill_events" + events_json);
    const ProviderOutcome outcome = read(Call{body, other}, settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK(outcome.events.empty());
    CHECK_FALSE(outcome.message.empty());
  }
  SECTION("a body changed after signing") {
    std::string tampered_json = events_json;
    const std::size_t at = tampered_json.find("\"spam\"");
    REQUIRE(at != std::string::npos);
    tampered_json.replace(at, 6, "\"open\"");
    const ProviderOutcome outcome = read(Call{events_form(tampered_json), signature}, settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK(outcome.events.empty());
  }
  SECTION("no signature") {
    const ProviderOutcome outcome = read(Call{body, {}}, settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK(outcome.events.empty());
  }
  SECTION("a signature for another URL") {
    const ProviderOutcome outcome =
        read(Call{body, signature, kRequestUrl.substr(0, 40)}, settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
  }
  SECTION("every POST parameter is signed in name order") {
    const std::string with_extra = "z_last=9&" + body + "&a_first=1";
    const std::string signed_params = "a_first1mandrill_events" + events_json + "z_last9";
    CHECK(read(Call{with_extra, mandrill_signature(kWebhookKey, kRequestUrl, signed_params)},
               settings)
              .status == ReadStatus::kOk);
    // The signature of the parameters in body order does not pass.
    const std::string body_order = "z_last9mandrill_events" + events_json + "a_first1";
    CHECK(read(Call{with_extra, mandrill_signature(kWebhookKey, kRequestUrl, body_order)}, settings)
              .status == ReadStatus::kInvalidSignature);
  }
  SECTION("a bad signature refuses even a body that is not Mandrill's") {
    CHECK(read(Call{"not a form", "c2lnbmF0dXJl"}, settings).status ==
          ReadStatus::kInvalidSignature);
  }
}

TEST_CASE("Mandrill signatures use the configured webhook URL", "[inbound][mandrill]") {
  constexpr std::string_view kEnteredUrl = "https://hooks.example.com/mandrill/?source=main";
  config::EmailSettings settings;
  settings.webhook_key = std::string(kWebhookKey);
  settings.webhook_url = std::string(kEnteredUrl);
  const std::string events_json = R"([{"event": "open", "ts": 1709643600, "msg": {"_id": "m1"}}])";
  const std::string body = events_form(events_json);
  const std::string params = "mandrill_events" + events_json;

  SECTION("signed with the URL entered in Mandrill") {
    const ProviderOutcome outcome =
        read(Call{body, mandrill_signature(kWebhookKey, kEnteredUrl, params)}, settings);
    CHECK(outcome.status == ReadStatus::kOk);
    CHECK(outcome.events.size() == 1);
  }
  SECTION("signed with the URL the request arrived on") {
    const ProviderOutcome outcome =
        read(Call{body, mandrill_signature(kWebhookKey, kRequestUrl, params)}, settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
  }
}

TEST_CASE("Mandrill requests are not checked without a webhook key", "[inbound][mandrill]") {
  const std::string body = events_form(mandrill_events_fixture());
  CHECK(read(Call{body, {}}).status == ReadStatus::kOk);
  CHECK(read(Call{body, "bm90IGEgc2lnbmF0dXJl"}).status == ReadStatus::kOk);
}

TEST_CASE("Mandrill's test request with no events is valid", "[inbound][mandrill]") {
  SECTION("unsigned") {
    const ProviderOutcome outcome = read(Call{"mandrill_events=%5B%5D", {}});
    CHECK(outcome.status == ReadStatus::kOk);
    CHECK(outcome.events.empty());
  }
  SECTION("signed") {
    config::EmailSettings settings;
    settings.webhook_key = std::string(kWebhookKey);
    const std::string signature = mandrill_signature(kWebhookKey, kRequestUrl, "mandrill_events[]");
    const ProviderOutcome outcome = read(Call{"mandrill_events=[]", signature}, settings);
    CHECK(outcome.status == ReadStatus::kOk);
    CHECK(outcome.events.empty());
  }
}

TEST_CASE("Mandrill's URL check signed with the generic key passes", "[inbound][mandrill]") {
  config::EmailSettings settings;
  settings.webhook_key = std::string(kWebhookKey);
  SECTION("with no events") {
    const std::string signature =
        mandrill_signature("test-webhook", kRequestUrl, "mandrill_events[]");
    const ProviderOutcome outcome = read(Call{"mandrill_events=%5B%5D", signature}, settings);
    CHECK(outcome.status == ReadStatus::kOk);
    CHECK(outcome.events.empty());
  }
  SECTION("but not with events") {
    const std::string events_json = mandrill_events_fixture();
    const std::string signature =
        mandrill_signature("test-webhook", kRequestUrl, "mandrill_events" + events_json);
    const ProviderOutcome outcome = read(Call{events_form(events_json), signature}, settings);
    CHECK(outcome.status == ReadStatus::kInvalidSignature);
    CHECK(outcome.events.empty());
  }
}

TEST_CASE("Mandrill refuses bodies that are not its form", "[inbound][mandrill]") {
  const auto check_refused = [](std::string_view body) {
    const ProviderOutcome outcome = read(Call{body, {}});
    CHECK(outcome.status == ReadStatus::kInvalidBody);
    CHECK(outcome.events.empty());
    CHECK_FALSE(outcome.message.empty());
  };
  SECTION("an empty body") {
    check_refused("");
  }
  SECTION("a JSON body instead of a form") {
    check_refused(mandrill_events_fixture());
  }
  SECTION("a form without mandrill_events") {
    check_refused("events=%5B%5D&type=test");
  }
  SECTION("mandrill_events without a value") {
    check_refused("mandrill_events=");
  }
  SECTION("mandrill_events that is not JSON") {
    check_refused("mandrill_events=open");
  }
  SECTION("mandrill_events that is an object") {
    check_refused(events_form(R"({"event": "open", "ts": 1709643600})"));
  }
  SECTION("an array with an item that is not an object") {
    check_refused(events_form(R"([{"event": "open", "ts": 1709643600}, "click"])"));
  }
}

TEST_CASE("Mandrill fields of the wrong type are ignored one by one", "[inbound][mandrill]") {
  SECTION("a message that is not an object") {
    const EmailEvent event =
        read_one(R"({"event": "click", "ts": "1709643662", "msg": "ada@example.com",
                     "url": "https://example.com/a", "_id": "m1"})");
    CHECK(event.kind == EmailEventKind::kLinkClicked);
    CHECK(event.recipient.empty());
    CHECK(event.user_id.empty());
    CHECK(event.email_id == "m1");
    CHECK(event.link_url == "https://example.com/a");
    CHECK(event.timestamp_ms == 1709643662000);  // Unix seconds written as a string
  }
  SECTION("metadata that is not an object and an unreadable ts") {
    const EmailEvent event = read_one(R"({"event": "open", "ts": {"s": 1},
        "msg": {"_id": "m1", "email": "ada@example.com", "metadata": ["userId", "user-1001"]},
        "ip": null, "location": "Berlin"})");
    CHECK(event.kind == EmailEventKind::kOpened);
    CHECK(event.recipient == "ada@example.com");
    CHECK(event.user_id.empty());
    CHECK(event.ip.empty());
    CHECK(event.timestamp_ms == 0);
    CHECK_FALSE(event.event_id.empty());
  }
  SECTION("an item with no event name") {
    const EmailEvent event =
        read_one(R"({"type": "blacklist", "action": "add", "ts": 1709643600})");
    CHECK(event.kind == EmailEventKind::kUnmapped);
    CHECK(event.provider_event == "blacklist");
    CHECK_FALSE(event.event_id.empty());
  }
}

}  // namespace
}  // namespace sluice::inbound
