#pragma once

// Helpers shared by the api tests: parsing JSON output with simdjson's DOM, decoding the
// records an Ingestor produced, and a small source registry.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "api/ingestor.hpp"
#include "api/sources.hpp"
#include "storage/record.hpp"

namespace sluice::api::test {

// A parsed JSON document. The parser lives on the heap so the root element stays valid when
// a Json is moved.
struct Json {
  std::unique_ptr<simdjson::dom::parser> parser;
  simdjson::dom::element root;

  bool has(std::string_view pointer) const {
    return root.at_pointer(pointer).error() == simdjson::SUCCESS;
  }

  simdjson::dom::element at(std::string_view pointer) const {
    INFO("JSON pointer " << pointer);
    auto result = root.at_pointer(pointer);
    REQUIRE(result.error() == simdjson::SUCCESS);
    return result.value_unsafe();
  }

  std::string string_at(std::string_view pointer) const {
    INFO("JSON pointer " << pointer);
    std::string_view text;
    REQUIRE(at(pointer).get_string().get(text) == simdjson::SUCCESS);
    return std::string(text);
  }

  simdjson::dom::element_type type_at(std::string_view pointer) const { return at(pointer).type(); }

  // The number of members of the object at pointer.
  std::size_t size_at(std::string_view pointer) const {
    simdjson::dom::object object;
    REQUIRE(at(pointer).get_object().get(object) == simdjson::SUCCESS);
    return object.size();
  }

  // Each member of the object at pointer, in document order, duplicates included.
  std::vector<std::pair<std::string, simdjson::dom::element>> members_at(
      std::string_view pointer) const {
    simdjson::dom::object object;
    REQUIRE(at(pointer).get_object().get(object) == simdjson::SUCCESS);
    std::vector<std::pair<std::string, simdjson::dom::element>> members;
    for (auto field : object) members.emplace_back(std::string(field.key), field.value);
    return members;
  }
};

inline Json parse_json(std::string_view text) {
  INFO("JSON: " << text);
  Json json{std::make_unique<simdjson::dom::parser>(), {}};
  auto error = json.parser->parse(std::string(text)).get(json.root);
  REQUIRE(error == simdjson::SUCCESS);
  return json;
}

// One stored record, decoded: the header fields (copied) and the parsed JSON.
struct StoredEvent {
  storage::EventType type = storage::EventType::kTrack;
  std::int64_t received_at_ms = 0;
  std::int64_t timestamp_ms = 0;
  std::string source;
  std::string message_id;
  std::string ip;
  std::string text;  // the JSON as stored
  Json json;
};

inline StoredEvent decode_event(std::string_view record_bytes) {
  auto record = storage::decode_record(record_bytes);
  REQUIRE(record.has_value());
  StoredEvent event;
  event.type = record->type;
  event.received_at_ms = record->received_at_ms;
  event.timestamp_ms = record->timestamp_ms;
  event.source = std::string(record->source);
  event.message_id = std::string(record->message_id);
  event.ip = std::string(record->ip);
  event.text = std::string(record->json);
  event.json = parse_json(event.text);
  return event;
}

// Two sources: "web" (keys "wk_web" and "wk_web2") and "mobile" (key "wk_mobile").
inline std::vector<config::SourceConfig> test_sources() {
  return {config::SourceConfig{"web", {"wk_web", "wk_web2"}},
          config::SourceConfig{"mobile", {"wk_mobile"}}};
}

// 2024-01-02T03:04:05.678Z, a receive time for requests.
inline constexpr std::int64_t kReceivedAt = 1704164645678;

// An Ingestor over test_sources() with the given limits, and helpers to run requests.
class IngestFixture {
 public:
  explicit IngestFixture(IngestLimits limits = {}) : registry_(test_sources()), ingestor_(limits) {}

  // A single message posted to the route of `type`, with the body's own key.
  IngestOutcome single(storage::EventType type, std::string_view body) {
    IngestRequest request;
    request.body = body;
    request.path_type = type;
    return run(request);
  }

  IngestOutcome batch(std::string_view body) {
    IngestRequest request;
    request.body = body;
    return run(request);
  }

  IngestOutcome run(IngestRequest request) {
    if (request.received_at_ms == 0) request.received_at_ms = kReceivedAt;
    IngestOutcome outcome;
    ingestor_.ingest(registry_, request, outcome);
    return outcome;
  }

  // The only record of an accepted single message.
  StoredEvent only_event(const IngestOutcome& outcome) {
    INFO("detail: " << outcome.detail);
    REQUIRE(outcome.error == RequestError::kNone);
    REQUIRE(outcome.rejected.empty());
    REQUIRE(outcome.records.size() == 1);
    return decode_event(outcome.records[0]);
  }

  const SourceRegistry& registry() const { return registry_; }

 private:
  SourceRegistry registry_;
  Ingestor ingestor_;
};

}  // namespace sluice::api::test
