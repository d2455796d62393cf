#include "api/event_writer.hpp"

#include <random>

#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>

#include "api/json_string.hpp"
#include "api/timestamp.hpp"
#include "storage/record.hpp"

namespace sluice::api {
namespace {

std::optional<std::int64_t> time_of(const Member* member) {
  if (!member || member->kind != JsonKind::kString) return std::nullopt;
  return parse_timestamp(member->text);
}

void append_timestamp(std::string& out, std::string_view key, std::int64_t ms) {
  char text[kTimestampLength];
  format_timestamp(ms, text);
  out += ",\"";
  out += key;
  out += "\":\"";
  out.append(text, kTimestampLength);
  out += '"';
}

bool has_key(const std::vector<Member>& members, std::string_view key) {
  for (const auto& member : members) {
    if (member.key == key) return true;
  }
  return false;
}

const Member* find_key(const std::vector<Member>& members, std::string_view key) {
  for (const auto& member : members) {
    if (member.key == key) return &member;
  }
  return nullptr;
}

// Members the server adds to context when neither the message nor its envelope has them.
struct AddedContext {
  std::string_view ip;          // a peer or forwarded address: nothing to escape
  std::string_view user_agent;  // a request header: escaped
};

// Writes `,"name":{own members, then the envelope's members the message does not have}`,
// plus the added members that are not empty. Writes nothing when all are empty.
void append_merged_object(std::string& out, std::string_view name, const std::vector<Member>& own,
                          const std::vector<Member>* envelope, const AddedContext& added) {
  bool any = !own.empty() || !added.ip.empty() || !added.user_agent.empty() ||
             (envelope && !envelope->empty());
  if (!any) return;
  out += ",\"";
  out += name;
  out += "\":{";
  bool first = true;
  auto add = [&](std::string_view member) {
    if (!first) out += ',';
    out += member;
    first = false;
  };
  for (const auto& member : own) add(member.member);
  if (envelope) {
    for (const auto& member : *envelope) {
      if (!has_key(own, member.key)) add(member.member);
    }
  }
  if (!added.ip.empty()) {
    if (!first) out += ',';
    out += "\"ip\":\"";
    out += added.ip;
    out += '"';
    first = false;
  }
  if (!added.user_agent.empty()) {
    if (!first) out += ',';
    out += "\"userAgent\":";
    append_json_string(out, added.user_agent, InvalidUtf8::kReplace);
  }
  out += '}';
}

bool is_id_field(Field field) {
  return field == Field::kUserId || field == Field::kAnonymousId || field == Field::kGroupId ||
         field == Field::kPreviousId;
}

// Fields the server writes itself; the message's own copies are not kept.
bool is_replaced_field(Field field) {
  switch (field) {
    case Field::kType:
    case Field::kMessageId:
    case Field::kTimestamp:
    case Field::kOriginalTimestamp:
    case Field::kSentAt:
    case Field::kReceivedAt:
    case Field::kContext:
    case Field::kIntegrations:
    case Field::kWriteKey:
    case Field::kVersion:
      return true;
    default:
      return false;
  }
}

}  // namespace

// A version 4 UUID from a per-thread generator seeded once: generating one per message must
// not cost a getrandom() call.
std::string new_message_id() {
  thread_local boost::uuids::basic_random_generator<std::mt19937_64> generator{[] {
    static thread_local std::mt19937_64 engine{std::random_device{}()};
    return &engine;
  }()};
  return boost::uuids::to_string(generator());
}

EventTimes correct_timestamp(std::optional<std::int64_t> original_ms,
                             std::optional<std::int64_t> sent_at_ms, std::int64_t received_ms) {
  if (!original_ms) return {received_ms, received_ms};
  if (!sent_at_ms) return {*original_ms, *original_ms};
  return {received_ms - (*sent_at_ms - *original_ms), *original_ms};
}

std::string_view write_event_record(const MessageView& message, const MessageView* envelope,
                                    const Enrichment& enrichment, std::string& out) {
  auto original = time_of(message.get(Field::kOriginalTimestamp));
  if (!original) original = time_of(message.get(Field::kTimestamp));
  const Member* sent_member = message.get(Field::kSentAt);
  auto sent_at = time_of(sent_member);
  if (!sent_at && envelope) sent_at = time_of(envelope->get(Field::kSentAt));
  EventTimes times = correct_timestamp(original, sent_at, enrichment.received_at_ms);

  std::string generated_id;
  std::string_view message_id_text;  // unescaped, for the record header
  // The JSON string as sent, quotes included; empty when the id is written as `"<text>"`
  // (numbers, generated ids: neither needs escaping).
  std::string_view message_id_json;
  if (const Member* id = message.get_non_null(Field::kMessageId);
      id && id->kind == JsonKind::kString && !id->text.empty()) {
    message_id_text = id->text;
    message_id_json = id->value;
  } else if (id && id->kind == JsonKind::kNumber) {
    message_id_text = id->value;
  } else {
    generated_id = new_message_id();
    message_id_text = generated_id;
  }

  const std::vector<Member>* envelope_context = envelope ? &envelope->context : nullptr;
  const Member* ip = find_key(message.context, "ip");
  if (!ip && envelope_context) ip = find_key(*envelope_context, "ip");
  const Member* direct = find_key(message.context, "direct");
  if (!direct && envelope_context) direct = find_key(*envelope_context, "direct");
  bool client_side =
      enrichment.client_side || (direct && direct->kind == JsonKind::kBool && direct->bool_value);
  std::string_view stored_ip;
  AddedContext added;
  if (ip) {
    stored_ip = ip->kind == JsonKind::kString ? ip->text : std::string_view{};
  } else if (client_side && !enrichment.client_ip.empty()) {
    stored_ip = added.ip = enrichment.client_ip;
  }
  if (!enrichment.user_agent.empty() && !find_key(message.context, "userAgent") &&
      !(envelope_context && find_key(*envelope_context, "userAgent"))) {
    added.user_agent = enrichment.user_agent;
  }

  storage::Record header;
  header.type = enrichment.type;
  header.received_at_ms = enrichment.received_at_ms;
  header.timestamp_ms = times.timestamp_ms;
  header.source = enrichment.source;
  header.message_id = message_id_text;
  header.ip = stored_ip;
  storage::encode_record(header, out);  // the JSON follows the header to the record's end

  out.reserve(out.size() + message.raw.size() + 256);
  out += '{';
  bool first = true;
  for (std::size_t i = 0; i < message.members.size(); ++i) {
    const Member& member = message.members[i];
    if (is_replaced_field(member.field)) continue;
    // Of a duplicated well-known key only the last occurrence counts, as for the checks.
    if (member.field != Field::kOther &&
        message.index[static_cast<std::size_t>(member.field)] != static_cast<std::int32_t>(i)) {
      continue;
    }
    if (!first) out += ',';
    first = false;
    if (is_id_field(member.field) && member.kind == JsonKind::kNumber) {
      out += '"';
      out += member.key;
      out += "\":\"";
      out += member.value;
      out += '"';
    } else {
      out += member.member;
    }
  }
  if (!first) out += ',';
  out += "\"type\":\"";
  out += storage::to_string(enrichment.type);
  out += "\",\"messageId\":";
  if (message_id_json.empty()) {
    out += '"';
    out += message_id_text;
    out += '"';
  } else {
    out += message_id_json;
  }
  append_timestamp(out, "timestamp", times.timestamp_ms);
  append_timestamp(out, "originalTimestamp", times.original_ms);
  append_timestamp(out, "receivedAt", enrichment.received_at_ms);
  if (sent_at) {
    append_timestamp(out, "sentAt", *sent_at);
  } else if (sent_member && sent_member->kind != JsonKind::kNull) {
    out += ',';
    out += sent_member->member;  // unparseable: kept as sent
  }
  append_merged_object(out, "context", message.context, envelope_context, added);
  append_merged_object(out, "integrations", message.integrations,
                       envelope ? &envelope->integrations : nullptr, AddedContext{});
  out += ",\"version\":2}";
  return generated_id.empty() ? message_id_text : std::string_view();
}

}  // namespace sluice::api
