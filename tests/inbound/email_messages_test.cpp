#include "inbound/email_messages.hpp"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "inbound/name_uuid.hpp"

namespace sluice::inbound {
namespace {

EmailEvent click() {
  EmailEvent event;
  event.kind = EmailEventKind::kLinkClicked;
  event.provider_event = "click";
  event.event_id = "evt-1";
  event.timestamp_ms = 1'700'000'000'123;
  event.recipient = "Jane@Example.com";
  event.email_id = "msg-9";
  event.link_url = "https://shop.example.com/";
  event.ip = "203.0.113.7";
  event.user_agent = "Mozilla/5.0";
  return event;
}

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::element element;
  REQUIRE(parser.parse(json).get(element) == simdjson::SUCCESS);
  return element;
}

}  // namespace

TEST_CASE("an email event becomes a track message in the email spec's terms", "[inbound]") {
  const EmailMessages out =
      email_messages({click()}, config::SourceKind::kSendgrid, config::EmailSettings{});
  REQUIRE(out.messages.size() == 1);
  simdjson::dom::parser parser;
  const auto message = parse(parser, out.messages[0]);
  CHECK(message["type"].get_string().value() == "track");
  CHECK(message["event"].get_string().value() == "Email Link Clicked");
  CHECK(message["messageId"].get_string().value() == "evt-1");
  CHECK(message["timestamp"].get_string().value() == "2023-11-14T22:13:20.123Z");
  // The lower-cased address names the recipient, whatever case the provider used.
  CHECK(message["anonymousId"].get_string().value() == name_uuid("jane@example.com"));
  CHECK(message["userId"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(message["properties"]["email_id"].get_string().value() == "msg-9");
  CHECK(message["properties"]["link_url"].get_string().value() == "https://shop.example.com/");
  CHECK(message["properties"]["provider_event"].get_string().value() == "click");
  CHECK(message["properties"]["reason"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(message["context"]["traits"]["email"].get_string().value() == "Jane@Example.com");
  CHECK(message["context"]["ip"].get_string().value() == "203.0.113.7");
  CHECK(message["context"]["userAgent"].get_string().value() == "Mozilla/5.0");
  CHECK(message["context"]["integration"]["name"].get_string().value() == "SendGrid");
}

TEST_CASE("a userId from the sender's metadata is kept beside the address's anonymousId",
          "[inbound]") {
  EmailEvent event = click();
  event.user_id = "user-42";
  const EmailMessages out =
      email_messages({event}, config::SourceKind::kPostmark, config::EmailSettings{});
  simdjson::dom::parser parser;
  const auto message = parse(parser, out.messages.at(0));
  CHECK(message["userId"].get_string().value() == "user-42");
  CHECK(message["anonymousId"].get_string().value() == name_uuid("jane@example.com"));
  CHECK(message["context"]["integration"]["name"].get_string().value() == "Postmark");
}

TEST_CASE("event_names renames an event of the six", "[inbound]") {
  EmailEvent event = click();
  event.kind = EmailEventKind::kUnsubscribe;
  config::EmailSettings settings;
  settings.event_names = {{"unsubscribe", "Unsubscribed"}};
  const EmailMessages out =
      email_messages({event, click()}, config::SourceKind::kMailgun, settings);
  REQUIRE(out.messages.size() == 2);
  simdjson::dom::parser parser;
  CHECK(parse(parser, out.messages[0])["event"].get_string().value() == "Unsubscribed");
  CHECK(parse(parser, out.messages[1])["event"].get_string().value() == "Email Link Clicked");
}

TEST_CASE("events that are none of the six are counted, and stored only when asked", "[inbound]") {
  EmailEvent deferred = click();
  deferred.kind = EmailEventKind::kUnmapped;
  deferred.provider_event = "deferred";
  config::EmailSettings settings;
  EmailMessages out = email_messages({deferred, click()}, config::SourceKind::kSendgrid, settings);
  CHECK(out.messages.size() == 1);
  CHECK(out.unmapped == 1);

  settings.store_unmapped = true;
  out = email_messages({deferred}, config::SourceKind::kSendgrid, settings);
  REQUIRE(out.messages.size() == 1);
  CHECK(out.unmapped == 0);
  simdjson::dom::parser parser;
  CHECK(parse(parser, out.messages[0])["event"].get_string().value() == "Email Deferred");
}

TEST_CASE("an event about no address still names someone", "[inbound]") {
  EmailEvent event = click();
  event.recipient.clear();
  const EmailMessages out =
      email_messages({event}, config::SourceKind::kMandrill, config::EmailSettings{});
  simdjson::dom::parser parser;
  const auto message = parse(parser, out.messages.at(0));
  CHECK(message["anonymousId"].get_string().value() == name_uuid("email-event:evt-1"));
  CHECK(message["context"]["traits"].error() == simdjson::NO_SUCH_FIELD);
}

}  // namespace sluice::inbound
