#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <simdjson.h>

#include "api/base64.hpp"
#include "inbound/email_providers.hpp"
#include "inbound/provider_json.hpp"
#include "inbound/signatures.hpp"

namespace sluice::inbound {
namespace {

constexpr std::string_view kSignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
constexpr std::string_view kTimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";
constexpr std::string_view kExpectedBody = "expected a JSON array of SendGrid events";

// nullopt when the request carries SendGrid's signature of its body; else what is wrong.
std::optional<std::string> signature_problem(const WebhookRequest& request,
                                             std::string_view verification_key) {
  const std::optional<std::string> public_key_der = api::decode_base64(verification_key);
  if (!public_key_der) return "the source's verification_key is not base64";
  const std::string_view signature_text = request.header_value(kSignatureHeader);
  if (signature_text.empty()) return "missing header " + std::string(kSignatureHeader);
  const std::string_view timestamp = request.header_value(kTimestampHeader);
  if (timestamp.empty()) return "missing header " + std::string(kTimestampHeader);
  const std::optional<std::string> signature = api::decode_base64(signature_text);
  if (!signature) return std::string(kSignatureHeader) + " is not base64";

  std::string signed_payload;
  signed_payload.reserve(timestamp.size() + request.body.size());
  signed_payload.append(timestamp).append(request.body);
  if (!verify_ecdsa_sha256(*public_key_der, signed_payload, *signature)) {
    return "the signature does not match the body and the verification key";
  }
  return std::nullopt;
}

// "bounce" covers both bounces and blocks (a receiving server refusing for a reason that may
// pass, such as its reputation rules); only real bounces are the email spec's Email Bounced.
EmailEventKind kind_of(std::string_view event, std::string_view bounce_type) {
  if (event == "delivered") return EmailEventKind::kDelivered;
  if (event == "open") return EmailEventKind::kOpened;
  if (event == "click") return EmailEventKind::kLinkClicked;
  if (event == "bounce") {
    return bounce_type == "blocked" ? EmailEventKind::kUnmapped : EmailEventKind::kBounced;
  }
  if (event == "spamreport") return EmailEventKind::kMarkedAsSpam;
  if (event == "unsubscribe" || event == "group_unsubscribe") return EmailEventKind::kUnsubscribe;
  return EmailEventKind::kUnmapped;
}

// Marketing Campaigns name their campaigns in pairs of members; the first pair present wins.
void read_campaign(simdjson::dom::object object, EmailEvent& event) {
  static constexpr std::pair<std::string_view, std::string_view> kCampaignMembers[] = {
      {"campaign_id", "campaign_name"},
      {"singlesend_id", "singlesend_name"},
      {"marketing_campaign_id", "marketing_campaign_name"},
  };
  for (const auto& [id_key, name_key] : kCampaignMembers) {
    std::string id = text_member(object, id_key);
    std::string name = text_member(object, name_key);
    if (id.empty() && name.empty()) continue;
    event.campaign_id = std::move(id);
    event.campaign_name = std::move(name);
    return;
  }
}

// SendGrid gives every event an sg_event_id; this covers a relay that drops it. A resent event
// must keep its id, so the id is a digest of what tells this event from the message's others.
std::string derived_event_id(const EmailEvent& event, std::string_view timestamp_text) {
  return inbound::derived_event_id("sendgrid", {event.email_id, event.provider_event,
                                                timestamp_text, event.recipient, event.link_url});
}

EmailEvent read_event(simdjson::dom::object object, const config::EmailSettings& settings) {
  EmailEvent event;
  event.provider_event = text_member(object, "event");
  const std::string type = text_member(object, "type");
  event.kind = kind_of(event.provider_event, type);
  event.timestamp_ms = time_member_ms(object, "timestamp");
  event.recipient = text_member(object, "email");
  event.email_id = text_member(object, "sg_message_id");
  event.link_url = text_member(object, "url");
  event.ip = text_member(object, "ip");
  event.user_agent = text_member(object, "useragent");
  event.reason = text_member(object, "reason");
  // A deferral says why only in the receiving server's response.
  if (event.reason.empty() && event.provider_event == "deferred") {
    event.reason = text_member(object, "response");
  }
  if (event.provider_event == "bounce") event.bounce_type = type;
  if (event.provider_event == "group_unsubscribe") {
    event.list_id = text_member(object, "asm_group_id");
  }
  // Custom arguments arrive as top-level members of each event.
  if (!settings.user_id_field.empty()) event.user_id = text_member(object, settings.user_id_field);
  read_campaign(object, event);
  event.event_id = text_member(object, "sg_event_id");
  if (event.event_id.empty()) {
    event.event_id = derived_event_id(event, text_member(object, "timestamp"));
  }
  return event;
}

}  // namespace

ProviderOutcome read_sendgrid(const WebhookRequest& request,
                              const config::EmailSettings& settings) {
  if (!settings.verification_key.empty()) {
    if (std::optional<std::string> problem =
            signature_problem(request, settings.verification_key)) {
      return ProviderOutcome::invalid_signature(std::move(*problem));
    }
  }

  simdjson::dom::parser parser;
  const simdjson::padded_string padded(request.body);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) {
    return ProviderOutcome::invalid_body("the body is not JSON: " + std::string(kExpectedBody));
  }
  simdjson::dom::array items;
  if (root.get_array().get(items) != simdjson::SUCCESS) {
    return ProviderOutcome::invalid_body(std::string(kExpectedBody));
  }

  ProviderOutcome outcome;
  outcome.events.reserve(items.size());
  std::size_t index = 0;
  for (simdjson::dom::element item : items) {
    simdjson::dom::object object;
    if (item.get_object().get(object) != simdjson::SUCCESS) {
      return ProviderOutcome::invalid_body("SendGrid event " + std::to_string(index) +
                                           " is not a JSON object");
    }
    EmailEvent event = read_event(object, settings);
    if (event.provider_event.empty()) {
      return ProviderOutcome::invalid_body("SendGrid event " + std::to_string(index) +
                                           " has no \"event\" name");
    }
    outcome.events.push_back(std::move(event));
    ++index;
  }
  return outcome;
}

}  // namespace sluice::inbound
