#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <simdjson.h>

#include "inbound/email_providers.hpp"
#include "inbound/provider_json.hpp"
#include "inbound/signatures.hpp"

namespace sluice::inbound {
namespace {

constexpr std::string_view kExpectedBody =
    "expected a JSON object with Mailgun's \"signature\" and \"event-data\"";

// The text at a JSON pointer below object; empty when absent or not a string or number.
std::string text_at(simdjson::dom::object object, std::string_view pointer) {
  simdjson::dom::element element;
  if (object.at_pointer(pointer).get(element) != simdjson::SUCCESS) return {};
  return text_of(element);
}

// nullopt when body's signature object is Mailgun's, made recently; else what is wrong.
std::optional<std::string> signature_problem(simdjson::dom::object body,
                                             std::string_view signing_key, std::int64_t now_ms) {
  simdjson::dom::object signature;
  if (body.at_key("signature").get(signature) != simdjson::SUCCESS) {
    return "missing the \"signature\" object";
  }
  const std::string timestamp = text_member(signature, "timestamp");
  const std::string token = text_member(signature, "token");
  const std::string signature_hex = text_member(signature, "signature");
  if (timestamp.empty() || token.empty() || signature_hex.empty()) {
    return "the \"signature\" object lacks its timestamp, token or signature";
  }
  const std::optional<std::string> given = from_hex(signature_hex);
  if (!given) return "the signature is not hexadecimal";
  if (!equal_secrets(hmac_sha256(signing_key, timestamp + token), *given)) {
    return "the signature does not match the signing key";
  }
  // A valid signature is replayable: its age is what bounds how long a captured request works.
  const std::int64_t signed_at_ms = time_member_ms(signature, "timestamp");
  if (signed_at_ms == 0) return "the signature's timestamp is not Unix seconds";
  const std::int64_t skew_ms = now_ms - signed_at_ms;
  if (skew_ms > kMailgunSignatureMaxAgeMs) {
    return "stale signature: made " + std::to_string(skew_ms / 1000) + " s ago";
  }
  if (-skew_ms > kMailgunSignatureMaxAgeMs) {
    return "stale signature: its timestamp is " + std::to_string(-skew_ms / 1000) +
           " s ahead of this server's clock";
  }
  return std::nullopt;
}

// Mailgun reports every failure as "failed"; only a permanent one is a bounce, a temporary one
// is retried and may still be delivered.
EmailEventKind kind_of(std::string_view event, std::string_view severity) {
  if (event == "delivered") return EmailEventKind::kDelivered;
  if (event == "opened") return EmailEventKind::kOpened;
  if (event == "clicked") return EmailEventKind::kLinkClicked;
  if (event == "failed") {
    return severity == "permanent" ? EmailEventKind::kBounced : EmailEventKind::kUnmapped;
  }
  if (event == "complained") return EmailEventKind::kMarkedAsSpam;
  if (event == "unsubscribed") return EmailEventKind::kUnsubscribe;
  return EmailEventKind::kUnmapped;
}

// The receiving server's words say most; Mailgun's own description and its one-word reason
// ("bounce", "suppress-bounce", "generic") come after.
std::string failure_reason(simdjson::dom::object event_data) {
  for (std::string_view pointer :
       {"/delivery-status/message", "/delivery-status/description", "/reason"}) {
    if (std::string reason = text_at(event_data, pointer); !reason.empty()) return reason;
  }
  return {};
}

void read_failure(simdjson::dom::object event_data, EmailEvent& event) {
  if (event.provider_event == "failed") {
    event.reason = failure_reason(event_data);
    event.bounce_type = text_member(event_data, "severity");
  } else if (event.provider_event == "rejected") {
    event.reason = text_at(event_data, "/reject/reason");
  }
}

void read_user_id(simdjson::dom::object event_data, std::string_view user_id_field,
                  EmailEvent& event) {
  if (user_id_field.empty()) return;
  simdjson::dom::object variables;
  if (event_data.at_key("user-variables").get(variables) != simdjson::SUCCESS) return;
  event.user_id = text_member(variables, user_id_field);
}

void read_campaign(simdjson::dom::object event_data, EmailEvent& event) {
  simdjson::dom::array campaigns;
  if (event_data.at_key("campaigns").get(campaigns) != simdjson::SUCCESS) return;
  simdjson::dom::object first;
  if (campaigns.at(0).get(first) != simdjson::SUCCESS) return;
  event.campaign_id = text_member(first, "id");
  event.campaign_name = text_member(first, "name");
}

// Mailgun gives every event an id; this covers a relay that drops it. A resent event must keep
// its id, so the id is a digest of what tells this event from the message's others.
std::string derived_event_id(const EmailEvent& event, std::string_view timestamp_text) {
  return inbound::derived_event_id("mailgun", {event.email_id, event.provider_event, timestamp_text,
                                               event.recipient, event.link_url});
}

EmailEvent read_event(simdjson::dom::object event_data, const config::EmailSettings& settings) {
  EmailEvent event;
  event.provider_event = text_member(event_data, "event");
  event.kind = kind_of(event.provider_event, text_member(event_data, "severity"));
  event.timestamp_ms = time_member_ms(event_data, "timestamp");
  event.recipient = text_member(event_data, "recipient");
  event.email_id = text_at(event_data, "/message/headers/message-id");
  event.email_subject = text_at(event_data, "/message/headers/subject");
  event.link_url = text_member(event_data, "url");
  event.ip = text_member(event_data, "ip");
  event.user_agent = text_at(event_data, "/client-info/user-agent");
  if (event.provider_event == "unsubscribed") {
    event.list_id = text_at(event_data, "/mailing-list/address");
  }
  read_failure(event_data, event);
  read_user_id(event_data, settings.user_id_field, event);
  read_campaign(event_data, event);
  event.event_id = text_member(event_data, "id");
  if (event.event_id.empty()) {
    event.event_id = derived_event_id(event, text_member(event_data, "timestamp"));
  }
  return event;
}

}  // namespace

ProviderOutcome read_mailgun(const WebhookRequest& request, const config::EmailSettings& settings) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(request.body);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
    return ProviderOutcome::invalid_body("the body is not JSON: " + std::string(kExpectedBody));
  }
  simdjson::dom::object body;
  if (root.get_object().get(body) != simdjson::SUCCESS) {
    return ProviderOutcome::invalid_body(std::string(kExpectedBody));
  }

  // The signature lives in the body, so the body must be read first; nothing of event-data is
  // looked at before the signature holds.
  if (!settings.signing_key.empty()) {
    if (std::optional<std::string> problem =
            signature_problem(body, settings.signing_key, request.now_ms)) {
      return ProviderOutcome::invalid_signature(std::move(*problem));
    }
  }

  simdjson::dom::object event_data;
  if (body.at_key("event-data").get(event_data) != simdjson::SUCCESS) {
    return ProviderOutcome::invalid_body("\"event-data\" is missing or not a JSON object");
  }
  EmailEvent event = read_event(event_data, settings);
  if (event.provider_event.empty()) {
    return ProviderOutcome::invalid_body("\"event-data\" has no \"event\" name");
  }
  ProviderOutcome outcome;
  outcome.events.push_back(std::move(event));
  return outcome;
}

}  // namespace sluice::inbound
