#include "admin/replay_request.hpp"

#include "api/timestamp.hpp"

namespace sluice::admin {
namespace {

namespace ondemand = simdjson::ondemand;

constexpr std::string_view kFromSequence = "from_sequence";
constexpr std::string_view kFromTime = "from_time";
constexpr std::string_view kFromTimeMs = "from_time_ms";
constexpr std::string_view kExpected =
    R"(expected a JSON object with exactly one of "from_sequence" (an integer >= 0), )"
    R"("from_time" (ISO-8601, such as "2026-11-30T12:00:00Z") or "from_time_ms" )"
    R"((milliseconds since the Unix epoch))";

std::string invalid_json(simdjson::error_code code) {
  return std::string("the body is not valid JSON: ") + simdjson::error_message(code);
}

std::optional<router::ReplayFrom> refuse(std::string* error, std::string message) {
  *error = std::move(message);
  return std::nullopt;
}

// Reads the value of one known member into from; false and *error when it is of the wrong
// type or out of range.
bool read_member(std::string_view key, ondemand::value value, router::ReplayFrom& from,
                 std::string* error) {
  if (key == kFromSequence) {
    from.kind = router::ReplayFrom::Kind::kSequence;
    if (value.get_uint64().get(from.sequence) == simdjson::SUCCESS) return true;
    *error = "from_sequence: expected an integer >= 0";
    return false;
  }
  from.kind = router::ReplayFrom::Kind::kTime;
  if (key == kFromTimeMs) {
    if (value.get_int64().get(from.time_ms) == simdjson::SUCCESS && from.time_ms >= 0) {
      return true;
    }
    *error = "from_time_ms: expected milliseconds since the Unix epoch, an integer >= 0";
    return false;
  }
  std::string_view text;
  std::optional<std::int64_t> ms;
  if (value.get_string().get(text) == simdjson::SUCCESS) ms = api::parse_timestamp(text);
  if (ms) {
    from.time_ms = *ms;
    return true;
  }
  *error = R"(from_time: expected an ISO-8601 time such as "2026-11-30T12:00:00Z")";
  return false;
}

}  // namespace

std::optional<router::ReplayFrom> ReplayRequestParser::parse(std::string_view body,
                                                             std::string* error) {
  // simdjson reads past the end of its input; the copy carries the padding it needs.
  const simdjson::padded_string input(body);
  ondemand::document document;
  ondemand::object object;
  auto code = parser_.iterate(input).get(document);
  if (code == simdjson::SUCCESS) code = document.get_object().get(object);
  if (code == simdjson::EMPTY || code == simdjson::INCORRECT_TYPE) {
    return refuse(error, std::string(kExpected));
  }
  if (code != simdjson::SUCCESS) return refuse(error, invalid_json(code));
  router::ReplayFrom from;
  std::string_view given;  // the member read so far
  for (auto member : object) {
    std::string_view key;
    ondemand::value value;
    code = member.unescaped_key().get(key);
    if (code == simdjson::SUCCESS) code = member.value().get(value);
    if (code != simdjson::SUCCESS) return refuse(error, invalid_json(code));
    if (key != kFromSequence && key != kFromTime && key != kFromTimeMs) {
      return refuse(error,
                    "unknown member \"" + std::string(key) + "\": " + std::string(kExpected));
    }
    if (given == key) return refuse(error, "\"" + std::string(key) + "\" is given twice");
    if (!given.empty()) {
      return refuse(error, "give only one of \"" + std::string(given) + "\" and \"" +
                               std::string(key) + "\"");
    }
    given = key;  // unescaped into the parser's buffer: valid until the next parse
    if (!read_member(given, value, from, error)) return std::nullopt;
  }
  // The document has no position left exactly when nothing follows the object (simdjson 3.0
  // has no document::at_end()).
  if (document.current_location().error() == simdjson::SUCCESS) {
    return refuse(error, invalid_json(simdjson::TRAILING_CONTENT));
  }
  if (given.empty()) return refuse(error, std::string(kExpected));
  return from;
}

}  // namespace sluice::admin
