#include "api/message_view.hpp"

namespace sluice::api {

Field classify_field(std::string_view key) {
  switch (key.size()) {
    case 4:
      if (key == "type") return Field::kType;
      if (key == "name") return Field::kName;
      break;
    case 5:
      if (key == "event") return Field::kEvent;
      if (key == "batch") return Field::kBatch;
      break;
    case 6:
      if (key == "userId") return Field::kUserId;
      if (key == "sentAt") return Field::kSentAt;
      if (key == "traits") return Field::kTraits;
      break;
    case 7:
      if (key == "context") return Field::kContext;
      if (key == "groupId") return Field::kGroupId;
      if (key == "version") return Field::kVersion;
      break;
    case 8:
      if (key == "writeKey") return Field::kWriteKey;
      if (key == "category") return Field::kCategory;
      break;
    case 9:
      if (key == "messageId") return Field::kMessageId;
      if (key == "timestamp") return Field::kTimestamp;
      break;
    case 10:
      if (key == "receivedAt") return Field::kReceivedAt;
      if (key == "previousId") return Field::kPreviousId;
      if (key == "properties") return Field::kProperties;
      break;
    case 11:
      if (key == "anonymousId") return Field::kAnonymousId;
      break;
    case 12:
      if (key == "integrations") return Field::kIntegrations;
      break;
    case 17:
      if (key == "originalTimestamp") return Field::kOriginalTimestamp;
      break;
  }
  return Field::kOther;
}

std::string_view field_name(Field field) {
  switch (field) {
    case Field::kOther:
      return "";
    case Field::kType:
      return "type";
    case Field::kUserId:
      return "userId";
    case Field::kAnonymousId:
      return "anonymousId";
    case Field::kEvent:
      return "event";
    case Field::kMessageId:
      return "messageId";
    case Field::kTimestamp:
      return "timestamp";
    case Field::kOriginalTimestamp:
      return "originalTimestamp";
    case Field::kSentAt:
      return "sentAt";
    case Field::kReceivedAt:
      return "receivedAt";
    case Field::kContext:
      return "context";
    case Field::kIntegrations:
      return "integrations";
    case Field::kWriteKey:
      return "writeKey";
    case Field::kGroupId:
      return "groupId";
    case Field::kPreviousId:
      return "previousId";
    case Field::kProperties:
      return "properties";
    case Field::kTraits:
      return "traits";
    case Field::kName:
      return "name";
    case Field::kCategory:
      return "category";
    case Field::kVersion:
      return "version";
    case Field::kBatch:
      return "batch";
  }
  return "";
}

void MessageView::clear() {
  raw = {};
  members.clear();
  context.clear();
  integrations.clear();
  is_object = true;
  index.fill(-1);
  repeated = Field::kOther;
}

}  // namespace sluice::api
