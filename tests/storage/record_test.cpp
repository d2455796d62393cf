#include "storage/record.hpp"

#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

#include "storage/record_group.hpp"

namespace sluice::storage {
namespace {

Record sample_record() {
  Record record;
  record.type = EventType::kGroup;
  record.received_at_ms = 1704164645678;
  record.timestamp_ms = -1;  // before the epoch: the sign must survive
  record.source = "web";
  record.message_id = "ajs-next-1700000000000-abc";
  record.ip = "2001:db8::1";
  record.json = R"({"type":"group","groupId":"g"})";
  return record;
}

void check_same(const Record& decoded, const Record& original) {
  CHECK(decoded.type == original.type);
  CHECK(decoded.received_at_ms == original.received_at_ms);
  CHECK(decoded.timestamp_ms == original.timestamp_ms);
  CHECK(decoded.source == original.source);
  CHECK(decoded.message_id == original.message_id);
  CHECK(decoded.ip == original.ip);
  CHECK(decoded.json == original.json);
}

TEST_CASE("decode_record returns what encode_record wrote", "[storage]") {
  SECTION("every field set") {
    const Record record = sample_record();
    std::string bytes;
    encode_record(record, bytes);
    const auto decoded = decode_record(bytes);
    REQUIRE(decoded.has_value());
    check_same(*decoded, record);
  }
  SECTION("empty strings") {
    Record record;
    record.type = EventType::kAlias;
    std::string bytes;
    encode_record(record, bytes);
    const auto decoded = decode_record(bytes);
    REQUIRE(decoded.has_value());
    check_same(*decoded, record);
    CHECK(decoded->json.empty());
  }
  SECTION("binary bytes, including NUL and high bytes, and long strings") {
    const std::string binary("\x00\x01\x7f\x80\xff\"\\", 7);
    const std::string long_id(300, 'm');  // a two-byte length varint
    const std::string json = std::string("{\"b\":\"") + '\xc3' + '\xa9' + "\"}" + binary;
    Record record = sample_record();
    record.source = binary;
    record.message_id = long_id;
    record.ip = binary;
    record.json = json;
    std::string bytes;
    encode_record(record, bytes);
    const auto decoded = decode_record(bytes);
    REQUIRE(decoded.has_value());
    check_same(*decoded, record);
  }
  SECTION("every event type") {
    for (int i = 0; i < kEventTypeCount; ++i) {
      Record record = sample_record();
      record.type = static_cast<EventType>(i);
      std::string bytes;
      encode_record(record, bytes);
      const auto decoded = decode_record(bytes);
      REQUIRE(decoded.has_value());
      CHECK(decoded->type == record.type);
    }
  }
  SECTION("extreme times") {
    Record record = sample_record();
    record.received_at_ms = INT64_MAX;
    record.timestamp_ms = INT64_MIN;
    std::string bytes;
    encode_record(record, bytes);
    const auto decoded = decode_record(bytes);
    REQUIRE(decoded.has_value());
    check_same(*decoded, record);
  }
}

TEST_CASE("encode_record appends to what the buffer holds", "[storage]") {
  const Record record = sample_record();
  std::string single;
  encode_record(record, single);
  std::string bytes = "head";
  encode_record(record, bytes);
  CHECK(bytes == "head" + single);
}

TEST_CASE("decode_record refuses truncated and unknown records", "[storage]") {
  Record record = sample_record();
  record.json = "";
  std::string bytes;
  encode_record(record, bytes);  // header only: every byte of it matters
  SECTION("every proper prefix of the header") {
    for (std::size_t size = 0; size < bytes.size(); ++size) {
      INFO("prefix of " << size << " bytes");
      CHECK_FALSE(decode_record(std::string_view(bytes).substr(0, size)).has_value());
    }
  }
  SECTION("an unknown format version") {
    std::string changed = bytes;
    changed[0] = 2;
    CHECK_FALSE(decode_record(changed).has_value());
    changed[0] = 0;
    CHECK_FALSE(decode_record(changed).has_value());
  }
  SECTION("an unknown event type") {
    std::string changed = bytes;
    changed[1] = static_cast<char>(kEventTypeCount);
    CHECK_FALSE(decode_record(changed).has_value());
  }
  SECTION("a string length past the end") {
    std::string changed = bytes;
    changed[18] = 0x7f;  // the source's length: 127 bytes, far more than are left
    CHECK_FALSE(decode_record(changed).has_value());
  }
}

TEST_CASE("sequence keys sort bytewise in sequence order", "[storage]") {
  const std::uint64_t values[] = {0,
                                  1,
                                  2,
                                  255,
                                  256,
                                  65535,
                                  65536,
                                  0xffffffffull,
                                  1ull << 32,
                                  1ull << 56,
                                  UINT64_MAX - 1,
                                  UINT64_MAX};
  SECTION("eight bytes, decoded back to the same number") {
    for (std::uint64_t value : values) {
      const std::string key = encode_sequence_key(value);
      CHECK(key.size() == 8);
      CHECK(decode_sequence_key(key) == value);
    }
  }
  SECTION("a < b exactly when key(a) < key(b)") {
    for (std::uint64_t a : values) {
      for (std::uint64_t b : values) {
        INFO(a << " vs " << b);
        CHECK((encode_sequence_key(a) < encode_sequence_key(b)) == (a < b));
      }
    }
  }
  SECTION("big-endian layout") {
    CHECK(encode_sequence_key(0x0102030405060708ull) == "\x01\x02\x03\x04\x05\x06\x07\x08");
  }
  SECTION("keys of another size are refused") {
    CHECK_FALSE(decode_sequence_key("").has_value());
    CHECK_FALSE(decode_sequence_key("1234567").has_value());
    CHECK_FALSE(decode_sequence_key("123456789").has_value());
  }
}

TEST_CASE("A request's records are stored as one value and read back in order", "[storage]") {
  std::vector<std::string> records;
  for (const char* json : {R"({"a":1})", R"({"b":2})", R"({"c":3})"}) {
    Record record;
    record.source = "web";
    record.message_id = json;
    record.json = json;
    encode_record(record, records.emplace_back());
  }
  std::vector<std::string> read_back;
  const auto visit_all = [&](std::uint64_t index, std::string_view bytes) {
    CHECK(index == read_back.size());
    read_back.emplace_back(bytes);
    return true;
  };

  SECTION("a group") {
    std::string value;
    encode_record_group(records, value);
    CHECK(stored_record_count(value) == 3);
    REQUIRE(for_each_stored_record(value, visit_all));
    CHECK(read_back == records);
    SECTION("truncated anywhere, it is refused") {
      for (std::size_t size = 1; size < value.size(); ++size) {
        read_back.clear();
        INFO(size);
        CHECK_FALSE(for_each_stored_record(std::string_view(value).substr(0, size),
                                           [](std::uint64_t, std::string_view) { return true; }));
      }
    }
  }
  SECTION("one record is stored as it is") {
    std::string value;
    encode_record_group({records.front()}, value);
    CHECK(value == records.front());
    CHECK(stored_record_count(value) == 1);
    REQUIRE(for_each_stored_record(value, visit_all));
    CHECK(read_back == std::vector<std::string>{records.front()});
  }
  SECTION("the visitor can stop early") {
    std::string value;
    encode_record_group(records, value);
    int visits = 0;
    CHECK(for_each_stored_record(value,
                                 [&](std::uint64_t, std::string_view) { return ++visits < 2; }));
    CHECK(visits == 2);
  }
  CHECK_FALSE(stored_record_count("").has_value());
}

}  // namespace
}  // namespace sluice::storage
