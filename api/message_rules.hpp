#pragma once

// The per-message checks of the Tracking API (docs/protocol.md §6). A message that fails
// one is dropped alone; the request still succeeds and reports it by index and code.

#include <optional>
#include <string_view>

#include "api/message_view.hpp"
#include "storage/event_type.hpp"

namespace sluice::api {

struct RuleViolation {
  std::string_view code;     // snake_case, stable: clients and metrics key on it
  std::string_view message;  // human-readable
};

struct MessageLimits {
  std::size_t max_message_bytes = 32768;
  std::size_t max_message_id_chars = 100;
};

// The type a batch item declares, or the violation (missing or unknown type).
struct TypeOrViolation {
  std::optional<storage::EventType> type;
  RuleViolation violation;
};
TypeOrViolation batch_item_type(const MessageView& message);

// Checks a message of a known type; nullopt when it may be stored.
std::optional<RuleViolation> check_message(const MessageView& message, storage::EventType type,
                                           const MessageLimits& limits);

}  // namespace sluice::api
