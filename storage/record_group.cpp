#include "storage/record_group.hpp"

#include <cstring>

namespace sluice::storage {
namespace {

// Not a record format version (those count up from 1), so the two kinds of value cannot be
// mistaken for each other.
constexpr std::uint8_t kGroupMarker = 0xB1;

void put_u32(std::string& out, std::uint32_t value) {
  char bytes[4];
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
  out.append(bytes, 4);
}

bool get_u32(std::string_view& in, std::uint32_t* value) {
  if (in.size() < 4) return false;
  *value = 0;
  for (int i = 0; i < 4; ++i) {
    *value |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << (8 * i);
  }
  in.remove_prefix(4);
  return true;
}

bool is_group(std::string_view value) {
  return !value.empty() && static_cast<std::uint8_t>(value[0]) == kGroupMarker;
}

}  // namespace

void encode_record_group(const std::vector<std::string>& records, std::string& out) {
  if (records.size() == 1) {
    out += records.front();
    return;
  }
  std::size_t size = 1 + 4;
  for (const std::string& record : records) size += 4 + record.size();
  out.reserve(out.size() + size);
  out.push_back(static_cast<char>(kGroupMarker));
  put_u32(out, static_cast<std::uint32_t>(records.size()));
  for (const std::string& record : records) {
    put_u32(out, static_cast<std::uint32_t>(record.size()));
    out += record;
  }
}

std::optional<std::uint64_t> stored_record_count(std::string_view value) {
  if (value.empty()) return std::nullopt;
  if (!is_group(value)) return 1;
  value.remove_prefix(1);
  std::uint32_t count = 0;
  if (!get_u32(value, &count) || count == 0) return std::nullopt;
  return count;
}

bool for_each_stored_record(std::string_view value,
                            const std::function<bool(std::uint64_t, std::string_view)>& visit) {
  if (value.empty()) return false;
  if (!is_group(value)) {
    visit(0, value);
    return true;
  }
  value.remove_prefix(1);
  std::uint32_t count = 0;
  if (!get_u32(value, &count) || count == 0) return false;
  for (std::uint32_t index = 0; index < count; ++index) {
    std::uint32_t size = 0;
    if (!get_u32(value, &size) || size > value.size()) return false;
    if (!visit(index, value.substr(0, size))) return true;
    value.remove_prefix(size);
  }
  return value.empty();
}

}  // namespace sluice::storage
