#include "bench/sluice_bench/payload_generator.hpp"

#include <map>
#include <set>
#include <string>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "bench/sluice_bench/utc_timestamp.hpp"

namespace sluice::bench {
namespace {

// Generators of one run, as a worker per thread would have them.
struct GeneratorFixture {
  static constexpr std::string_view kWriteKey = "key \"with\" quotes";

  explicit GeneratorFixture(bool browser_mode = false)
      : browser(browser_mode), library(browser, kWriteKey), users(1000, 1.1) {}

  PayloadGenerator generator(std::uint32_t id) {
    return PayloadGenerator(
        library, users,
        GeneratorSettings{"sbtestrun", id, 99 + id, browser, std::string(kWriteKey)});
  }

  bool browser;
  PayloadLibrary library;
  ZipfSampler users;
  simdjson::dom::parser parser;
};

// Checks the members every generated message must have and returns its messageId.
std::string check_message(simdjson::dom::object message, std::string_view type) {
  std::string_view value;
  REQUIRE_FALSE(message["type"].get(value));
  CHECK(value == type);
  REQUIRE_FALSE(message["userId"].get(value));
  CHECK(value.starts_with("user-"));
  REQUIRE_FALSE(message["anonymousId"].get(value));
  CHECK(value.size() == 36);
  REQUIRE_FALSE(message["timestamp"].get(value));
  CHECK(value.size() == UtcTimestamp::kLength);
  CHECK(value.ends_with("Z"));
  simdjson::dom::object context;
  CHECK_FALSE(message["context"].get(context));
  CHECK(context["library"].is_object());
  if (type == "track") CHECK_FALSE(message["event"].get(value));
  if (type == "group") CHECK_FALSE(message["groupId"].get(value));
  std::string_view message_id;
  REQUIRE_FALSE(message["messageId"].get(message_id));
  return std::string(message_id);
}

TEST_CASE("PayloadGenerator writes valid single messages of each type", "[bench]") {
  const bool browser = GENERATE(false, true);
  INFO("browser " << browser);
  GeneratorFixture fixture(browser);
  PayloadGenerator generator = fixture.generator(0);
  std::set<std::string> message_ids;
  std::string body;
  for (EventType type : kEventTypes) {
    for (int i = 0; i < 200; ++i) {
      const EventRange range = generator.single(type, body);
      CHECK(range.count == 1);
      simdjson::dom::object message;
      INFO(body);
      REQUIRE_FALSE(fixture.parser.parse(body).get(message));
      const std::string id = check_message(message, event_type_name(type));
      std::string expected_id;
      generator.append_message_id(range.first, expected_id);
      CHECK(id == expected_id);
      CHECK(message_ids.insert(id).second);
      std::string_view sent_at;
      CHECK_FALSE(message["sentAt"].get(sent_at));
      std::string_view write_key;
      const bool has_key = !message["writeKey"].get(write_key);
      CHECK(has_key == browser);
      if (has_key) CHECK(write_key == GeneratorFixture::kWriteKey);
    }
  }
}

TEST_CASE("PayloadGenerator writes batches whose items follow the mix", "[bench]") {
  GeneratorFixture fixture;
  PayloadGenerator generator = fixture.generator(3);
  const EventMix mix = {1, 2, 1, 0};  // no group
  std::string body;
  std::set<std::string> message_ids;
  std::map<std::string, int> types;
  for (int request = 0; request < 20; ++request) {
    const EventRange range = generator.batch(50, mix, body);
    CHECK(range.count == 50);
    simdjson::dom::object envelope;
    REQUIRE_FALSE(fixture.parser.parse(body).get(envelope));
    simdjson::dom::array batch;
    REQUIRE_FALSE(envelope["batch"].get(batch));
    CHECK(batch.size() == 50);
    std::string_view sent_at;
    CHECK_FALSE(envelope["sentAt"].get(sent_at));
    for (simdjson::dom::element item : batch) {
      std::string_view type;
      REQUIRE_FALSE(item["type"].get(type));
      ++types[std::string(type)];
      CHECK(message_ids.insert(check_message(item.get_object(), type)).second);
    }
  }
  CHECK(types["group"] == 0);
  CHECK(types["identify"] > 100);
  CHECK(types["track"] > types["identify"]);
  CHECK(types["page"] > 100);
}

TEST_CASE("PayloadGenerator messageIds are unique across the generators of a run", "[bench]") {
  GeneratorFixture fixture;
  std::set<std::string> message_ids;
  std::string body;
  for (std::uint32_t id : {0u, 1u, 10u, 11u}) {  // "1-1..." vs "11-..." must not collide
    PayloadGenerator generator = fixture.generator(id);
    for (int i = 0; i < 120; ++i) {
      const EventRange range = generator.single(EventType::kTrack, body);
      std::string message_id;
      generator.append_message_id(range.first, message_id);
      CHECK(message_ids.insert(message_id).second);
      CHECK(body.find("\"messageId\":\"" + message_id + "\"") != std::string::npos);
    }
  }
  CHECK(message_ids.size() == 480);
}

TEST_CASE("PayloadGenerator varies users along a Zipf distribution", "[bench]") {
  GeneratorFixture fixture;
  PayloadGenerator generator = fixture.generator(0);
  std::map<std::string, int> users;
  std::string body;
  for (int i = 0; i < 5000; ++i) {
    generator.single(EventType::kTrack, body);
    simdjson::dom::object message;
    REQUIRE_FALSE(fixture.parser.parse(body).get(message));
    std::string_view user;
    REQUIRE_FALSE(message["userId"].get(user));
    ++users[std::string(user)];
  }
  CHECK(users.size() > 200);                 // many users ...
  CHECK(users["user-1"] > users["user-2"]);  // ... few of them busy
  CHECK(users["user-1"] > 5000 / 20);
}

TEST_CASE("UtcTimestamp formats times as the SDKs do", "[bench]") {
  UtcTimestamp clock;
  using std::chrono::milliseconds;
  const std::chrono::system_clock::time_point time(milliseconds(1'795'984'768'963));
  CHECK(clock.format(time) == "2026-11-29T20:39:28.963Z");
  CHECK(clock.format(time + milliseconds(40)) == "2026-11-29T20:39:29.003Z");
  CHECK(clock.format(std::chrono::system_clock::time_point(milliseconds(0))) ==
        "1970-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace sluice::bench
