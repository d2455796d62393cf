#include "api/message_scanner.hpp"

namespace sluice::api {

// Where the messages of a batch body's `batch` array go, and what was wrong with it: a body
// is checked whole before its shape is judged, so that malformed JSON is always reported as such.
struct MessageScanner::BatchTarget {
  std::vector<MessageView>& items;
  std::size_t& count;
  std::size_t max_items;
  bool seen = false;
  bool not_array = false;
  bool too_many = false;
};

namespace {

ScanResult invalid(std::string detail) {
  return {ScanStatus::kInvalidJson, std::move(detail)};
}

}  // namespace

void MessageScanner::start(std::string_view body) {
  // Minifying only removes bytes, and decoding escapes only shortens strings.
  if (minified_.size() < body.size()) minified_.resize(body.size());
  if (unescaped_.size() < body.size()) unescaped_.resize(body.size());
  unescaped_size_ = 0;
  size_ = 0;
  reader_.start(body, minified_.data());
}

bool MessageScanner::finish() {
  if (reader_.failed()) return false;
  if (!reader_.at_end()) return reader_.fail(JsonError::kTrailingContent);
  size_ = static_cast<std::size_t>(reader_.written() - minified_.data());
  return true;
}

ScanResult MessageScanner::malformed() const {
  std::string detail = "malformed JSON";
  if (reader_.error() != JsonError::kInvalidUtf8) {
    detail += " at byte " + std::to_string(reader_.error_offset());
  }
  detail += ": ";
  detail += describe(reader_.error());
  return invalid(std::move(detail));
}

ScanResult MessageScanner::not_an_object() {
  reader_.skip_value(1);
  if (!finish()) return malformed();
  return invalid("the body must be a JSON object");
}

std::string_view MessageScanner::since(const char* begin) const {
  return {begin, static_cast<std::size_t>(reader_.written() - begin)};
}

std::string_view MessageScanner::text_of(std::string_view string_token, bool escaped) {
  std::string_view inside = string_token.substr(1, string_token.size() - 2);
  if (!escaped) return inside;
  char* out = unescaped_.data() + unescaped_size_;
  const std::size_t length = unescape_json_string(inside, out);
  unescaped_size_ += length;
  return {out, length};
}

bool MessageScanner::read_members(std::vector<Member>& members, MessageView* message, int depth,
                                  BatchTarget* batch) {
  if (depth > JsonReader::kMaxDepth) return reader_.fail(JsonError::kTooDeep);
  reader_.consume('{');
  if (reader_.consume('}')) return true;
  for (;;) {
    if (reader_.peek() != '"') return reader_.fail(JsonError::kExpectedKey);
    const char* key_begin = reader_.written();
    bool escaped = false;
    if (!reader_.read_string(escaped)) return false;
    // Filled in place: building it aside and copying it in costs a store-forwarding stall per
    // member.
    Member& member = members.emplace_back();
    // Keys are compared unescaped, so no spelling of a field slips past the rules.
    member.key = text_of(since(key_begin), escaped);
    if (!reader_.consume(':')) return reader_.fail(JsonError::kExpectedColon);
    std::vector<Member>* nested = nullptr;
    if (message) {
      member.field = classify_field(member.key);
      if (member.field == Field::kContext) nested = &message->context;
      if (member.field == Field::kIntegrations) nested = &message->integrations;
    }
    const bool ok = batch && member.field == Field::kBatch
                        ? read_batch(member, *batch, depth + 1)
                        : read_member_value(member, nested, depth + 1);
    if (!ok) return false;
    member.member = since(key_begin);
    if (message && member.field != Field::kOther) {
      auto& last = message->index[static_cast<std::size_t>(member.field)];
      if (last >= 0 && message->repeated == Field::kOther) message->repeated = member.field;
      last = static_cast<std::int32_t>(members.size() - 1);
    }
    if (reader_.consume(',')) continue;
    if (reader_.consume('}')) return true;
    return reader_.fail(JsonError::kExpectedCommaOrBrace);
  }
}

bool MessageScanner::read_member_value(Member& member, std::vector<Member>* nested, int depth) {
  const char* begin = reader_.written();
  bool ok = false;
  switch (reader_.peek()) {
    case '"': {
      member.kind = JsonKind::kString;
      bool escaped = false;
      ok = reader_.read_string(escaped);
      if (ok) member.text = text_of(since(begin), escaped);
      break;
    }
    case 't':
      member.kind = JsonKind::kBool;
      member.bool_value = true;
      ok = reader_.read_literal("true");
      break;
    case 'f':
      member.kind = JsonKind::kBool;
      ok = reader_.read_literal("false");
      break;
    case 'n':
      member.kind = JsonKind::kNull;
      ok = reader_.read_literal("null");
      break;
    case '{':
      member.kind = JsonKind::kObject;
      if (nested) {
        nested->clear();
        ok = read_members(*nested, nullptr, depth, nullptr);
      } else {
        ok = reader_.skip_value(depth);
      }
      break;
    case '[':
      member.kind = JsonKind::kArray;
      ok = reader_.skip_value(depth);
      break;
    default:  // a number, or the error for what is not a value
      member.kind = JsonKind::kNumber;
      ok = reader_.skip_value(depth);
      break;
  }
  member.value = since(begin);
  return ok;
}

bool MessageScanner::read_message(MessageView& message, int depth) {
  message.clear();
  const char* begin = reader_.written();
  bool ok = false;
  if (reader_.peek() == '{') {
    ok = read_members(message.members, &message, depth, nullptr);
  } else {
    message.is_object = false;
    ok = reader_.skip_value(depth);
  }
  message.raw = since(begin);
  return ok;
}

bool MessageScanner::read_batch(Member& member, BatchTarget& batch, int depth) {
  batch.seen = true;
  member.kind = JsonKind::kArray;
  const char* begin = reader_.written();
  if (reader_.peek() != '[') {
    batch.not_array = true;
    const bool ok = reader_.skip_value(depth);
    member.value = since(begin);
    return ok;
  }
  if (depth > JsonReader::kMaxDepth) return reader_.fail(JsonError::kTooDeep);
  reader_.consume('[');
  if (!reader_.consume(']')) {
    for (;;) {
      if (batch.count == batch.max_items) {
        batch.too_many = true;
        if (!reader_.skip_value(depth + 1)) return false;
      } else {
        if (batch.items.size() <= batch.count) batch.items.emplace_back();
        if (!read_message(batch.items[batch.count], depth + 1)) return false;
        ++batch.count;
      }
      if (reader_.consume(',')) continue;
      if (reader_.consume(']')) break;
      return reader_.fail(JsonError::kExpectedCommaOrBracket);
    }
  }
  member.value = since(begin);
  return true;
}

ScanResult MessageScanner::scan_single(std::string_view body, MessageView& message) {
  message.clear();
  start(body);
  if (reader_.peek() != '{') return not_an_object();
  if (!read_members(message.members, &message, 1, nullptr) || !finish()) return malformed();
  message.raw = minified();
  return {};
}

ScanResult MessageScanner::scan_batch(std::string_view body, MessageView& envelope,
                                      std::vector<MessageView>& items, std::size_t& count,
                                      std::size_t max_items) {
  envelope.clear();
  count = 0;
  start(body);
  if (reader_.peek() != '{') return not_an_object();
  BatchTarget batch{items, count, max_items};
  if (!read_members(envelope.members, &envelope, 1, &batch) || !finish()) return malformed();
  if (!batch.seen) return invalid("a batch body needs a \"batch\" array");
  if (batch.not_array) return invalid("\"batch\" must be an array");
  if (batch.too_many) {
    return {ScanStatus::kTooManyItems,
            "a batch may hold at most " + std::to_string(max_items) + " messages"};
  }
  envelope.raw = minified();
  return {};
}

}  // namespace sluice::api
