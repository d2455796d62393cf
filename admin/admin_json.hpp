#pragma once

// The JSON bodies the admin API answers with (examples in admin/README.md). Pure functions of
// the router's answers; every text from outside goes through JsonWriter's escaping.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "api/api_metrics.hpp"
#include "api/rejection_feed.hpp"
#include "api/source_definition.hpp"
#include "router/router_control.hpp"
#include "storage/dead_letter.hpp"
#include "storage/record.hpp"

namespace sluice::admin {

// {"name","type","state","cursor","last_sequence","backlog_events","backlog_bytes",
//  "oldest_undelivered_age_ms" (null when nothing is undelivered),"delivered_events",
//  "dead_letters","last_error" (null when the last attempt succeeded)}
std::string status_body(const router::DestinationStatus& status);
// {"destinations":[status...]}
std::string destinations_body(std::span<const router::DestinationStatus> statuses);

// {"dead_letters":[{"id","first_sequence","last_sequence","events","attempts",
//  "dead_lettered_at" (ISO-8601),"reason"}...]}
std::string dead_letters_body(std::span<const storage::DeadLetter> letters);
// One dead letter as in the list, plus "contents": each stored event's JSON verbatim, in order
// (null for a record that cannot be decoded, which is also logged).
std::string dead_letter_body(const storage::DeadLetter& letter);

// {"name","origin" ("config"|"api"),"enabled","created_at" (ISO-8601; null for the config's),
//  "settings":{...},"keys":[{"write_key","state" ("active"|"expiring"|"revoked"),
//  "created_at","expires_at" (null unless revoked)}...]}; states as of now_ms.
std::string source_body(const api::SourceDefinition& source, std::int64_t now_ms);
// {"sources":[source...]}
std::string sources_body(std::span<const api::SourceDefinition> sources, std::int64_t now_ms);
// {"write_key":"..."}
std::string write_key_body(std::string_view key);

// GET /v1/events/{messageId}: {"messageId","source","sequence","stored" (false once retention
// deleted it, which it does only past every destination's cursor), and when stored:
// "receivedAt","type","event" (the stored JSON verbatim) and "destinations":[{"name","state"
// ("delivered"|"pending"|"filtered"|"dead_lettered"), "ahead" (pending: undelivered events
// before it), "dead_letter" (a dead letter as listed) and "redeliver" (its path)}]}
std::string event_body(std::string_view message_id, std::string_view source, std::uint64_t sequence,
                       const storage::Record* record,
                       std::span<const router::EventDelivery> destinations);

// {"cursor":N}
// One source's activity for the workspace view: its counters now.
struct SourceActivity {
  std::string name;
  api::SourceCounters::Totals totals;
};

// GET /v1/workspace: {"public_host":"..." or null,"sources":[{"name","received","rejected",
// "refused"}...]}; the UI turns the counters into rates.
std::string workspace_body(std::string_view public_host, std::span<const SourceActivity> sources);

// The live tail's frames' data (live_tail.hpp): a stored event, a rejection, a count of
// events not shown, and the stream's opening.
std::string tail_event_body(std::uint64_t sequence, const storage::Record& record);
std::string tail_rejection_body(const api::RejectedMessage& rejection);
std::string tail_dropped_body(std::uint64_t events);
std::string tail_open_body(std::uint64_t after, double sample, bool rejected);

std::string cursor_body(std::uint64_t cursor);
// {"error":{"code","message"}}
std::string error_body(std::string_view code, std::string_view message);

}  // namespace sluice::admin
