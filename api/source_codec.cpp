#include "api/source_codec.hpp"

#include <simdjson.h>

#include "api/json_writer.hpp"
#include "config/source_settings_json.hpp"

namespace sluice::api {
namespace {

constexpr std::int64_t kFormat = 1;

Status malformed(std::string_view what) {
  return Status::corruption("a stored source is malformed: " + std::string(what));
}

void write_list(JsonWriter& out, std::string_view key, const std::vector<std::string>& items) {
  out.key(key);
  out.begin_array();
  for (const std::string& item : items) out.string(item);
  out.end_array();
}

void write_text(JsonWriter& out, std::string_view key, const std::string& value) {
  if (value.empty()) return;
  out.key(key);
  out.string(value);
}

void write_email_settings(JsonWriter& out, const config::EmailSettings& email) {
  write_text(out, "verification_key", email.verification_key);
  write_text(out, "signing_key", email.signing_key);
  write_text(out, "webhook_key", email.webhook_key);
  write_text(out, "webhook_url", email.webhook_url);
  write_text(out, "basic_auth", email.basic_auth);
  if (email.user_id_field != config::EmailSettings{}.user_id_field) {
    write_text(out, "user_id_field", email.user_id_field);
  }
  if (!email.event_names.empty()) {
    out.key("event_names");
    out.begin_object();
    for (const auto& [event, name] : email.event_names) {
      out.key(event);
      out.string(name);
    }
    out.end_object();
  }
  if (email.store_unmapped) {
    out.key("store_unmapped");
    out.boolean(true);
  }
}

void write_webhook_settings(JsonWriter& out, const config::WebhookItemSettings& webhook) {
  write_text(out, "items", webhook.items);
  write_text(out, "event", webhook.event);
  write_text(out, "event_name", webhook.event_name);
  write_text(out, "user_id", webhook.user_id);
  write_text(out, "timestamp", webhook.timestamp);
  write_text(out, "message_id", webhook.message_id);
  write_text(out, "properties", webhook.properties);
  if (webhook.hmac) {
    out.key("hmac");
    out.begin_object();
    write_text(out, "header", webhook.hmac->header);
    write_text(out, "secret", webhook.hmac->secret);
    out.key("encoding");
    out.string(webhook.hmac->encoding == config::SignatureEncoding::kHex ? "hex" : "base64");
    out.end_object();
  }
}

}  // namespace

void write_source_settings(JsonWriter& out, const config::SourceSettings& settings) {
  out.begin_object();
  if (settings.rate_limit) {
    out.key("rate_limit");
    out.begin_object();
    out.key("events_per_second");
    out.number(settings.rate_limit->events_per_second);
    out.key("burst");
    out.number(settings.rate_limit->burst);
    out.end_object();
  }
  if (settings.allowed_origins) write_list(out, "allowed_origins", *settings.allowed_origins);
  if (!settings.allowed_types.empty()) write_list(out, "allowed_types", settings.allowed_types);
  if (!settings.blocked_events.empty()) write_list(out, "blocked_events", settings.blocked_events);
  write_text(out, "link_secret", settings.link_secret);
  write_email_settings(out, settings.email);
  write_webhook_settings(out, settings.webhook);
  out.end_object();
}

std::string encode_stored_source(const SourceDefinition& source) {
  JsonWriter out;
  out.begin_object();
  out.key("format");
  out.number(kFormat);
  out.key("name");
  out.string(source.name);
  // Left out for tracking sources, which every version reads.
  if (source.kind != config::SourceKind::kTracking) {
    out.key("kind");
    out.string(config::to_string(source.kind));
  }
  out.key("enabled");
  out.boolean(source.enabled);
  out.key("created_at_ms");
  out.number(source.created_at_ms);
  out.key("keys");
  out.begin_array();
  for (const WriteKey& key : source.keys) {
    out.begin_object();
    out.key("key");
    out.string(key.key);
    out.key("created_at_ms");
    out.number(key.created_at_ms);
    if (key.revoked()) {
      out.key("expires_at_ms");
      out.number(key.expires_at_ms);
    }
    out.end_object();
  }
  out.end_array();
  out.key("settings");
  write_source_settings(out, source.settings);
  out.end_object();
  return out.take();
}

Result<SourceDefinition> decode_stored_source(std::string_view stored) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(stored.data(), stored.size()).get_object().get(object)) {
    return malformed("not a JSON object");
  }
  std::int64_t format = 0;
  if (object["format"].get_int64().get(format) || format != kFormat) {
    return malformed("format is not 1; it was written by another version of Sluice");
  }
  SourceDefinition source;
  source.origin = SourceOrigin::kApi;
  std::string_view name;
  if (object["name"].get_string().get(name) || name.empty()) return malformed("no name");
  source.name = std::string(name);
  std::string_view kind_name;
  if (!object["kind"].get_string().get(kind_name)) {
    const auto kind = config::source_kind_from_string(kind_name);
    if (!kind) return malformed("source " + source.name + " has an unknown kind");
    source.kind = *kind;
  }
  if (object["enabled"].get_bool().get(source.enabled) ||
      object["created_at_ms"].get_int64().get(source.created_at_ms)) {
    return malformed("source " + source.name + " lacks enabled or created_at_ms");
  }
  simdjson::dom::array keys;
  if (object["keys"].get_array().get(keys)) return malformed(source.name + " has no keys array");
  for (simdjson::dom::element element : keys) {
    WriteKey key;
    std::string_view text;
    if (element["key"].get_string().get(text) || text.empty() ||
        element["created_at_ms"].get_int64().get(key.created_at_ms)) {
      return malformed("a key of " + source.name + " lacks key or created_at_ms");
    }
    key.key = std::string(text);
    std::int64_t expires = 0;
    if (!element["expires_at_ms"].get_int64().get(expires)) key.expires_at_ms = expires;
    source.keys.push_back(std::move(key));
  }
  simdjson::dom::element settings;
  if (object["settings"].get(settings)) return malformed(source.name + " has no settings");
  const std::string settings_json = simdjson::minify(settings);
  config::SettingsFromJson read = config::source_settings_from_json(settings_json, "settings");
  if (!read.settings) {
    return malformed("the settings of " + source.name + ": " +
                     (read.errors.empty() ? std::string("unreadable") : read.errors.front()));
  }
  source.settings = std::move(*read.settings);
  return source;
}

}  // namespace sluice::api
