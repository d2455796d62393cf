#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "api/auth.hpp"
#include "api/base64.hpp"
#include "inbound/email_providers.hpp"
#include "inbound/provider_json.hpp"
#include "inbound/signatures.hpp"

namespace sluice::inbound {
namespace {

struct FormField {
  std::string name;
  std::string value;
};

// An application/x-www-form-urlencoded body, names and values percent-decoded, sorted by name
// as Mandrill's signature needs them (stable, so repeated names keep their order).
std::vector<FormField> sorted_form_fields(std::string_view body) {
  std::vector<FormField> fields;
  while (!body.empty()) {
    const std::size_t end = body.find('&');
    const std::string_view pair = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view{} : body.substr(end + 1);
    if (pair.empty()) continue;
    const std::size_t equals = pair.find('=');
    std::string value = equals == std::string_view::npos
                            ? std::string{}
                            : api::percent_decode(pair.substr(equals + 1));
    fields.push_back(FormField{api::percent_decode(pair.substr(0, equals)), std::move(value)});
  }
  std::stable_sort(fields.begin(), fields.end(),
                   [](const FormField& a, const FormField& b) { return a.name < b.name; });
  return fields;
}

const FormField* find_field(const std::vector<FormField>& fields, std::string_view name) {
  const auto found = std::find_if(fields.begin(), fields.end(),
                                  [name](const FormField& field) { return field.name == name; });
  return found == fields.end() ? nullptr : &*found;
}

// Mandrill signs the webhook URL exactly as entered in Mandrill, followed by each POST
// parameter's name and value with no separator.
std::string signature_of(std::string_view key, std::string_view url,
                         const std::vector<FormField>& sorted_fields) {
  std::string text(url);
  for (const FormField& field : sorted_fields) {
    text += field.name;
    text += field.value;
  }
  return api::encode_base64(hmac_sha1(key, text));
}

// Before a new webhook exists, and so before it has a key, Mandrill may check its URL with a
// POST of no events signed with this generic key. Carrying nothing to store, it may pass.
constexpr std::string_view kCreationCheckKey = "test-webhook";

bool is_creation_check(std::string_view signature, std::string_view url,
                       const std::vector<FormField>& sorted_fields) {
  const FormField* events = find_field(sorted_fields, "mandrill_events");
  return events != nullptr && events->value == "[]" &&
         equal_secrets(signature_of(kCreationCheckKey, url, sorted_fields), signature);
}

std::optional<std::string> signature_problem(const WebhookRequest& request,
                                             const config::EmailSettings& settings,
                                             const std::vector<FormField>& sorted_fields) {
  const std::string_view signature = request.header_value("X-Mandrill-Signature");
  if (signature.empty()) return "missing X-Mandrill-Signature";
  // Behind a proxy the URL this server sees is not the one Mandrill called: webhook_url says.
  const std::string_view url =
      settings.webhook_url.empty() ? request.url : std::string_view(settings.webhook_url);
  if (equal_secrets(signature_of(settings.webhook_key, url, sorted_fields), signature) ||
      is_creation_check(signature, url, sorted_fields)) {
    return std::nullopt;
  }
  return "X-Mandrill-Signature does not match the webhook key and URL";
}

EmailEventKind kind_of(std::string_view event_name) {
  // "delivered" is recent; older accounts only report "send", which means Mandrill sent the
  // message, not that the receiving server took it.
  if (event_name == "delivered") return EmailEventKind::kDelivered;
  if (event_name == "open") return EmailEventKind::kOpened;
  if (event_name == "click") return EmailEventKind::kLinkClicked;
  if (event_name == "hard_bounce") return EmailEventKind::kBounced;
  if (event_name == "spam") return EmailEventKind::kMarkedAsSpam;
  if (event_name == "unsub") return EmailEventKind::kUnsubscribe;
  return EmailEventKind::kUnmapped;
}

std::optional<simdjson::dom::object> object_member(simdjson::dom::object object,
                                                   std::string_view key) {
  simdjson::dom::object inner;
  if (object.at_key(key).get_object().get(inner) != simdjson::SUCCESS) return std::nullopt;
  return inner;
}

std::string text_in(const std::optional<simdjson::dom::object>& object, std::string_view key) {
  return object ? text_member(*object, key) : std::string{};
}

// An event's _id is its message's id, the same for the message's send, opens and clicks, so
// it cannot tell events apart alone: the id adds what does.
std::string event_id_of(simdjson::dom::object item, const EmailEvent& event) {
  std::string id = text_member(item, "_id");
  if (id.empty()) id = event.email_id;
  const std::string time = text_member(item, "ts");
  return derived_event_id("mandrill", {id, event.provider_event, time, event.link_url});
}

void read_bounce(const std::optional<simdjson::dom::object>& message, EmailEvent& event) {
  event.bounce_type = event.provider_event == "hard_bounce" ? "hard" : "soft";
  // bounce_description is Mandrill's classification ("bad_mailbox"); diag, the server's answer.
  event.reason = text_in(message, "bounce_description");
  if (event.reason.empty()) event.reason = text_in(message, "diag");
}

EmailEvent read_event(simdjson::dom::object item, std::string_view user_id_field) {
  EmailEvent event;
  event.provider_event = text_member(item, "event");
  // Allowlist and denylist sync events name themselves by "type" and carry no message.
  if (event.provider_event.empty()) event.provider_event = text_member(item, "type");
  event.kind = kind_of(event.provider_event);
  event.timestamp_ms = time_member_ms(item, "ts");

  const std::optional<simdjson::dom::object> message = object_member(item, "msg");
  event.recipient = text_in(message, "email");
  event.email_id = text_in(message, "_id");
  if (event.email_id.empty()) event.email_id = text_member(item, "_id");
  event.email_subject = text_in(message, "subject");
  if (message) event.user_id = text_in(object_member(*message, "metadata"), user_id_field);

  event.link_url = text_member(item, "url");
  event.ip = text_member(item, "ip");
  event.user_agent = text_member(item, "user_agent");
  if (event.provider_event == "hard_bounce" || event.provider_event == "soft_bounce") {
    read_bounce(message, event);
  }
  event.event_id = event_id_of(item, event);
  return event;
}

ProviderOutcome read_events(std::string_view events_json, std::string_view user_id_field) {
  if (events_json.empty()) return ProviderOutcome::invalid_body("mandrill_events is empty");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(events_json.data(), events_json.size()).get(root) != simdjson::SUCCESS) {
    return ProviderOutcome::invalid_body("mandrill_events is not JSON");
  }
  simdjson::dom::array items;
  if (root.get_array().get(items) != simdjson::SUCCESS) {
    return ProviderOutcome::invalid_body("mandrill_events is not a JSON array");
  }
  ProviderOutcome outcome;
  std::size_t index = 0;
  for (const simdjson::dom::element element : items) {
    simdjson::dom::object item;
    if (element.get_object().get(item) != simdjson::SUCCESS) {
      return ProviderOutcome::invalid_body("mandrill_events[" + std::to_string(index) +
                                           "] is not a JSON object");
    }
    outcome.events.push_back(read_event(item, user_id_field));
    ++index;
  }
  return outcome;
}

}  // namespace

ProviderOutcome read_mandrill(const WebhookRequest& request,
                              const config::EmailSettings& settings) {
  const std::vector<FormField> fields = sorted_form_fields(request.body);
  if (!settings.webhook_key.empty()) {
    if (std::optional<std::string> problem = signature_problem(request, settings, fields)) {
      return ProviderOutcome::invalid_signature(std::move(*problem));
    }
  }
  const FormField* events = find_field(fields, "mandrill_events");
  if (events == nullptr) {
    return ProviderOutcome::invalid_body("the form has no mandrill_events parameter");
  }
  // Mandrill's test request on webhook creation is mandrill_events=[]: valid, and no events.
  return read_events(events->value, settings.user_id_field);
}

}  // namespace sluice::inbound
