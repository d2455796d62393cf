#include "storage/dead_letter.hpp"

#include "storage/record.hpp"

namespace sluice::storage {
namespace {

constexpr std::uint8_t kFormatVersion = 1;
constexpr std::size_t kFixedBytes = 1 + 5 * 8;

void put_u64(std::string& out, std::uint64_t value) {
  out += encode_sequence_key(value);  // 8 bytes, big-endian
}

std::uint64_t get_u64(std::string_view& in) {
  const std::uint64_t value = decode_sequence_key(in.substr(0, 8)).value_or(0);
  in.remove_prefix(8);
  return value;
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
  std::string out;
  out.reserve(kFixedBytes + letter.reason.size());
  out.push_back(static_cast<char>(kFormatVersion));
  put_u64(out, letter.first_sequence);
  put_u64(out, letter.last_sequence);
  put_u64(out, letter.events);
  put_u64(out, letter.attempts);
  put_u64(out, static_cast<std::uint64_t>(letter.dead_lettered_at_ms));
  out += letter.reason;
  return out;
}

std::optional<DeadLetter> decode_dead_letter(std::string_view key, std::string_view value) {
  const std::size_t separator = key.find('\0');
  if (separator == std::string_view::npos || key.size() != separator + 1 + 8) return std::nullopt;
  if (value.size() < kFixedBytes || static_cast<std::uint8_t>(value[0]) != kFormatVersion) {
    return std::nullopt;
  }
  value.remove_prefix(1);
  DeadLetter letter;
  letter.destination = std::string(key.substr(0, separator));
  letter.first_sequence = get_u64(value);
  letter.last_sequence = get_u64(value);
  letter.events = get_u64(value);
  letter.attempts = get_u64(value);
  letter.dead_lettered_at_ms = static_cast<std::int64_t>(get_u64(value));
  letter.reason = std::string(value);
  // The key repeats the first sequence; a disagreement means the entry is not ours.
  if (decode_sequence_key(key.substr(separator + 1)) != letter.first_sequence) return std::nullopt;
  return letter;
}

}  // namespace sluice::storage
