#include "admin/admin_json.hpp"

#include <type_traits>

#include <spdlog/spdlog.h>

#include "api/json_writer.hpp"
#include "api/source_codec.hpp"
#include "api/timestamp.hpp"
#include "storage/record.hpp"

namespace sluice::admin {

using api::JsonWriter;
namespace {

// {"key":value}, for the answers that carry one number or one string.
template <typename Value>
std::string one_member_body(std::string_view key, const Value& value) {
  JsonWriter out;
  out.begin_object();
  out.key(key);
  if constexpr (std::is_arithmetic_v<Value>) {
    out.number(value);
  } else {
    out.string(value);
  }
  out.end_object();
  return out.take();
}

void write_status(JsonWriter& out, const router::DestinationStatus& status) {
  out.begin_object();
  out.key("name");
  out.string(status.name);
  out.key("type");
  out.string(status.type);
  out.key("state");
  out.string(router::to_string(status.state));
  out.key("cursor");
  out.number(status.cursor);
  out.key("last_sequence");
  out.number(status.last_sequence);
  out.key("backlog_events");
  out.number(status.backlog_events);
  out.key("backlog_bytes");
  out.number(status.backlog_bytes);
  out.key("oldest_undelivered_age_ms");
  if (status.oldest_undelivered_age) {
    out.number(status.oldest_undelivered_age->count());
  } else {
    out.null();
  }
  out.key("delivered_events");
  out.number(status.delivered_events);
  out.key("dead_letters");
  out.number(status.dead_letters);
  out.key("last_error");
  if (status.last_error.empty()) {
    out.null();
  } else {
    out.string(status.last_error);
  }
  out.end_object();
}

// The members a dead letter has in the list and alone; the caller closes the object.
void write_dead_letter_summary(JsonWriter& out, const storage::DeadLetter& letter) {
  out.begin_object();
  out.key("id");
  out.number(letter.first_sequence);
  out.key("first_sequence");
  out.number(letter.first_sequence);
  out.key("last_sequence");
  out.number(letter.last_sequence);
  out.key("events");
  out.number(letter.events);
  out.key("attempts");
  out.number(letter.attempts);
  out.key("dead_lettered_at");
  out.string(api::format_timestamp(letter.dead_lettered_at_ms));
  out.key("reason");
  out.string(letter.reason);
}

// An ISO-8601 time, or null for 0 (not known) and for never.
void write_time(JsonWriter& out, std::int64_t ms) {
  if (ms == 0 || ms == api::kNever) {
    out.null();
  } else {
    out.string(api::format_timestamp(ms));
  }
}

void write_source(JsonWriter& out, const api::SourceDefinition& source, std::int64_t now_ms) {
  out.begin_object();
  out.key("name");
  out.string(source.name);
  out.key("origin");
  out.string(source.origin == api::SourceOrigin::kConfig ? "config" : "api");
  out.key("kind");
  out.string(config::to_string(source.kind));
  out.key("enabled");
  out.boolean(source.enabled);
  out.key("created_at");
  write_time(out, source.created_at_ms);
  out.key("settings");
  api::write_source_settings(out, source.settings);
  out.key("keys");
  out.begin_array();
  for (const api::WriteKey& key : source.keys) {
    out.begin_object();
    out.key("write_key");
    out.string(key.key);
    out.key("state");
    out.string(!key.revoked() ? "active" : now_ms < key.expires_at_ms ? "expiring" : "revoked");
    out.key("created_at");
    write_time(out, key.created_at_ms);
    out.key("expires_at");
    write_time(out, key.expires_at_ms);
    out.end_object();
  }
  out.end_array();
  out.end_object();
}

}  // namespace

std::string source_body(const api::SourceDefinition& source, std::int64_t now_ms) {
  JsonWriter out;
  write_source(out, source, now_ms);
  return out.take();
}

std::string sources_body(std::span<const api::SourceDefinition> sources, std::int64_t now_ms) {
  JsonWriter out;
  out.begin_object();
  out.key("sources");
  out.begin_array();
  for (const auto& source : sources) write_source(out, source, now_ms);
  out.end_array();
  out.end_object();
  return out.take();
}

std::string workspace_body(std::string_view public_host, std::span<const SourceActivity> sources) {
  JsonWriter out;
  out.begin_object();
  out.key("public_host");
  if (public_host.empty()) {
    out.null();
  } else {
    out.string(public_host);
  }
  out.key("sources");
  out.begin_array();
  for (const SourceActivity& source : sources) {
    out.begin_object();
    out.key("name");
    out.string(source.name);
    out.key("received");
    out.number(source.totals.received);
    out.key("rejected");
    out.number(source.totals.rejected);
    out.key("refused");
    out.number(source.totals.refused);
    out.end_object();
  }
  out.end_array();
  out.end_object();
  return out.take();
}

std::string tail_event_body(std::uint64_t sequence, const storage::Record& record) {
  JsonWriter out;
  out.begin_object();
  out.key("sequence");
  out.number(sequence);
  out.key("source");
  out.string(record.source);
  out.key("type");
  out.string(storage::to_string(record.type));
  out.key("messageId");
  out.string(record.message_id);
  out.key("receivedAt");
  out.string(api::format_timestamp(record.received_at_ms));
  out.key("event");
  // The stored JSON is one minified line, so it fits an SSE data line as it is.
  out.raw(record.json);
  out.end_object();
  return out.take();
}

std::string tail_rejection_body(const api::RejectedMessage& rejection) {
  JsonWriter out;
  out.begin_object();
  out.key("source");
  if (rejection.source.empty()) {
    out.null();
  } else {
    out.string(rejection.source);
  }
  if (rejection.index >= 0) {
    out.key("index");
    out.number(rejection.index);
  }
  out.key("code");
  out.string(rejection.code);
  out.key("message");
  out.string(rejection.message);
  out.key("receivedAt");
  out.string(api::format_timestamp(rejection.at_ms));
  out.end_object();
  return out.take();
}

std::string tail_dropped_body(std::uint64_t events) {
  return one_member_body("dropped", events);
}

std::string tail_open_body(std::uint64_t after, double sample, bool rejected) {
  JsonWriter out;
  out.begin_object();
  out.key("after");
  out.number(after);
  out.key("sample");
  out.number(sample);
  out.key("rejected");
  out.boolean(rejected);
  out.end_object();
  return out.take();
}

std::string write_key_body(std::string_view key) {
  return one_member_body("write_key", key);
}

std::string status_body(const router::DestinationStatus& status) {
  JsonWriter out;
  write_status(out, status);
  return out.take();
}

std::string destinations_body(std::span<const router::DestinationStatus> statuses) {
  JsonWriter out;
  out.begin_object();
  out.key("destinations");
  out.begin_array();
  for (const router::DestinationStatus& status : statuses) write_status(out, status);
  out.end_array();
  out.end_object();
  return out.take();
}

std::string dead_letters_body(std::span<const storage::DeadLetter> letters) {
  JsonWriter out;
  out.begin_object();
  out.key("dead_letters");
  out.begin_array();
  for (const storage::DeadLetter& letter : letters) {
    write_dead_letter_summary(out, letter);
    out.end_object();
  }
  out.end_array();
  out.end_object();
  return out.take();
}

std::string dead_letter_body(const storage::DeadLetter& letter) {
  JsonWriter out;
  write_dead_letter_summary(out, letter);
  out.key("contents");
  out.begin_array();
  for (const storage::DeadLetterEvent& event : letter.contents) {
    // The stored JSON was validated and minified on intake, so it is copied as it is: the
    // operator sees exactly what the destination was sent.
    if (auto record = storage::decode_record(event.record); record && !record->json.empty()) {
      out.raw(record->json);
    } else {
      spdlog::warn("admin: dead letter {}/{} holds an undecodable record (sequence {})",
                   letter.destination, letter.first_sequence, event.sequence);
      out.null();
    }
  }
  out.end_array();
  out.end_object();
  return out.take();
}

std::string cursor_body(std::uint64_t cursor) {
  return one_member_body("cursor", cursor);
}

std::string error_body(std::string_view code, std::string_view message) {
  JsonWriter out;
  out.begin_object();
  out.key("error");
  out.begin_object();
  out.key("code");
  out.string(code);
  out.key("message");
  out.string(message);
  out.end_object();
  out.end_object();
  return out.take();
}

std::string event_body(std::string_view message_id, std::string_view source, std::uint64_t sequence,
                       const storage::Record* record,
                       std::span<const router::EventDelivery> destinations) {
  JsonWriter out;
  out.begin_object();
  out.key("messageId");
  out.string(message_id);
  out.key("source");
  out.string(source);
  out.key("sequence");
  out.number(sequence);
  out.key("stored");
  out.boolean(record != nullptr);
  if (record != nullptr) {
    out.key("receivedAt");
    out.string(api::format_timestamp(record->received_at_ms));
    out.key("type");
    out.string(storage::to_string(record->type));
    out.key("event");
    out.raw(record->json);
    out.key("destinations");
    out.begin_array();
    for (const router::EventDelivery& delivery : destinations) {
      out.begin_object();
      out.key("name");
      out.string(delivery.destination);
      out.key("state");
      out.string(router::to_string(delivery.state));
      if (delivery.state == router::EventDelivery::State::kPending) {
        out.key("ahead");
        out.number(delivery.ahead);
      }
      if (delivery.dead_letter) {
        out.key("dead_letter");
        write_dead_letter_summary(out, *delivery.dead_letter);
        out.end_object();
        out.key("redeliver");
        out.string("/v1/destinations/" + delivery.destination + "/dead-letters/" +
                   std::to_string(delivery.dead_letter->first_sequence) + "/redeliver");
      }
      out.end_object();
    }
    out.end_array();
  }
  out.end_object();
  return out.take();
}

}  // namespace sluice::admin
