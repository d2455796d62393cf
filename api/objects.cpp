#include "api/objects.hpp"

#include <algorithm>
#include <optional>

#include "api/event_writer.hpp"
#include "api/ingestor.hpp"
#include "api/json_string.hpp"
#include "api/sources.hpp"
#include "api/timestamp.hpp"
#include "storage/record.hpp"

namespace sluice::api {
namespace {

constexpr std::size_t kMaxCollectionLength = 64;
constexpr std::size_t kMaxIdLength = 255;

// The object's id as stored text: a non-empty string, or an integer written as one.
std::optional<std::string> object_id(simdjson::dom::element value) {
  std::string_view text;
  if (!value.get_string().get(text)) {
    if (text.empty() || text.size() > kMaxIdLength) return std::nullopt;
    return std::string(text);
  }
  std::int64_t number = 0;
  if (!value.get_int64().get(number)) return std::to_string(number);
  std::uint64_t big = 0;
  if (!value.get_uint64().get(big)) return std::to_string(big);
  return std::nullopt;
}

}  // namespace

bool valid_collection(std::string_view name) {
  return !name.empty() && name.size() <= kMaxCollectionLength &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

bool ObjectsReader::read(std::string_view body, std::int64_t received_at_ms,
                         IngestOutcome& outcome) {
  if (body.size() > kMaxObjectsBody) {
    outcome.fail(RequestError::kPayloadTooLarge, "an Objects API request may be at most " +
                                                     std::to_string(kMaxObjectsBody) + " bytes");
    return false;
  }
  simdjson::dom::element root;
  if (const auto error = parser_.parse(body.data(), body.size()).get(root); error) {
    outcome.fail(RequestError::kInvalidJson, "the body is not valid JSON (" +
                                                 std::string(simdjson::error_message(error)) + ")");
    return false;
  }
  std::string_view collection;
  if (root["collection"].get_string().get(collection) || !valid_collection(collection)) {
    outcome.fail(RequestError::kInvalidCollection,
                 R"(the body needs "collection": 1 to 64 of a-z, 0-9 and '_', such as "rooms")");
    return false;
  }
  simdjson::dom::array objects;
  if (root["objects"].get_array().get(objects)) {
    outcome.fail(RequestError::kInvalidJson,
                 R"(the body needs "objects": an array such as [{"id":"1","properties":{}}])");
    return false;
  }
  if (objects.size() > kMaxObjects) {
    outcome.fail(RequestError::kTooManyObjects,
                 "a request may hold at most " + std::to_string(kMaxObjects) + " objects; it has " +
                     std::to_string(objects.size()));
    return false;
  }

  const SourceControls& controls = outcome.source->controls;
  char received_at[kTimestampLength];
  format_timestamp(received_at_ms, received_at);
  std::size_t index = 0;
  for (simdjson::dom::element object : objects) {
    const std::size_t at = index++;
    if (!object.is_object()) {
      outcome.rejected.push_back(
          Rejection{at, "object_not_object", "an object must be a JSON object"});
      continue;
    }
    simdjson::dom::element id_value;
    const std::optional<std::string> id =
        object["id"].get(id_value) ? std::nullopt : object_id(id_value);
    if (!id) {
      outcome.rejected.push_back(Rejection{
          at, "object_id_required", "an object needs an id: a non-empty string or an integer"});
      continue;
    }
    simdjson::dom::element properties;
    const bool has_properties = !object["properties"].get(properties);
    if (has_properties && !properties.is_object()) {
      outcome.rejected.push_back(
          Rejection{at, "properties_not_object", "an object's properties must be a JSON object"});
      continue;
    }
    if (!controls.allows_type(storage::EventType::kObject)) {
      outcome.rejected.push_back(
          Rejection{at, "type_not_allowed", "the source does not accept objects"});
      continue;
    }
    const std::string message_id = new_message_id();
    json_.assign(R"({"type":"object","collection":")");
    json_ += collection;  // checked: nothing to escape
    json_ += R"(","id":)";
    append_json_string(json_, *id, InvalidUtf8::kReplace);
    json_ += R"(,"properties":)";
    if (has_properties) {
      json_ += simdjson::minify(properties);
    } else {
      json_ += "{}";
    }
    json_ += R"(,"messageId":")";
    json_ += message_id;
    json_ += R"(","receivedAt":")";
    json_.append(received_at, kTimestampLength);
    json_ += "\"}";
    static_assert(kMaxObjectBytes == 32768, "the message below says 32768");
    if (json_.size() > kMaxObjectBytes) {
      outcome.rejected.push_back(
          Rejection{at, "object_too_large", "an object may be at most 32768 bytes as stored"});
      continue;
    }
    const storage::Record record{storage::EventType::kObject,
                                 received_at_ms,
                                 received_at_ms,
                                 outcome.source->name,
                                 message_id,
                                 {},
                                 json_};
    storage::encode_record(record, outcome.records.emplace_back());
    ++outcome.accepted_by_type[static_cast<std::size_t>(storage::EventType::kObject)];
  }
  return true;
}

}  // namespace sluice::api
