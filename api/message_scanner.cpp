#include "api/message_scanner.hpp"

#include <cstring>

namespace sluice::api {
namespace ondemand = simdjson::ondemand;
using simdjson::error_code;

namespace {

// Walks a value to its end so that every nested string, number and literal is checked. Only
// used when the DOM check refused a number: the DOM parser has no representation for integers
// wider than 64 bits, which JSON allows and which are stored verbatim.
error_code validate_walk(ondemand::value& value) {
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return error;
  switch (type) {
    case ondemand::json_type::object: {
      ondemand::object object;
      if (auto error = value.get_object().get(object)) return error;
      for (auto field_result : object) {
        ondemand::field field;
        if (auto error = std::move(field_result).get(field)) return error;
        if (auto error = field.unescaped_key().error()) return error;
        if (auto error = validate_walk(field.value())) return error;
      }
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::array: {
      ondemand::array array;
      if (auto error = value.get_array().get(array)) return error;
      for (auto element_result : array) {
        ondemand::value element;
        if (auto error = std::move(element_result).get(element)) return error;
        if (auto error = validate_walk(element)) return error;
      }
      return simdjson::SUCCESS;
    }
    case ondemand::json_type::string:
      return value.get_string().error();
    case ondemand::json_type::number:
      return value.get_double().error();
    case ondemand::json_type::boolean:
      return value.get_bool().error();
    case ondemand::json_type::null: {
      bool is_null = false;
      if (auto error = value.is_null().get(is_null)) return error;
      return is_null ? simdjson::SUCCESS : simdjson::INCORRECT_TYPE;
    }
  }
  return simdjson::INCORRECT_TYPE;
}

// The JSON text of a value that is not read further: objects and arrays are consumed whole;
// a scalar's token is its text, since the body is minified.
error_code skip_value(ondemand::value& value, ondemand::json_type type, std::string_view& text) {
  if (type == ondemand::json_type::object) {
    ondemand::object object;
    if (auto error = value.get_object().get(object)) return error;
    return object.raw_json().get(text);
  }
  if (type == ondemand::json_type::array) {
    ondemand::array array;
    if (auto error = value.get_array().get(array)) return error;
    return array.raw_json().get(text);
  }
  text = value.raw_json_token();
  return simdjson::SUCCESS;
}

JsonKind kind_of(ondemand::json_type type) {
  switch (type) {
    case ondemand::json_type::object:
      return JsonKind::kObject;
    case ondemand::json_type::array:
      return JsonKind::kArray;
    case ondemand::json_type::string:
      return JsonKind::kString;
    case ondemand::json_type::number:
      return JsonKind::kNumber;
    case ondemand::json_type::boolean:
      return JsonKind::kBool;
    case ondemand::json_type::null:
      return JsonKind::kNull;
  }
  return JsonKind::kNull;
}

// Reads one member's value into `member` (kind, text, and its slice, which ends where the
// document iterator stands once the value was consumed: the body is minified, so that is the
// very next byte). `nested` receives the members of an object value when not null.
error_code read_member_value(ondemand::document& doc, ondemand::value& value, Member& member,
                             std::vector<Member>* nested);

error_code read_members(ondemand::document& doc, ondemand::object& object,
                        std::vector<Member>& members, MessageView* message) {
  for (auto field_result : object) {
    ondemand::field field;
    if (auto error = std::move(field_result).get(field)) return error;
    const char* key_begin = field.key().raw();
    std::string_view token = field.value().raw_json_token();
    // Minified: `"key":value`, so the key's closing quote sits two bytes before the value.
    const char* key_end = token.data() - 2;
    Member member;
    member.key = std::string_view(key_begin, static_cast<std::size_t>(key_end - key_begin));
    if (std::memchr(member.key.data(), '\\', member.key.size()) != nullptr) {
      if (auto error = field.unescaped_key().error()) return error;
    }
    std::vector<Member>* nested = nullptr;
    if (message) {
      member.field = classify_field(member.key);
      if (member.field == Field::kContext) nested = &message->context;
      if (member.field == Field::kIntegrations) nested = &message->integrations;
    }
    if (auto error = read_member_value(doc, field.value(), member, nested)) return error;
    member.member = std::string_view(
        key_begin - 1,
        static_cast<std::size_t>(member.value.data() + member.value.size() - (key_begin - 1)));
    if (message && member.field != Field::kOther) {
      message->index[static_cast<std::size_t>(member.field)] =
          static_cast<std::int32_t>(members.size());
    }
    members.push_back(member);
  }
  return simdjson::SUCCESS;
}

error_code read_member_value(ondemand::document& doc, ondemand::value& value, Member& member,
                             std::vector<Member>* nested) {
  std::string_view token = value.raw_json_token();
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return error;
  member.kind = kind_of(type);
  if (type == ondemand::json_type::string) {
    if (auto error = value.get_string().get(member.text)) return error;
  } else if (type == ondemand::json_type::boolean) {
    if (auto error = value.get_bool().get(member.bool_value)) return error;
  } else if (type == ondemand::json_type::object && nested != nullptr) {
    nested->clear();
    ondemand::object object;
    if (auto error = value.get_object().get(object)) return error;
    if (auto error = read_members(doc, object, *nested, nullptr)) return error;
  } else {
    return skip_value(value, type, member.value);
  }
  // What was read ends where the iterator now stands: the body is minified.
  const char* end;
  if (auto error = doc.current_location().get(end)) return error;
  member.value = std::string_view(token.data(), static_cast<std::size_t>(end - token.data()));
  return simdjson::SUCCESS;
}

// Whether the document holds nothing after its root value. The iterator has no position left
// exactly when it is at the end.
bool at_end(ondemand::document& doc) {
  return doc.current_location().error() != simdjson::SUCCESS;
}

ScanResult invalid(std::string detail) {
  return {ScanStatus::kInvalidJson, std::move(detail)};
}

ScanResult invalid(error_code error) {
  return invalid(std::string("malformed JSON: ") + simdjson::error_message(error));
}

// Reads an object value (a message) into message. Non-object values leave is_object false.
error_code read_message(ondemand::document& doc, ondemand::value& value, MessageView& message) {
  message.clear();
  std::string_view token = value.raw_json_token();
  ondemand::json_type type;
  if (auto error = value.type().get(type)) return error;
  if (type != ondemand::json_type::object) {
    message.is_object = false;
    return skip_value(value, type, message.raw);
  }
  ondemand::object object;
  if (auto error = value.get_object().get(object)) return error;
  if (auto error = read_members(doc, object, message.members, &message)) return error;
  const char* end;
  if (auto error = doc.current_location().get(end)) return error;
  message.raw = std::string_view(token.data(), static_cast<std::size_t>(end - token.data()));
  return simdjson::SUCCESS;
}

// body in out, followed by the zeroed padding simdjson reads past the end.
void copy_padded(std::string_view body, std::string& out) {
  const std::size_t needed = body.size() + simdjson::SIMDJSON_PADDING;
  if (out.size() < needed) out.resize(needed);
  std::memcpy(out.data(), body.data(), body.size());
  std::memset(out.data() + body.size(), 0, simdjson::SIMDJSON_PADDING);
}

}  // namespace

bool MessageScanner::load(std::string_view body) {
  // What must be JSON is the body as sent: minified text would have `tr ue` joined into
  // `true` and `12 34` into `1234`. On-Demand checks only what is read, and most of a message is
  // copied unread; the DOM parser's stage 2 (runtime-dispatched SIMD) checks every string,
  // number and literal.
  copy_padded(body, original_);
  validation_ = validator_.parse(original_.data(), body.size(), false).error();
  if (validation_ == simdjson::NUMBER_ERROR) validation_ = validate_by_walking(body.size());

  std::size_t needed = body.size() + simdjson::SIMDJSON_PADDING;
  if (buffer_.size() < needed) buffer_.resize(needed);
  std::size_t size = 0;
  if (simdjson::minify(body.data(), body.size(), buffer_.data(), size) != simdjson::SUCCESS) {
    return false;
  }
  size_ = size;
  std::memset(buffer_.data() + size_, 0, simdjson::SIMDJSON_PADDING);
  return true;
}

simdjson::error_code MessageScanner::validate_by_walking(std::size_t size) {
  ondemand::document doc;
  if (auto error = parser_.iterate(original_.data(), size, original_.size()).get(doc)) {
    return error;
  }
  ondemand::value root;
  if (auto error = doc.get_value().get(root)) return error;
  if (auto error = validate_walk(root)) return error;
  return at_end(doc) ? simdjson::SUCCESS : simdjson::TAPE_ERROR;
}

ScanResult MessageScanner::scan_single(MessageView& message) {
  message.clear();
  if (validation_ != simdjson::SUCCESS) return invalid(validation_);
  ondemand::document doc;
  if (auto error = parser_.iterate(buffer_.data(), size_, buffer_.size()).get(doc)) {
    return invalid(error);
  }
  ondemand::json_type type;
  if (auto error = doc.type().get(type)) return invalid(error);
  if (type != ondemand::json_type::object) return invalid("the body must be a JSON object");
  ondemand::object object;
  if (auto error = doc.get_object().get(object)) return invalid(error);
  if (auto error = read_members(doc, object, message.members, &message)) return invalid(error);
  if (!at_end(doc)) return invalid("unexpected content after the JSON object");
  message.raw = minified();
  return {};
}

ScanResult MessageScanner::scan_batch(MessageView& envelope, std::vector<MessageView>& items,
                                      std::size_t& count, std::size_t max_items) {
  envelope.clear();
  count = 0;
  if (validation_ != simdjson::SUCCESS) return invalid(validation_);
  ondemand::document doc;
  if (auto error = parser_.iterate(buffer_.data(), size_, buffer_.size()).get(doc)) {
    return invalid(error);
  }
  ondemand::json_type type;
  if (auto error = doc.type().get(type)) return invalid(error);
  if (type != ondemand::json_type::object) return invalid("the body must be a JSON object");
  ondemand::object object;
  if (auto error = doc.get_object().get(object)) return invalid(error);

  bool saw_batch = false;
  for (auto field_result : object) {
    ondemand::field field;
    if (auto error = std::move(field_result).get(field)) return invalid(error);
    const char* key_begin = field.key().raw();
    std::string_view token = field.value().raw_json_token();
    Member member;
    member.key =
        std::string_view(key_begin, static_cast<std::size_t>(token.data() - 2 - key_begin));
    member.field = classify_field(member.key);
    if (member.field != Field::kBatch) {
      std::vector<Member>* nested = member.field == Field::kContext        ? &envelope.context
                                    : member.field == Field::kIntegrations ? &envelope.integrations
                                                                           : nullptr;
      if (auto error = read_member_value(doc, field.value(), member, nested)) return invalid(error);
    } else {
      saw_batch = true;
      ondemand::array array;
      if (field.value().get_array().get(array) != simdjson::SUCCESS) {
        return invalid("\"batch\" must be an array");
      }
      for (auto element_result : array) {
        ondemand::value element;
        if (auto error = std::move(element_result).get(element)) return invalid(error);
        if (count == max_items) {
          return {ScanStatus::kTooManyItems,
                  "a batch may hold at most " + std::to_string(max_items) + " messages"};
        }
        if (items.size() <= count) items.emplace_back();
        if (auto error = read_message(doc, element, items[count])) return invalid(error);
        ++count;
      }
      const char* end;
      if (auto error = doc.current_location().get(end)) return invalid(error);
      member.kind = JsonKind::kArray;
      member.value = std::string_view(token.data(), static_cast<std::size_t>(end - token.data()));
    }
    member.member = std::string_view(
        key_begin - 1,
        static_cast<std::size_t>(member.value.data() + member.value.size() - (key_begin - 1)));
    envelope.index[static_cast<std::size_t>(member.field)] =
        static_cast<std::int32_t>(envelope.members.size());
    envelope.members.push_back(member);
  }
  if (!at_end(doc)) return invalid("unexpected content after the JSON object");
  if (!saw_batch) return invalid("a batch body needs a \"batch\" array");
  envelope.raw = minified();
  return {};
}

}  // namespace sluice::api
