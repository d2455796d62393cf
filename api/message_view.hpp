#pragma once

// A scanned Tracking API message: its top-level members as slices of the minified request
// body, with the well-known fields indexed. Produced by MessageScanner, read by the validation
// rules and the event writer. Views point into the scanner's minified copy of the body and its
// buffer of decoded strings; both outlive the request's processing and nothing else.

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace sluice::api {

enum class JsonKind : std::uint8_t { kObject, kArray, kString, kNumber, kBool, kNull };

// Top-level fields the server reads or rewrites; every other member is copied verbatim.
enum class Field : std::uint8_t {
  kOther,
  kType,
  kUserId,
  kAnonymousId,
  kEvent,
  kMessageId,
  kTimestamp,
  kOriginalTimestamp,
  kSentAt,
  kReceivedAt,
  kContext,
  kIntegrations,
  kWriteKey,
  kGroupId,
  kPreviousId,
  kProperties,
  kTraits,
  kName,
  kCategory,
  kVersion,
  kBatch,
};
inline constexpr std::size_t kFieldCount = static_cast<std::size_t>(Field::kBatch) + 1;

// key unescaped: "\u0075serId" is userId.
Field classify_field(std::string_view key);
// The JSON name of a well-known field ("userId"); "" for kOther.
std::string_view field_name(Field field);

struct Member {
  std::string_view key;     // unescaped, without quotes: what readers of the JSON see
  std::string_view member;  // `"key":value` as written
  std::string_view value;   // the value's JSON text
  std::string_view text;    // the unescaped string, for kString values only
  JsonKind kind = JsonKind::kNull;
  Field field = Field::kOther;
  bool bool_value = false;  // for kBool values
};

struct MessageView {
  MessageView() { index.fill(-1); }

  std::string_view raw;  // the whole message object
  std::vector<Member> members;
  std::vector<Member> context;       // members of `context`, when it is an object
  std::vector<Member> integrations;  // members of `integrations`, when it is an object
  bool is_object = true;             // batch items may be anything; only objects are messages
  // index into members of the last occurrence of each well-known field, -1 when absent
  std::array<std::int32_t, kFieldCount> index;
  // The first well-known field that occurs more than once (readers that take the first and the
  // last would disagree); kOther when none does.
  Field repeated = Field::kOther;

  void clear();
  const Member* get(Field field) const {
    auto i = index[static_cast<std::size_t>(field)];
    return i < 0 ? nullptr : &members[static_cast<std::size_t>(i)];
  }
  // The member is present and not JSON null (SDKs send `"userId": null` for anonymous users).
  const Member* get_non_null(Field field) const {
    const Member* m = get(field);
    return m && m->kind != JsonKind::kNull ? m : nullptr;
  }
};

}  // namespace sluice::api
