#pragma once

// Prometheus instruments of the Tracking API: events accepted by source and type, events
// rejected by source and reason, requests refused by source and reason, and answers whose
// Origin their source does not allow. A source's counters are created when a SourceRegistry
// naming it is built (at start-up, or when a reload or the admin API adds the source), and the
// Source points at them: the hot path indexes arrays and never touches the registry. A source
// removed and added again gets its old counters back, so its series never restart. Thread-safe.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include "api/sources.hpp"
#include "common/mutex.hpp"
#include "storage/event_type.hpp"

namespace sluice::api {

class ApiMetrics;

// One source's counters (or those of requests without a source), owned by ApiMetrics. Each
// series is created the first time it is counted, not up front: a source has 6 types and 33
// reasons, and creating them all for 10,000 sources would cost about 270 MB and a 50 MB
// /metrics before the first event. Creation is lock-free for the caller after the first time
// (an atomic pointer per series); racing first uses get the same series from the family.
class SourceCounters {
 public:
  SourceCounters(ApiMetrics& owner, std::string source, std::string rejected_source);

  prometheus::Counter& accepted(storage::EventType type);
  prometheus::Counter& rejected(
      std::size_t reason);                           // an index of ApiMetrics::kReasons, or "other"
  prometheus::Counter& refused(std::size_t reason);  // kReasons, kRequestOnlyReasons, "other"
  prometheus::Counter& cors_refused();

  // What the source's counters hold now, summed over types and reasons: the workspace view's
  // event and reject rates.
  struct Totals {
    std::uint64_t received = 0;  // events stored
    std::uint64_t rejected = 0;  // messages rejected
    std::uint64_t refused = 0;   // requests refused whole
  };
  Totals totals() const;

 private:
  static constexpr std::size_t kRejected = 35;  // kReasons and "other"
  static constexpr std::size_t kRefused = 47;   // kReasons, kRequestOnlyReasons and "other"

  ApiMetrics& owner_;
  const std::string source_;
  const std::string rejected_source_;  // "unknown" for messages without a source
  std::array<std::atomic<prometheus::Counter*>, storage::kEventTypeCount> accepted_{};
  std::array<std::atomic<prometheus::Counter*>, kRejected> rejected_{};
  std::array<std::atomic<prometheus::Counter*>, kRefused> refused_{};
  std::atomic<prometheus::Counter*> cors_refused_{nullptr};
};

class ApiMetrics {
 public:
  // The reasons a message or a request can be refused; each is a metric label.
  static constexpr std::array<std::string_view, 34> kReasons = {
      "type_required",       "invalid_type",          "message_not_object",
      "no_user_anon_id",     "id_not_string",         "event_not_defined",
      "event_not_string",    "properties_not_object", "traits_not_object",
      "group_id_required",   "previous_id_required",  "user_id_required",
      "name_not_string",     "category_not_string",   "message_too_large",
      "message_id_too_long", "context_not_object",    "integrations_not_object",
      "invalid_json",        "missing_write_key",     "invalid_write_key",
      "payload_too_large",   "too_many_events",       "duplicate_field",
      "type_not_allowed",    "event_blocked",         "exceeds_burst",
      "invalid_collection",  "too_many_objects",      "object_not_object",
      "object_id_required",  "properties_not_object", "object_too_large",
      "no_event_name"};
  static constexpr std::array<std::string_view, 12> kRequestOnlyReasons = {
      "unsupported_encoding", "bad_encoding",      "backlog_full",      "storage_unavailable",
      "overloaded",           "rate_limited",      "write_key_revoked", "source_disabled",
      "wrong_source_kind",    "invalid_signature", "invalid_body",      "invalid_click"};

  explicit ApiMetrics(prometheus::Registry& registry);

  // The counters of the source of this name (its series appear as they are first counted). The
  // reference stays valid for the life of this object.
  SourceCounters& counters_for(const std::string& source_name);

  void events_accepted(const Source& source, storage::EventType type, std::uint32_t count);
  // source may be null when the request had no valid write key.
  void event_rejected(const Source* source, std::string_view reason);
  // source is null when the request had no valid write key, or none was read yet; the
  // source label is then empty.
  void request_refused(const Source* source, std::string_view reason);
  // An answer to a browser whose Origin the source's allowed_origins does not list.
  void cors_refused(const Source& source);
  void telemetry_received();
  // Events not stored again: their messageId was stored within the dedup window.
  void events_duplicate(const Source& source, std::size_t count);
  // Email provider events that are none of the six email events, left out (email_messages.hpp).
  void email_events_unmapped(const Source& source, std::size_t count);
  // A signed click that was redirected but could not be stored.
  void email_click_lost(const Source& source);

 private:
  static std::size_t reason_index(std::string_view reason);
  friend class SourceCounters;

  // The counters a source points at; `unknown_` when it points at none (a registry built
  // without metrics, in tests).
  SourceCounters& of(const Source* source);

  prometheus::Family<prometheus::Counter>& accepted_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Family<prometheus::Counter>& refused_;
  prometheus::Family<prometheus::Counter>& cors_refused_;
  prometheus::Counter* telemetry_;
  // Rare events, counted through the family's own lookup rather than a cached pointer.
  prometheus::Family<prometheus::Counter>& duplicates_;
  prometheus::Family<prometheus::Counter>& unmapped_;
  prometheus::Family<prometheus::Counter>& clicks_lost_;
  Mutex mutex_;
  std::map<std::string, std::unique_ptr<SourceCounters>, std::less<>> by_source_ GUARDED_BY(mutex_);
  // Messages without a source are counted as source "unknown", refused requests as source "".
  SourceCounters unknown_{*this, "", "unknown"};
};

}  // namespace sluice::api
