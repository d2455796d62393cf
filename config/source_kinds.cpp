#include "config/source_kinds.hpp"

#include <array>
#include <utility>

namespace sluice::config {
namespace {

struct KindName {
  SourceKind kind;
  std::string_view name;
};

constexpr std::array<KindName, 6> kKindNames{{
    {SourceKind::kTracking, "tracking"},
    {SourceKind::kSendgrid, "sendgrid"},
    {SourceKind::kMailgun, "mailgun"},
    {SourceKind::kPostmark, "postmark"},
    {SourceKind::kMandrill, "mandrill"},
    {SourceKind::kWebhook, "webhook"},
}};

// A credential and the one provider that reads it.
struct Credential {
  std::string_view setting;
  std::string EmailSettings::*member;
  SourceKind owner;
};

constexpr std::array<Credential, 5> kCredentials{{
    {"verification_key", &EmailSettings::verification_key, SourceKind::kSendgrid},
    {"signing_key", &EmailSettings::signing_key, SourceKind::kMailgun},
    {"webhook_key", &EmailSettings::webhook_key, SourceKind::kMandrill},
    {"webhook_url", &EmailSettings::webhook_url, SourceKind::kMandrill},
    {"basic_auth", &EmailSettings::basic_auth, SourceKind::kPostmark},
}};

std::string belongs_to(std::string_view setting, std::string_view kinds) {
  return "settings." + std::string(setting) + " is a setting of " + std::string(kinds) +
         " sources only";
}

void check_email(SourceKind kind, const EmailSettings& email, std::vector<std::string>& out) {
  const EmailSettings defaults;
  if (!is_email_provider(kind)) {
    constexpr std::string_view kProviders =
        "email provider (sendgrid, mailgun, postmark, mandrill)";
    if (email.user_id_field != defaults.user_id_field) {
      out.push_back(belongs_to("user_id_field", kProviders));
    }
    if (!email.event_names.empty()) out.push_back(belongs_to("event_names", kProviders));
    if (email.store_unmapped) out.push_back(belongs_to("store_unmapped", kProviders));
  }
  for (const Credential& credential : kCredentials) {
    if (kind != credential.owner && !(email.*credential.member).empty()) {
      out.push_back(belongs_to(credential.setting,
                               "kind \"" + std::string(to_string(credential.owner)) + "\""));
    }
  }
}

void check_webhook(SourceKind kind, const WebhookItemSettings& webhook,
                   std::vector<std::string>& out) {
  const std::array<std::pair<std::string_view, bool>, 8> given{{
      {"items", !webhook.items.empty()},
      {"event", !webhook.event.empty()},
      {"event_name", !webhook.event_name.empty()},
      {"user_id", !webhook.user_id.empty()},
      {"timestamp", !webhook.timestamp.empty()},
      {"message_id", !webhook.message_id.empty()},
      {"properties", !webhook.properties.empty()},
      {"hmac", webhook.hmac.has_value()},
  }};
  if (kind != SourceKind::kWebhook) {
    for (const auto& [setting, set] : given) {
      if (set) out.push_back(belongs_to(setting, "kind \"webhook\""));
    }
    return;
  }
  if (webhook.event.empty() && webhook.event_name.empty()) {
    out.emplace_back(
        "a webhook source needs settings.event (a JSON pointer to each item's event name) or "
        "settings.event_name (one name for every item, or for those the pointer finds none in)");
  }
}

}  // namespace

std::string_view to_string(SourceKind kind) {
  for (const KindName& entry : kKindNames) {
    if (entry.kind == kind) return entry.name;
  }
  return "tracking";
}

std::optional<SourceKind> source_kind_from_string(std::string_view name) {
  for (const KindName& entry : kKindNames) {
    if (entry.name == name) return entry.kind;
  }
  return std::nullopt;
}

bool is_email_provider(SourceKind kind) {
  return kind == SourceKind::kSendgrid || kind == SourceKind::kMailgun ||
         kind == SourceKind::kPostmark || kind == SourceKind::kMandrill;
}

std::vector<std::string> settings_problems(SourceKind kind, const SourceSettings& settings) {
  std::vector<std::string> problems;
  check_email(kind, settings.email, problems);
  check_webhook(kind, settings.webhook, problems);
  return problems;
}

}  // namespace sluice::config
