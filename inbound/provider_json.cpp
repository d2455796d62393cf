#include "inbound/provider_json.hpp"

#include <cmath>

#include "api/timestamp.hpp"
#include "inbound/signatures.hpp"

namespace sluice::inbound {
namespace {

// Unix seconds; a value no count of seconds reaches before the year 5000 is taken as Unix
// milliseconds, which some tools send.
std::int64_t seconds_to_ms(double seconds) {
  constexpr double kMillisecondsFrom = 1e11;
  constexpr double kMillisecondsUpTo = 1e14;
  if (!std::isfinite(seconds) || seconds <= 0 || seconds >= kMillisecondsUpTo) return 0;
  if (seconds >= kMillisecondsFrom) return static_cast<std::int64_t>(std::llround(seconds));
  return static_cast<std::int64_t>(std::llround(seconds * 1000.0));
}

// "1700000000" or "1700000000.25": Unix seconds in a string.
std::int64_t numeric_text_ms(std::string_view text) {
  if (text.empty()) return 0;
  bool dot = false;
  for (char c : text) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c < '0' || c > '9') {
      return 0;
    }
  }
  return seconds_to_ms(std::strtod(std::string(text).c_str(), nullptr));
}

}  // namespace

std::string text_of(simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(element.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
    case simdjson::dom::element_type::BOOL:
      return simdjson::minify(element);
    default:
      return {};
  }
}

std::string text_member(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element element;
  if (object.at_key(key).get(element) != simdjson::SUCCESS) return {};
  return text_of(element);
}

std::int64_t time_of_ms(simdjson::dom::element element) {
  switch (element.type()) {
    case simdjson::dom::element_type::INT64:
      return seconds_to_ms(static_cast<double>(element.get_int64().value_unsafe()));
    case simdjson::dom::element_type::UINT64:
      return seconds_to_ms(static_cast<double>(element.get_uint64().value_unsafe()));
    case simdjson::dom::element_type::DOUBLE:
      return seconds_to_ms(element.get_double().value_unsafe());
    case simdjson::dom::element_type::STRING: {
      const std::string_view text = element.get_string().value_unsafe();
      if (const std::int64_t ms = numeric_text_ms(text); ms != 0) return ms;
      return api::parse_timestamp(text).value_or(0);
    }
    default:
      return 0;
  }
}

std::int64_t time_member_ms(simdjson::dom::object object, std::string_view key) {
  simdjson::dom::element element;
  if (object.at_key(key).get(element) != simdjson::SUCCESS) return 0;
  return time_of_ms(element);
}

std::string derived_event_id(std::string_view provider,
                             std::initializer_list<std::string_view> parts) {
  std::string identity;
  for (const std::string_view part : parts) {
    identity.append(part);
    identity.push_back('\n');
  }
  return to_hex(hmac_sha256("sluice " + std::string(provider) + " event id", identity));
}

}  // namespace sluice::inbound
