#pragma once

// What the provider readers share: reading strings, numbers and times out of simdjson
// elements the way providers write them (a field may be absent, null, a number or a string).

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace sluice::inbound {

// The member's text: a string as is, a number or boolean as its JSON text; empty when absent,
// null, an object or an array.
std::string text_member(simdjson::dom::object object, std::string_view key);
std::string text_of(simdjson::dom::element element);

// A time as providers send it: Unix seconds (an integer, a fraction, or a string of either;
// values from 1e11 up are Unix milliseconds) or ISO-8601 text; 0 when absent or unreadable.
std::int64_t time_member_ms(simdjson::dom::object object, std::string_view key);
std::int64_t time_of_ms(simdjson::dom::element element);

// An event id made from what tells one event from the others of its message, for providers
// (or relays) that give none: a digest, keyed by the provider's name, of the parts, so that a
// resent event gets the same id and two providers' ids never meet. The parts and their order
// are fixed once ids are stored: changing them would give old events new ids.
std::string derived_event_id(std::string_view provider,
                             std::initializer_list<std::string_view> parts);

}  // namespace sluice::inbound
