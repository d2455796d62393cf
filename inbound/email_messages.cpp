#include "inbound/email_messages.hpp"

#include <array>
#include <cctype>
#include <utility>

#include "api/json_writer.hpp"
#include "api/timestamp.hpp"
#include "inbound/name_uuid.hpp"

namespace sluice::inbound {
namespace {

std::string lower_case(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "Email Deferred" for SendGrid's "deferred": the provider's name with its first letter raised.
std::string unmapped_event_name(std::string_view provider_event) {
  std::string name = "Email ";
  name += provider_event;
  if (name.size() > 6) {
    name[6] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[6])));
  }
  return name;
}

std::string event_name(const EmailEvent& event, const config::EmailSettings& settings) {
  if (event.kind == EmailEventKind::kUnmapped) return unmapped_event_name(event.provider_event);
  const auto renamed = settings.event_names.find(std::string(event_name_key(event.kind)));
  if (renamed != settings.event_names.end()) return renamed->second;
  return std::string(spec_event_name(event.kind));
}

void optional_member(api::JsonWriter& json, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  json.key(key);
  json.string(value);
}

void write_properties(api::JsonWriter& json, const EmailEvent& event) {
  json.key("properties");
  json.begin_object();
  const std::array<std::pair<std::string_view, const std::string*>, 8> spec{{
      {"email_id", &event.email_id},
      {"email_subject", &event.email_subject},
      {"campaign_id", &event.campaign_id},
      {"campaign_name", &event.campaign_name},
      {"link_url", &event.link_url},
      {"list_id", &event.list_id},
      {"reason", &event.reason},
      {"bounce_type", &event.bounce_type},
  }};
  for (const auto& [key, value] : spec) optional_member(json, key, *value);
  optional_member(json, "provider_event", event.provider_event);
  json.end_object();
}

void write_context(api::JsonWriter& json, const EmailEvent& event, config::SourceKind provider) {
  json.key("context");
  json.begin_object();
  if (!event.recipient.empty()) {
    json.key("traits");
    json.begin_object();
    json.key("email");
    json.string(event.recipient);
    json.end_object();
  }
  optional_member(json, "ip", event.ip);
  optional_member(json, "userAgent", event.user_agent);
  json.key("integration");
  json.begin_object();
  json.key("name");
  json.string(provider_name(provider));
  json.end_object();
  json.end_object();
}

std::string message_of(const EmailEvent& event, config::SourceKind provider,
                       const config::EmailSettings& settings) {
  api::JsonWriter json;
  json.begin_object();
  json.key("type");
  json.string("track");
  json.key("event");
  json.string(event_name(event, settings));
  json.key("messageId");
  json.string(event.event_id);
  if (event.timestamp_ms > 0) {
    json.key("timestamp");
    json.string(api::format_timestamp(event.timestamp_ms));
  }
  if (!event.user_id.empty()) {
    json.key("userId");
    json.string(event.user_id);
  }
  // Always an anonymousId when there is an address, so the recipient's events join up before
  // and after the sender starts passing a userId. Without one (an event about no recipient),
  // the event's own id stands in: a track message needs one or the other.
  if (!event.recipient.empty() || event.user_id.empty()) {
    json.key("anonymousId");
    json.string(name_uuid(event.recipient.empty() ? "email-event:" + event.event_id
                                                  : lower_case(event.recipient)));
  }
  write_properties(json, event);
  write_context(json, event, provider);
  json.end_object();
  return json.take();
}

}  // namespace

std::string_view spec_event_name(EmailEventKind kind) {
  switch (kind) {
    case EmailEventKind::kDelivered:
      return "Email Delivered";
    case EmailEventKind::kOpened:
      return "Email Opened";
    case EmailEventKind::kLinkClicked:
      return "Email Link Clicked";
    case EmailEventKind::kBounced:
      return "Email Bounced";
    case EmailEventKind::kMarkedAsSpam:
      return "Email Marked as Spam";
    case EmailEventKind::kUnsubscribe:
      return "Unsubscribe";
    case EmailEventKind::kUnmapped:
      break;
  }
  return {};
}

std::string_view event_name_key(EmailEventKind kind) {
  switch (kind) {
    case EmailEventKind::kDelivered:
      return "delivered";
    case EmailEventKind::kOpened:
      return "opened";
    case EmailEventKind::kLinkClicked:
      return "link_clicked";
    case EmailEventKind::kBounced:
      return "bounced";
    case EmailEventKind::kMarkedAsSpam:
      return "marked_as_spam";
    case EmailEventKind::kUnsubscribe:
      return "unsubscribe";
    case EmailEventKind::kUnmapped:
      break;
  }
  return {};
}

std::string_view provider_name(config::SourceKind provider) {
  switch (provider) {
    case config::SourceKind::kSendgrid:
      return "SendGrid";
    case config::SourceKind::kMailgun:
      return "Mailgun";
    case config::SourceKind::kPostmark:
      return "Postmark";
    case config::SourceKind::kMandrill:
      return "Mandrill";
    case config::SourceKind::kTracking:
    case config::SourceKind::kWebhook:
      break;
  }
  return "webhook";
}

EmailMessages email_messages(const std::vector<EmailEvent>& events, config::SourceKind provider,
                             const config::EmailSettings& settings) {
  EmailMessages out;
  out.messages.reserve(events.size());
  for (const EmailEvent& event : events) {
    if (event.kind == EmailEventKind::kUnmapped && !settings.store_unmapped) {
      ++out.unmapped;
      continue;
    }
    out.messages.push_back(message_of(event, provider, settings));
  }
  return out;
}

}  // namespace sluice::inbound
