#include "config/source_setting_fields.hpp"

#include <algorithm>
#include <array>

namespace sluice::config {
namespace {

using Copy = void (*)(const SourceSettings& from, SourceSettings& to);

struct Field {
  std::string_view name;
  Copy copy;
};

// One entry per key the settings reader takes (source_settings_schema.cpp and
// inbound_settings_schema.cpp).
constexpr std::array<Field, 21> kFields{{
    {"rate_limit", [](const SourceSettings& f, SourceSettings& t) { t.rate_limit = f.rate_limit; }},
    {"allowed_origins",
     [](const SourceSettings& f, SourceSettings& t) { t.allowed_origins = f.allowed_origins; }},
    {"allowed_types",
     [](const SourceSettings& f, SourceSettings& t) { t.allowed_types = f.allowed_types; }},
    {"blocked_events",
     [](const SourceSettings& f, SourceSettings& t) { t.blocked_events = f.blocked_events; }},
    {"link_secret",
     [](const SourceSettings& f, SourceSettings& t) { t.link_secret = f.link_secret; }},
    {"verification_key",
     [](const SourceSettings& f, SourceSettings& t) {
       t.email.verification_key = f.email.verification_key;
     }},
    {"signing_key",
     [](const SourceSettings& f, SourceSettings& t) { t.email.signing_key = f.email.signing_key; }},
    {"webhook_key",
     [](const SourceSettings& f, SourceSettings& t) { t.email.webhook_key = f.email.webhook_key; }},
    {"webhook_url",
     [](const SourceSettings& f, SourceSettings& t) { t.email.webhook_url = f.email.webhook_url; }},
    {"basic_auth",
     [](const SourceSettings& f, SourceSettings& t) { t.email.basic_auth = f.email.basic_auth; }},
    {"user_id_field", [](const SourceSettings& f,
                         SourceSettings& t) { t.email.user_id_field = f.email.user_id_field; }},
    {"event_names",
     [](const SourceSettings& f, SourceSettings& t) { t.email.event_names = f.email.event_names; }},
    {"store_unmapped", [](const SourceSettings& f,
                          SourceSettings& t) { t.email.store_unmapped = f.email.store_unmapped; }},
    {"items",
     [](const SourceSettings& f, SourceSettings& t) { t.webhook.items = f.webhook.items; }},
    {"event",
     [](const SourceSettings& f, SourceSettings& t) { t.webhook.event = f.webhook.event; }},
    {"event_name", [](const SourceSettings& f,
                      SourceSettings& t) { t.webhook.event_name = f.webhook.event_name; }},
    {"user_id",
     [](const SourceSettings& f, SourceSettings& t) { t.webhook.user_id = f.webhook.user_id; }},
    {"timestamp",
     [](const SourceSettings& f, SourceSettings& t) { t.webhook.timestamp = f.webhook.timestamp; }},
    {"message_id", [](const SourceSettings& f,
                      SourceSettings& t) { t.webhook.message_id = f.webhook.message_id; }},
    {"properties", [](const SourceSettings& f,
                      SourceSettings& t) { t.webhook.properties = f.webhook.properties; }},
    {"hmac", [](const SourceSettings& f, SourceSettings& t) { t.webhook.hmac = f.webhook.hmac; }},
}};

const Field* find_field(std::string_view name) {
  const auto* found = std::find_if(kFields.begin(), kFields.end(),
                                   [name](const Field& field) { return field.name == name; });
  return found == kFields.end() ? nullptr : found;
}

}  // namespace

bool is_source_setting(std::string_view name) {
  return find_field(name) != nullptr;
}

void copy_source_setting(std::string_view name, const SourceSettings& from, SourceSettings& to) {
  if (const Field* field = find_field(name)) field->copy(from, to);
}

}  // namespace sluice::config
