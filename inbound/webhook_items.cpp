#include "inbound/webhook_items.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <simdjson.h>

#include "api/base64.hpp"
#include "api/json_writer.hpp"
#include "api/timestamp.hpp"
#include "inbound/name_uuid.hpp"
#include "inbound/provider_json.hpp"
#include "inbound/signatures.hpp"

namespace sluice::inbound {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// GitHub writes "sha256=<hex>"; other tools send the bare signature.
constexpr std::string_view kSignaturePrefix = "sha256=";
// The key of the digest behind a default messageId. Fixed, so that every server gives a resent
// item the same id; it authenticates nothing.
constexpr std::string_view kItemDigestKey = "sluice-webhook-item";
constexpr std::string_view kMessageIdPrefix = "wh-";
constexpr std::string_view kIntegrationName = "webhook";

ItemsOutcome failure(ReadStatus status, std::string message) {
  ItemsOutcome outcome;
  outcome.status = status;
  outcome.message = std::move(message);
  return outcome;
}

ItemsOutcome not_json(simdjson::error_code error) {
  return failure(ReadStatus::kInvalidBody,
                 std::string("the body is not JSON: ") + simdjson::error_message(error));
}

std::string lower_case(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

// The signature's bytes as the header writes them; nullopt when it is not in the encoding.
std::optional<std::string> decode_signature(std::string_view text,
                                            config::SignatureEncoding encoding) {
  if (text.starts_with(kSignaturePrefix)) text.remove_prefix(kSignaturePrefix.size());
  if (encoding == config::SignatureEncoding::kBase64) return api::decode_base64(text);
  // Tools differ in the case of their hex digits.
  return from_hex(lower_case(text));
}

// What is wrong with the request's signature, or nullopt when it signs the body.
std::optional<std::string> signature_problem(const WebhookRequest& request,
                                             const config::BodyHmacConfig& hmac) {
  const std::string_view header = request.header_value(hmac.header);
  if (header.empty()) return "the request has no " + hmac.header + " header";
  const std::optional<std::string> signature = decode_signature(header, hmac.encoding);
  if (!signature || !equal_secrets(*signature, hmac_sha256(hmac.secret, request.body))) {
    return "the " + hmac.header + " header is not the body's HMAC-SHA256";
  }
  return std::nullopt;
}

std::string_view type_name(element_type type) {
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

// The element at an item's pointer; nullopt when the pointer is unset or finds nothing.
std::optional<element> element_at(element item, std::string_view pointer) {
  if (pointer.empty()) return std::nullopt;
  element found;
  if (item.at_pointer(pointer).get(found) != simdjson::SUCCESS) return std::nullopt;
  return found;
}

// The string at pointer; empty when there is none.
std::string string_at(element item, std::string_view pointer) {
  const std::optional<element> found = element_at(item, pointer);
  if (!found || found->type() != element_type::STRING) return {};
  return std::string(found->get_string().value_unsafe());
}

// An id at pointer: a string, or a number's text (tools number their users and deliveries).
std::string id_at(element item, std::string_view pointer) {
  const std::optional<element> found = element_at(item, pointer);
  if (!found || found->type() == element_type::BOOL) return {};
  return text_of(*found);
}

std::string event_of(element item, const config::WebhookItemSettings& settings) {
  std::string event = string_at(item, settings.event);
  return event.empty() ? settings.event_name : event;
}

std::string message_id_of(element item, const config::WebhookItemSettings& settings) {
  std::string id = id_at(item, settings.message_id);
  if (!id.empty()) return id;
  // A tool that resends an item sends the same text, so it gets the same id and is deduplicated.
  return std::string(kMessageIdPrefix) +
         to_hex(hmac_sha256(kItemDigestKey, simdjson::minify(item)));
}

void write_identity(api::JsonWriter& out, element item, std::string_view source_name,
                    const config::WebhookItemSettings& settings, std::string_view message_id) {
  const std::string user_id = id_at(item, settings.user_id);
  if (!user_id.empty()) {
    out.key("userId");
    out.string(user_id);
    return;
  }
  out.key("anonymousId");
  out.string(name_uuid(std::string(source_name) + "/" + std::string(message_id)));
}

// Left out when absent or unreadable: the receive time then stands.
void write_timestamp(api::JsonWriter& out, element item, std::string_view pointer) {
  const std::optional<element> found = element_at(item, pointer);
  if (!found) return;
  const std::int64_t ms = time_of_ms(*found);
  if (ms == 0) return;
  out.key("timestamp");
  out.string(api::format_timestamp(ms));
}

void write_properties(api::JsonWriter& out, element item, std::string_view pointer) {
  out.key("properties");
  const std::optional<element> found = element_at(item, pointer);
  if (found && found->type() == element_type::OBJECT) {
    out.raw(simdjson::minify(*found));
  } else if (item.type() == element_type::OBJECT) {
    out.raw(simdjson::minify(item));
  } else {
    // Track properties are an object; an item that is a bare value is kept whole inside one.
    out.begin_object();
    out.key("value");
    out.raw(simdjson::minify(item));
    out.end_object();
  }
}

void write_context(api::JsonWriter& out) {
  out.key("context");
  out.begin_object();
  out.key("integration");
  out.begin_object();
  out.key("name");
  out.string(kIntegrationName);
  out.end_object();
  out.end_object();
}

std::string track_message(element item, std::string_view event, std::string_view source_name,
                          const config::WebhookItemSettings& settings) {
  const std::string message_id = message_id_of(item, settings);
  api::JsonWriter out;
  out.begin_object();
  out.key("type");
  out.string("track");
  out.key("event");
  out.string(event);
  write_identity(out, item, source_name, settings, message_id);
  out.key("messageId");
  out.string(message_id);
  write_timestamp(out, item, settings.timestamp);
  write_properties(out, item, settings.properties);
  write_context(out);
  out.end_object();
  return out.take();
}

std::string missing_event_message(const config::WebhookItemSettings& settings) {
  if (settings.event.empty()) return "the source sets neither event nor event_name";
  return "no event name at " + settings.event;
}

void add_item(element item, std::size_t index, std::string_view source_name,
              const config::WebhookItemSettings& settings, ItemsOutcome& outcome) {
  const std::string event = event_of(item, settings);
  if (event.empty()) {
    outcome.rejected.push_back({index, missing_event_message(settings)});
    return;
  }
  outcome.messages.push_back(track_message(item, event, source_name, settings));
}

// The array at pointer in the body, or what is wrong with it.
std::optional<std::string> items_problem(element body, std::string_view pointer,
                                         simdjson::dom::array& items) {
  element found;
  if (const auto error = body.at_pointer(pointer).get(found); error != simdjson::SUCCESS) {
    return "the body has no items at " + std::string(pointer) + ": " +
           simdjson::error_message(error);
  }
  if (found.get_array().get(items) != simdjson::SUCCESS) {
    return "the items at " + std::string(pointer) + " are " + std::string(type_name(found.type())) +
           ", not an array";
  }
  return std::nullopt;
}

ItemsOutcome read_body_items(element body, std::string_view source_name,
                             const config::WebhookItemSettings& settings) {
  ItemsOutcome outcome;
  if (settings.items.empty()) {
    add_item(body, 0, source_name, settings, outcome);
    return outcome;
  }
  simdjson::dom::array items;
  if (auto problem = items_problem(body, settings.items, items)) {
    return failure(ReadStatus::kInvalidBody, std::move(*problem));
  }
  std::size_t index = 0;
  for (element item : items) add_item(item, index++, source_name, settings, outcome);
  return outcome;
}

}  // namespace

ItemsOutcome read_webhook_items(const WebhookRequest& request, std::string_view source_name,
                                const config::WebhookItemSettings& settings) {
  if (settings.hmac) {
    if (auto problem = signature_problem(request, *settings.hmac)) {
      return failure(ReadStatus::kInvalidSignature, std::move(*problem));
    }
  }
  // One parser per thread, reused: its buffers grow to the largest body once. Every message is
  // copied out before the next parse on this thread can invalidate the document.
  thread_local simdjson::dom::parser parser;
  // An empty view may have a null data pointer, which the parser would copy from.
  if (request.body.empty()) return not_json(simdjson::EMPTY);
  element body;
  if (const auto error = parser.parse(request.body.data(), request.body.size()).get(body);
      error != simdjson::SUCCESS) {
    return not_json(error);
  }
  return read_body_items(body, source_name, settings);
}

}  // namespace sluice::inbound
