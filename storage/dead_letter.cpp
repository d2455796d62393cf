#include "storage/dead_letter.hpp"

#include "storage/record.hpp"

namespace sluice::storage {
namespace {

constexpr std::uint8_t kVersionWithoutContents = 1;
constexpr std::uint8_t kVersion = 2;
constexpr std::size_t kFixedBytes = 1 + 5 * 8;

void put_u64(std::string& out, std::uint64_t value) {
  out += encode_sequence_key(value);  // 8 bytes, big-endian
}

// Reads 8 bytes off the front of in; false when fewer are left.
bool get_u64(std::string_view& in, std::uint64_t* value) {
  if (in.size() < 8) return false;
  *value = decode_sequence_key(in.substr(0, 8)).value_or(0);
  in.remove_prefix(8);
  return true;
}

// Reads a u64 length and that many bytes off the front of in.
bool get_bytes(std::string_view& in, std::string_view* bytes) {
  std::uint64_t size = 0;
  if (!get_u64(in, &size) || size > in.size()) return false;
  *bytes = in.substr(0, size);
  in.remove_prefix(size);
  return true;
}

bool decode_contents(std::string_view in, std::vector<DeadLetterEvent>* contents) {
  while (!in.empty()) {
    DeadLetterEvent event;
    std::string_view record;
    if (!get_u64(in, &event.sequence) || !get_bytes(in, &record)) return false;
    event.record = std::string(record);
    contents->push_back(std::move(event));
  }
  return true;
}

}  // namespace

std::string dead_letter_prefix(std::string_view destination) {
  std::string prefix(destination);
  prefix.push_back('\0');
  return prefix;
}

std::string dead_letter_key(std::string_view destination, std::uint64_t first_sequence) {
  return dead_letter_prefix(destination) + encode_sequence_key(first_sequence);
}

std::string encode_dead_letter_value(const DeadLetter& letter) {
  std::size_t size = kFixedBytes + 8 + letter.reason.size();
  for (const DeadLetterEvent& event : letter.contents) size += 16 + event.record.size();
  std::string out;
  out.reserve(size);
  out.push_back(static_cast<char>(kVersion));
  put_u64(out, letter.first_sequence);
  put_u64(out, letter.last_sequence);
  put_u64(out, letter.events);
  put_u64(out, letter.attempts);
  put_u64(out, static_cast<std::uint64_t>(letter.dead_lettered_at_ms));
  put_u64(out, letter.reason.size());
  out += letter.reason;
  for (const DeadLetterEvent& event : letter.contents) {
    put_u64(out, event.sequence);
    put_u64(out, event.record.size());
    out += event.record;
  }
  return out;
}

std::optional<DeadLetter> decode_dead_letter(std::string_view key, std::string_view value,
                                             bool with_contents) {
  const std::size_t separator = key.find('\0');
  if (separator == std::string_view::npos || key.size() != separator + 1 + 8) return std::nullopt;
  if (value.size() < kFixedBytes) return std::nullopt;
  const auto version = static_cast<std::uint8_t>(value[0]);
  if (version != kVersion && version != kVersionWithoutContents) return std::nullopt;
  value.remove_prefix(1);
  DeadLetter letter;
  letter.destination = std::string(key.substr(0, separator));
  std::uint64_t at = 0;
  get_u64(value, &letter.first_sequence);
  get_u64(value, &letter.last_sequence);
  get_u64(value, &letter.events);
  get_u64(value, &letter.attempts);
  get_u64(value, &at);
  letter.dead_lettered_at_ms = static_cast<std::int64_t>(at);
  if (version == kVersionWithoutContents) {
    letter.reason = std::string(value);
  } else {
    std::string_view reason;
    if (!get_bytes(value, &reason)) return std::nullopt;
    letter.reason = std::string(reason);
    if (with_contents && !decode_contents(value, &letter.contents)) return std::nullopt;
  }
  // The key repeats the first sequence; a disagreement means the entry is not ours.
  if (decode_sequence_key(key.substr(separator + 1)) != letter.first_sequence) return std::nullopt;
  return letter;
}

}  // namespace sluice::storage
