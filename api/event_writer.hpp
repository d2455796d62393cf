#pragma once

// Enrichment (docs/protocol.md §7) and record encoding of one validated message: the stored
// JSON is the message's own members copied verbatim, minus writeKey, plus the fields the
// server owns: type, messageId, timestamp corrected for client clock skew, originalTimestamp,
// receivedAt, sentAt, context (envelope merged, ip added for client-side requests),
// integrations (envelope merged) and version.

#include <cstdint>
#include <string>
#include <string_view>

#include "api/message_view.hpp"
#include "storage/event_type.hpp"

namespace sluice::api {

struct Enrichment {
  storage::EventType type = storage::EventType::kTrack;
  std::string_view source;
  std::int64_t received_at_ms = 0;
  // The client's address; set on context.ip when the request is client-side and the message
  // does not carry an ip. Empty: leave context.ip alone.
  std::string_view client_ip;
  bool client_side = false;
  // The request's User-Agent, set on context.userAgent when the message does not carry one;
  // only the pixel gives it (its "client" is the mail reader or browser that loaded it).
  std::string_view user_agent;
};

// The skew-corrected timestamp: received - (sent - original) when both client times are
// known, the original time when only it is known, else the receive time.
struct EventTimes {
  std::int64_t timestamp_ms;
  std::int64_t original_ms;
};
EventTimes correct_timestamp(std::optional<std::int64_t> original_ms,
                             std::optional<std::int64_t> sent_at_ms, std::int64_t received_ms);

// A new messageId: a version 4 UUID from a per-thread generator.
std::string new_message_id();

// Appends the storage record (header + enriched JSON) of `message` to out. envelope is the
// batch envelope, or null for single-message requests. Returns the message's own messageId
// (a view into message), or an empty view when the server made one.
std::string_view write_event_record(const MessageView& message, const MessageView* envelope,
                                    const Enrichment& enrichment, std::string& out);

}  // namespace sluice::api
