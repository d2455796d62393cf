#pragma once

// The types of stored records, as a record header holds them: the six Tracking API message
// types, and the objects of the Objects API (POST /v1/set).

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::storage {

enum class EventType : std::uint8_t {
  kIdentify = 0,
  kTrack = 1,
  kPage = 2,
  kScreen = 3,
  kGroup = 4,
  kAlias = 5,
  kObject = 6,  // an object of the Objects API, not a message
};

inline constexpr int kEventTypeCount = 7;    // every record type
inline constexpr int kMessageTypeCount = 6;  // the Tracking API's: every type but kObject

constexpr std::string_view to_string(EventType type) {
  switch (type) {
    case EventType::kIdentify:
      return "identify";
    case EventType::kTrack:
      return "track";
    case EventType::kPage:
      return "page";
    case EventType::kScreen:
      return "screen";
    case EventType::kGroup:
      return "group";
    case EventType::kAlias:
      return "alias";
    case EventType::kObject:
      return "object";
  }
  return "unknown";
}

// Any record type by name ("object" included): what filters and source settings select.
constexpr std::optional<EventType> event_type_from_string(std::string_view name) {
  for (int i = 0; i < kEventTypeCount; ++i) {
    auto type = static_cast<EventType>(i);
    if (to_string(type) == name) return type;
  }
  return std::nullopt;
}

// A Tracking API message type by name: what a message's "type" and a /v1/{type} path may say.
constexpr std::optional<EventType> message_type_from_string(std::string_view name) {
  const auto type = event_type_from_string(name);
  if (!type || static_cast<int>(*type) >= kMessageTypeCount) return std::nullopt;
  return type;
}

}  // namespace sluice::storage
