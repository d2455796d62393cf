#include "api/message_rules.hpp"

#include <array>
#include <string>

namespace sluice::api {
namespace {

// "the message has userId more than once", one text per field, built once.
std::string_view repeated_field_message(Field field) {
  static const std::array<std::string, kFieldCount> kMessages = [] {
    std::array<std::string, kFieldCount> messages;
    for (std::size_t f = 0; f < kFieldCount; ++f) {
      messages[f] =
          "the message has " + std::string(field_name(static_cast<Field>(f))) + " more than once";
    }
    return messages;
  }();
  return kMessages[static_cast<std::size_t>(field)];
}

using storage::EventType;

// An id is usable when it is a non-empty string or a number (numbers are stored as strings).
enum class IdState { kAbsent, kUsable, kWrongType };

IdState id_state(const MessageView& message, Field field) {
  const Member* id = message.get_non_null(field);
  if (!id) return IdState::kAbsent;
  if (id->kind == JsonKind::kNumber) return IdState::kUsable;
  if (id->kind != JsonKind::kString) return IdState::kWrongType;
  return id->text.empty() ? IdState::kAbsent : IdState::kUsable;
}

bool is_object_if_present(const MessageView& message, Field field) {
  const Member* member = message.get_non_null(field);
  return !member || member->kind == JsonKind::kObject;
}

// name and category of page and screen: non-empty strings when present.
bool is_text_if_present(const MessageView& message, Field field) {
  const Member* member = message.get_non_null(field);
  return !member || (member->kind == JsonKind::kString && !member->text.empty());
}

std::size_t utf8_length(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return count;
}

std::optional<RuleViolation> check_ids(const MessageView& message, EventType type) {
  if (type == EventType::kAlias) {
    IdState previous = id_state(message, Field::kPreviousId);
    if (previous == IdState::kWrongType)
      return RuleViolation{"id_not_string", "previousId must be a string"};
    if (previous == IdState::kAbsent) {
      return RuleViolation{"previous_id_required", "alias needs a previousId"};
    }
    IdState user = id_state(message, Field::kUserId);
    if (user == IdState::kWrongType)
      return RuleViolation{"id_not_string", "userId must be a string"};
    if (user == IdState::kAbsent) return RuleViolation{"user_id_required", "alias needs a userId"};
    return std::nullopt;
  }
  IdState user = id_state(message, Field::kUserId);
  IdState anonymous = id_state(message, Field::kAnonymousId);
  if (user == IdState::kWrongType || anonymous == IdState::kWrongType) {
    return RuleViolation{"id_not_string", "userId and anonymousId must be strings"};
  }
  if (user == IdState::kAbsent && anonymous == IdState::kAbsent) {
    return RuleViolation{"no_user_anon_id", "a message needs a userId or an anonymousId"};
  }
  return std::nullopt;
}

std::optional<RuleViolation> check_type_fields(const MessageView& message, EventType type) {
  switch (type) {
    case EventType::kTrack: {
      const Member* event = message.get_non_null(Field::kEvent);
      if (!event || (event->kind == JsonKind::kString && event->text.empty())) {
        return RuleViolation{"event_not_defined", "track needs an event name"};
      }
      if (event->kind != JsonKind::kString) {
        return RuleViolation{"event_not_string", "event must be a string"};
      }
      if (!is_object_if_present(message, Field::kProperties)) {
        return RuleViolation{"properties_not_object", "properties must be an object"};
      }
      break;
    }
    case EventType::kGroup: {
      IdState group = id_state(message, Field::kGroupId);
      if (group == IdState::kWrongType)
        return RuleViolation{"id_not_string", "groupId must be a string"};
      if (group == IdState::kAbsent)
        return RuleViolation{"group_id_required", "group needs a groupId"};
      [[fallthrough]];
    }
    case EventType::kIdentify:
      if (!is_object_if_present(message, Field::kTraits)) {
        return RuleViolation{"traits_not_object", "traits must be an object"};
      }
      break;
    case EventType::kPage:
    case EventType::kScreen:
      if (!is_text_if_present(message, Field::kName)) {
        return RuleViolation{"name_not_string", "name must be a non-empty string"};
      }
      if (!is_text_if_present(message, Field::kCategory)) {
        return RuleViolation{"category_not_string", "category must be a non-empty string"};
      }
      break;
    case EventType::kAlias:
      break;
    case EventType::kObject:  // not a message type: message_type_from_string never gives it
      return RuleViolation{"invalid_type", "object is not a message type"};
  }
  return std::nullopt;
}

}  // namespace

TypeOrViolation batch_item_type(const MessageView& message) {
  if (!message.is_object) {
    return {std::nullopt, {"message_not_object", "each batch item must be a JSON object"}};
  }
  const Member* type = message.get_non_null(Field::kType);
  if (!type) return {std::nullopt, {"type_required", "a batch item needs a type"}};
  auto parsed = type->kind == JsonKind::kString ? storage::message_type_from_string(type->text)
                                                : std::nullopt;
  if (!parsed) {
    return {std::nullopt,
            {"invalid_type", "type must be identify, track, page, screen, group or alias"}};
  }
  return {parsed, {}};
}

std::optional<RuleViolation> check_message(const MessageView& message, EventType type,
                                           const MessageLimits& limits) {
  if (message.repeated != Field::kOther) {
    return RuleViolation{"duplicate_field", repeated_field_message(message.repeated)};
  }
  if (message.raw.size() > limits.max_message_bytes) {
    return RuleViolation{"message_too_large", "the message is larger than the per-message limit"};
  }
  // A numeric messageId is stored as the string of its digits, so its text length counts.
  if (const Member* id = message.get_non_null(Field::kMessageId);
      id &&
      ((id->kind == JsonKind::kString && utf8_length(id->text) > limits.max_message_id_chars) ||
       (id->kind == JsonKind::kNumber && id->value.size() > limits.max_message_id_chars))) {
    return RuleViolation{"message_id_too_long", "messageId is longer than 100 characters"};
  }
  if (!is_object_if_present(message, Field::kContext)) {
    return RuleViolation{"context_not_object", "context must be an object"};
  }
  if (!is_object_if_present(message, Field::kIntegrations)) {
    return RuleViolation{"integrations_not_object", "integrations must be an object"};
  }
  if (auto violation = check_ids(message, type)) return violation;
  return check_type_fields(message, type);
}

}  // namespace sluice::api
