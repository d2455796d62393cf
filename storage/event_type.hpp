#pragma once

// The six Tracking API message types, as stored in a record header.

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
};

inline constexpr int kEventTypeCount = 6;

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
  }
  return "unknown";
}

constexpr std::optional<EventType> event_type_from_string(std::string_view name) {
  for (int i = 0; i < kEventTypeCount; ++i) {
    auto type = static_cast<EventType>(i);
    if (to_string(type) == name) return type;
  }
  return std::nullopt;
}

}  // namespace sluice::storage
