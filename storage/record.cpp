#include "storage/record.hpp"

#include <cstring>

namespace sluice::storage {
namespace {

constexpr std::uint8_t kFormatVersion = 1;

void put_fixed64(std::string& out, std::uint64_t value) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  out.append(bytes, 8);
}

void put_varint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void put_string(std::string& out, std::string_view text) {
  put_varint(out, text.size());
  out.append(text);
}

// Reads from the front of a byte range, failing (and staying failed) on truncation.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}

  bool ok() const { return ok_; }
  std::string_view rest() const { return rest_; }

  std::uint8_t byte() {
    if (rest_.empty()) return fail(), 0;
    auto value = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return value;
  }

  std::uint64_t fixed64() {
    if (rest_.size() < 8) return fail(), 0;
    std::uint64_t value = 0;
    for (int i = 0; i < 8; ++i) {
      value |= std::uint64_t{static_cast<std::uint8_t>(rest_[i])} << (8 * i);
    }
    rest_.remove_prefix(8);
    return value;
  }

  std::uint64_t varint() {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      std::uint8_t b = byte();
      if (!ok_) return 0;
      value |= std::uint64_t{b & 0x7fu} << shift;
      if ((b & 0x80) == 0) return value;
    }
    return fail(), 0;
  }

  std::string_view string() {
    std::uint64_t size = varint();
    if (!ok_ || size > rest_.size()) return fail(), std::string_view{};
    std::string_view value = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return value;
  }

 private:
  void fail() { ok_ = false; }

  std::string_view rest_;
  bool ok_ = true;
};

}  // namespace

void encode_record(const Record& record, std::string& out) {
  out.reserve(out.size() + 32 + record.source.size() + record.message_id.size() + record.ip.size() +
              record.json.size());
  out.push_back(static_cast<char>(kFormatVersion));
  out.push_back(static_cast<char>(record.type));
  put_fixed64(out, static_cast<std::uint64_t>(record.received_at_ms));
  put_fixed64(out, static_cast<std::uint64_t>(record.timestamp_ms));
  put_string(out, record.source);
  put_string(out, record.message_id);
  put_string(out, record.ip);
  out.append(record.json);
}

std::optional<Record> decode_record(std::string_view bytes) {
  Reader reader(bytes);
  if (reader.byte() != kFormatVersion) return std::nullopt;
  Record record;
  std::uint8_t type = reader.byte();
  if (type >= kEventTypeCount) return std::nullopt;
  record.type = static_cast<EventType>(type);
  record.received_at_ms = static_cast<std::int64_t>(reader.fixed64());
  record.timestamp_ms = static_cast<std::int64_t>(reader.fixed64());
  record.source = reader.string();
  record.message_id = reader.string();
  record.ip = reader.string();
  if (!reader.ok()) return std::nullopt;
  record.json = reader.rest();
  return record;
}

SequenceKey sequence_key(std::uint64_t sequence) {
  SequenceKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<char>(sequence >> (8 * (key.size() - 1 - i)));
  }
  return key;
}

std::string encode_sequence_key(std::uint64_t sequence) {
  const SequenceKey key = sequence_key(sequence);
  return {key.data(), key.size()};
}

std::optional<std::uint64_t> decode_sequence_key(std::string_view key) {
  if (key.size() != 8) return std::nullopt;
  std::uint64_t sequence = 0;
  for (char c : key) sequence = (sequence << 8) | static_cast<std::uint8_t>(c);
  return sequence;
}

}  // namespace sluice::storage
