#include <array>
#include <cctype>
#include <cstdint>
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

std::string_view trim_spaces(std::string_view text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const std::size_t last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const auto a = static_cast<unsigned char>(text[i]);
    const auto b = static_cast<unsigned char>(prefix[i]);
    if (std::tolower(a) != std::tolower(b)) return false;
  }
  return true;
}

// The whole decoded "user:password" of an `Authorization: Basic ...` header; nullopt for
// another scheme or credentials that are not base64.
std::optional<std::string> basic_credentials(std::string_view authorization) {
  constexpr std::string_view kScheme = "basic ";
  const std::string_view header = trim_spaces(authorization);
  if (!starts_with_ignoring_case(header, kScheme)) return std::nullopt;
  return api::decode_base64(trim_spaces(header.substr(kScheme.size())));
}

// Postmark signs nothing: the user and password written into the webhook URL come back as
// Basic credentials, and they are the only proof a request is Postmark's.
std::optional<std::string> credentials_problem(const WebhookRequest& request,
                                               std::string_view expected) {
  const std::string_view authorization = request.header_value("Authorization");
  const std::optional<std::string> credentials = basic_credentials(authorization);
  if (!credentials) return "missing Basic credentials";
  if (!equal_secrets(*credentials, expected)) return "wrong Basic credentials";
  return std::nullopt;
}

// Postmark's permanent bounce types: the address itself cannot take mail. Soft bounces,
// delays, DNS errors, auto-replies and Postmark's own refusals (ManuallyDeactivated, for an
// address already suppressed) say nothing new about the address, so they stay unmapped.
bool is_permanent_bounce(std::string_view type) {
  return type == "HardBounce" || type == "BadEmailAddress";
}

// A suppression change is the recipient's own unsubscribe only when its reason is a manual
// suppression (the unsubscribe link or List-Unsubscribe); the other reasons repeat a bounce or
// a complaint already reported by its own record, and a reactivation undoes one.
bool is_unsubscribe(simdjson::dom::object record) {
  bool suppressed = false;
  if (record["SuppressSending"].get_bool().get(suppressed) != simdjson::SUCCESS) return false;
  return suppressed && text_member(record, "SuppressionReason") == "ManualSuppression";
}

EmailEventKind kind_of(std::string_view record_type, simdjson::dom::object record) {
  if (record_type == "Delivery") return EmailEventKind::kDelivered;
  if (record_type == "Open") return EmailEventKind::kOpened;
  if (record_type == "Click") return EmailEventKind::kLinkClicked;
  if (record_type == "SpamComplaint") return EmailEventKind::kMarkedAsSpam;
  if (record_type == "Bounce") {
    return is_permanent_bounce(text_member(record, "Type")) ? EmailEventKind::kBounced
                                                            : EmailEventKind::kUnmapped;
  }
  if (record_type == "SubscriptionChange") {
    return is_unsubscribe(record) ? EmailEventKind::kUnsubscribe : EmailEventKind::kUnmapped;
  }
  return EmailEventKind::kUnmapped;
}

struct EventTime {
  std::string text;  // as Postmark wrote it, part of the derived event id
  std::int64_t ms = 0;
};

// Each record type names its time differently; a record carries only one of these.
EventTime event_time(simdjson::dom::object record) {
  constexpr std::array<std::string_view, 4> kTimeKeys = {"DeliveredAt", "ReceivedAt", "BouncedAt",
                                                         "ChangedAt"};
  for (const std::string_view key : kTimeKeys) {
    simdjson::dom::element element;
    if (record.at_key(key).get(element) == simdjson::SUCCESS && element.is_string()) {
      return EventTime{text_of(element), time_of_ms(element)};
    }
  }
  return {};
}

// The text at record[outer][key], for the Metadata and Geo objects.
std::string nested_text(simdjson::dom::object record, std::string_view outer,
                        std::string_view key) {
  simdjson::dom::object inner;
  if (record.at_key(outer).get_object().get(inner) != simdjson::SUCCESS) return {};
  return text_member(inner, key);
}

std::string reason_of(std::string_view record_type, simdjson::dom::object record) {
  if (record_type == "SubscriptionChange") return text_member(record, "SuppressionReason");
  if (record_type != "Bounce") return {};
  // Details is the receiving server's own answer; Description only explains the bounce type.
  std::string details = text_member(record, "Details");
  return details.empty() ? text_member(record, "Description") : details;
}

// Bounce and spam complaint records have Postmark's id; the others have none, so the id is
// a digest of what tells one record from another, and a resent record gets the same one.
std::string event_id_of(simdjson::dom::object record, std::string_view record_type,
                        std::string_view time_text, const EmailEvent& event) {
  if (std::string id = text_member(record, "ID"); !id.empty()) return id;
  return derived_event_id(
      "postmark", {record_type, event.email_id, event.recipient, time_text, event.link_url});
}

EmailEvent read_record(std::string_view record_type, simdjson::dom::object record,
                       std::string_view user_id_field) {
  EmailEvent event;
  event.kind = kind_of(record_type, record);
  event.provider_event = std::string(record_type);
  const EventTime time = event_time(record);
  event.timestamp_ms = time.ms;
  // Delivery, Open, Click and SubscriptionChange say Recipient; Bounce and SpamComplaint, Email.
  event.recipient = text_member(record, "Recipient");
  if (event.recipient.empty()) event.recipient = text_member(record, "Email");
  event.user_id = nested_text(record, "Metadata", user_id_field);
  event.email_id = text_member(record, "MessageID");
  event.email_subject = text_member(record, "Subject");
  // The Tag is how Postmark senders group the messages of one mailing.
  event.campaign_name = text_member(record, "Tag");
  event.link_url = text_member(record, "OriginalLink");
  // Suppressions are kept per message stream: the stream is the list left.
  if (event.kind == EmailEventKind::kUnsubscribe) {
    event.list_id = text_member(record, "MessageStream");
  }
  event.reason = reason_of(record_type, record);
  if (record_type == "Bounce") event.bounce_type = text_member(record, "Type");
  event.ip = nested_text(record, "Geo", "IP");
  event.user_agent = text_member(record, "UserAgent");
  event.event_id = event_id_of(record, record_type, time.text, event);
  return event;
}

}  // namespace

ProviderOutcome read_postmark(const WebhookRequest& request,
                              const config::EmailSettings& settings) {
  if (!settings.basic_auth.empty()) {
    if (std::optional<std::string> problem = credentials_problem(request, settings.basic_auth)) {
      return ProviderOutcome::invalid_signature(std::move(*problem));
    }
  }
  if (request.body.empty()) return ProviderOutcome::invalid_body("the body is empty");

  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(request.body.data(), request.body.size()).get(root) != simdjson::SUCCESS) {
    return ProviderOutcome::invalid_body("the body is not JSON");
  }
  simdjson::dom::object record;
  if (root.get_object().get(record) != simdjson::SUCCESS) {
    return ProviderOutcome::invalid_body("a Postmark webhook body is one JSON object");
  }
  std::string_view record_type;
  if (record["RecordType"].get_string().get(record_type) != simdjson::SUCCESS) {
    return ProviderOutcome::invalid_body("the body has no RecordType string");
  }

  ProviderOutcome outcome;
  outcome.events.push_back(read_record(record_type, record, settings.user_id_field));
  return outcome;
}

}  // namespace sluice::inbound
