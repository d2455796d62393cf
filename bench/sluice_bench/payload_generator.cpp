#include "bench/sluice_bench/payload_generator.hpp"

#include <cassert>
#include <charconv>

#include "bench/sluice_bench/json_text.hpp"

namespace sluice::bench {
namespace {

// Mixed into the user's rank to make its anonymousId: a constant, so a user keeps the same
// anonymousId from run to run like a returning visitor's browser.
constexpr std::uint64_t kAnonymousSeed = 0x5eed'a11c'e0ff'1ce5ULL;

void append_number(std::string& out, std::uint64_t value) {
  char digits[20];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

// A UUID-shaped id derived from the user's rank (8-4-4-4-12 hex digits, version 4 bits set).
void append_anonymous_id(std::string& out, std::uint64_t user) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t state = user ^ kAnonymousSeed;
  std::uint64_t high = splitmix64(state);
  std::uint64_t low = splitmix64(state);
  high = (high & ~0xf000ULL) | 0x4000ULL;
  low = (low & ~(3ULL << 62)) | (2ULL << 62);
  char text[36];
  std::size_t at = 0;
  for (int nibble = 0; nibble < 32; ++nibble) {
    if (nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20) text[at++] = '-';
    const std::uint64_t word = nibble < 16 ? high : low;
    text[at++] = kHex[(word >> (60 - 4 * (nibble % 16))) & 0xf];
  }
  out.append(text, sizeof text);
}

}  // namespace

PayloadGenerator::PayloadGenerator(const PayloadLibrary& library, const ZipfSampler& users,
                                   GeneratorSettings settings)
    : library_(library),
      users_(users),
      settings_(std::move(settings)),
      random_(settings_.seed),
      message_id_prefix_(settings_.run_id + "-" + std::to_string(settings_.generator_id) + "-") {}

void PayloadGenerator::append_message_id(std::uint64_t counter, std::string& out) const {
  out += message_id_prefix_;
  append_number(out, counter);
}

EventType PayloadGenerator::pick(const EventMix& mix) {
  std::uint64_t total = 0;
  for (std::uint32_t weight : mix) total += weight;
  assert(total > 0);  // the options parser refuses a mix without weight
  std::uint64_t draw = random_.below(total);
  for (EventType type : kEventTypes) {
    const std::uint32_t weight = mix[static_cast<std::size_t>(type)];
    if (draw < weight) return type;
    draw -= weight;
  }
  return EventType::kTrack;
}

void PayloadGenerator::append_message(EventType type, std::string_view timestamp,
                                      std::string& body) {
  const auto& choices = library_.templates(type);
  const PayloadTemplate& chosen = choices[random_.below(choices.size())];
  const std::uint64_t user = users_.sample(random_);
  for (const TemplatePart& part : chosen) {
    body += part.literal;
    switch (part.slot) {
      case Slot::kEnd:
        break;
      case Slot::kUserId:
        body += "user-";
        append_number(body, user);
        break;
      case Slot::kAnonymousId:
        append_anonymous_id(body, user);
        break;
      case Slot::kMessageId:
        append_message_id(next_counter_, body);
        break;
      case Slot::kTimestamp:
        body += timestamp;
        break;
    }
  }
  ++next_counter_;
}

EventRange PayloadGenerator::single(EventType type, std::string& body) {
  body.clear();
  const EventRange range{next_counter_, 1};
  const std::string_view now = clock_.now();
  append_message(type, now, body);
  body += ",\"sentAt\":\"";
  body += now;
  body += "\"}";
  return range;
}

EventRange PayloadGenerator::batch(std::uint32_t events, const EventMix& mix, std::string& body) {
  body.clear();
  const EventRange range{next_counter_, events};
  const std::string_view now = clock_.now();
  body += "{\"batch\":[";
  for (std::uint32_t i = 0; i < events; ++i) {
    if (i != 0) body += ',';
    append_message(pick(mix), now, body);
    body += '}';
  }
  body += "],\"sentAt\":\"";
  body += now;
  body += '"';
  if (settings_.browser) {
    body += ",\"writeKey\":\"";
    append_json_escaped(body, settings_.write_key);
    body += '"';
  }
  body += '}';
  return range;
}

}  // namespace sluice::bench
