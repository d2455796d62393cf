#pragma once

// Prometheus instruments of the Tracking API: events accepted by source and type, events
// rejected by source and reason, requests refused by source and reason, and answers whose
// Origin their source does not allow. Every label combination is created up front; the hot
// path indexes arrays and never touches the registry. Thread-safe.

#include <array>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "api/sources.hpp"
#include "storage/event_type.hpp"

namespace sluice::api {

class ApiMetrics {
 public:
  // The reasons a message or a request can be refused; each is a metric label.
  static constexpr std::array<std::string_view, 27> kReasons = {
      "type_required",       "invalid_type",          "message_not_object",
      "no_user_anon_id",     "id_not_string",         "event_not_defined",
      "event_not_string",    "properties_not_object", "traits_not_object",
      "group_id_required",   "previous_id_required",  "user_id_required",
      "name_not_string",     "category_not_string",   "message_too_large",
      "message_id_too_long", "context_not_object",    "integrations_not_object",
      "invalid_json",        "missing_write_key",     "invalid_write_key",
      "payload_too_large",   "too_many_events",       "duplicate_field",
      "type_not_allowed",    "event_blocked",         "exceeds_burst"};
  static constexpr std::array<std::string_view, 6> kRequestOnlyReasons = {
      "unsupported_encoding", "bad_encoding", "backlog_full",
      "storage_unavailable",  "overloaded",   "rate_limited"};

  ApiMetrics(prometheus::Registry& registry, const SourceRegistry& sources);

  void events_accepted(const Source& source, storage::EventType type, std::uint32_t count);
  // source may be null when the request had no valid write key.
  void event_rejected(const Source* source, std::string_view reason);
  // source is null when the request had no valid write key, or none was read yet; the
  // source label is then empty.
  void request_refused(const Source* source, std::string_view reason);
  // An answer to a browser whose Origin the source's allowed_origins does not list.
  void cors_refused(const Source& source);
  void telemetry_received();

 private:
  static std::size_t reason_index(std::string_view reason);

  std::vector<std::array<prometheus::Counter*, storage::kEventTypeCount>> accepted_;
  // [source index, or sources.size() for "unknown"][reason]
  std::vector<std::array<prometheus::Counter*, kReasons.size() + 1>> rejected_;
  // [source index, or sources.size() for none][reason]
  std::vector<std::array<prometheus::Counter*, kReasons.size() + kRequestOnlyReasons.size() + 1>>
      refused_;
  std::vector<prometheus::Counter*> cors_refused_;  // [source index]
  prometheus::Counter* telemetry_;
};

}  // namespace sluice::api
