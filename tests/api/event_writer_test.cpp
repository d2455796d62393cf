#include "api/event_writer.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "api/message_scanner.hpp"
#include "api/timestamp.hpp"
#include "api_fixture.hpp"

namespace sluice::api {
namespace {

using storage::EventType;
using test::IngestFixture;
using test::StoredEvent;

// The worked example of docs/protocol.md §7, on 2024-01-02.
constexpr std::int64_t kOriginal = 1704189600000;   // 10:00:00.000Z
constexpr std::int64_t kSent = 1704189605000;       // 10:00:05.000Z
constexpr std::int64_t kReceived = 1704189487250;   // 09:58:07.250Z
constexpr std::int64_t kCorrected = 1704189482250;  // 09:58:02.250Z

TEST_CASE("correct_timestamp removes the client's clock skew", "[api]") {
  SECTION("original and sentAt known: received - (sent - original), the §7 example") {
    const EventTimes times = correct_timestamp(kOriginal, kSent, kReceived);
    CHECK(times.timestamp_ms == kCorrected);
    CHECK(times.original_ms == kOriginal);
  }
  SECTION("a client clock behind the server moves the event forward, without clamping") {
    const std::int64_t hour = 3'600'000;
    const EventTimes times = correct_timestamp(kOriginal, kOriginal - hour, kOriginal);
    CHECK(times.timestamp_ms == kOriginal + hour);
    CHECK(times.original_ms == kOriginal);
  }
  SECTION("only the original time known: it is the timestamp") {
    const EventTimes times = correct_timestamp(kOriginal, std::nullopt, kReceived);
    CHECK(times.timestamp_ms == kOriginal);
    CHECK(times.original_ms == kOriginal);
  }
  SECTION("no original time: the receive time, whatever sentAt says") {
    const EventTimes without_sent = correct_timestamp(std::nullopt, std::nullopt, kReceived);
    CHECK(without_sent.timestamp_ms == kReceived);
    CHECK(without_sent.original_ms == kReceived);
    const EventTimes with_sent = correct_timestamp(std::nullopt, kSent, kReceived);
    CHECK(with_sent.timestamp_ms == kReceived);
    CHECK(with_sent.original_ms == kReceived);
  }
}

// Runs a single track message received at kReceived and returns its stored event.
StoredEvent track_at_received(IngestFixture& fixture, std::string_view members) {
  IngestRequest request;
  const std::string body =
      R"({"writeKey":"wk_web","userId":"u","event":"E")" + std::string(members) + "}";
  request.body = body;
  request.path_type = EventType::kTrack;
  request.received_at_ms = kReceived;
  return fixture.only_event(fixture.run(request));
}

TEST_CASE("stored events carry the corrected timestamp", "[api]") {
  IngestFixture fixture;
  SECTION("the §7 example end to end") {
    const StoredEvent event = track_at_received(
        fixture, R"(,"timestamp":"2024-01-02T10:00:00.000Z","sentAt":"2024-01-02T10:00:05.000Z")");
    CHECK(event.timestamp_ms == kCorrected);
    CHECK(event.received_at_ms == kReceived);
    CHECK(event.json.string_at("/timestamp") == "2024-01-02T09:58:02.250Z");
    CHECK(event.json.string_at("/originalTimestamp") == "2024-01-02T10:00:00.000Z");
    CHECK(event.json.string_at("/sentAt") == "2024-01-02T10:00:05.000Z");
    CHECK(event.json.string_at("/receivedAt") == "2024-01-02T09:58:07.250Z");
  }
  SECTION("originalTimestamp is preferred over timestamp") {
    const StoredEvent event = track_at_received(
        fixture,
        R"(,"originalTimestamp":"2024-01-02T10:00:00Z","timestamp":"2024-01-02T11:00:00Z",)"
        R"("sentAt":"2024-01-02T10:00:05Z")");
    CHECK(event.timestamp_ms == kCorrected);
    CHECK(event.json.string_at("/originalTimestamp") == "2024-01-02T10:00:00.000Z");
  }
  SECTION("offsets are normalised to UTC") {
    const StoredEvent event =
        track_at_received(fixture, R"(,"timestamp":"2024-01-02T03:00:00-07:00")");
    CHECK(event.timestamp_ms == kOriginal);
    CHECK(event.json.string_at("/timestamp") == "2024-01-02T10:00:00.000Z");
  }
  SECTION("no sentAt: the client's timestamp as is (historical import)") {
    const StoredEvent event = track_at_received(fixture, R"(,"timestamp":"2024-01-02T10:00:00Z")");
    CHECK(event.timestamp_ms == kOriginal);
    CHECK_FALSE(event.json.has("/sentAt"));
  }
  SECTION("an unparseable timestamp counts as absent") {
    const StoredEvent event = track_at_received(
        fixture, R"(,"timestamp":"2015-2-02T10:00:00Z","sentAt":"2024-01-02T10:00:05Z")");
    CHECK(event.timestamp_ms == kReceived);
    CHECK(event.json.string_at("/timestamp") == "2024-01-02T09:58:07.250Z");
    CHECK(event.json.string_at("/originalTimestamp") == "2024-01-02T09:58:07.250Z");
  }
  SECTION("an unparseable sentAt counts as absent and is kept as sent") {
    const StoredEvent event =
        track_at_received(fixture, R"(,"timestamp":"2024-01-02T10:00:00Z","sentAt":"soon")");
    CHECK(event.timestamp_ms == kOriginal);
    CHECK(event.json.string_at("/sentAt") == "soon");
  }
}

TEST_CASE("batch items take sentAt from the envelope unless they have their own", "[api]") {
  IngestFixture fixture;
  IngestRequest request;
  const std::string body =
      R"({"writeKey":"wk_web","sentAt":"2024-01-02T10:00:05.000Z","batch":[)"
      R"({"type":"track","userId":"u","event":"A","timestamp":"2024-01-02T10:00:00.000Z"},)"
      R"({"type":"track","userId":"u","event":"B","timestamp":"2024-01-02T10:00:00.000Z",)"
      R"("sentAt":"2024-01-02T10:00:00.000Z"}]})";
  request.body = body;
  request.received_at_ms = kReceived;
  const IngestOutcome outcome = fixture.run(request);
  REQUIRE(outcome.records.size() == 2);
  const StoredEvent envelope_sent = test::decode_event(outcome.records[0]);
  const StoredEvent own_sent = test::decode_event(outcome.records[1]);
  CHECK(envelope_sent.timestamp_ms == kCorrected);
  CHECK(envelope_sent.json.string_at("/sentAt") == "2024-01-02T10:00:05.000Z");
  CHECK(own_sent.timestamp_ms == kReceived);  // sent == original: no skew
  CHECK(own_sent.json.string_at("/sentAt") == "2024-01-02T10:00:00.000Z");
}

TEST_CASE("write_event_record appends a header and the enriched JSON", "[api]") {
  MessageScanner scanner;
  MessageView message;
  REQUIRE(
      scanner
          .scan_single(R"({ "userId": "u", "event": "E", "writeKey": "k", "version": 1 })", message)
          .status == ScanStatus::kOk);
  Enrichment enrichment;
  enrichment.type = EventType::kScreen;
  enrichment.source = "ios";
  enrichment.received_at_ms = kReceived;
  enrichment.client_ip = "192.0.2.1";
  enrichment.client_side = true;

  std::string out = "prefix";
  write_event_record(message, nullptr, enrichment, out);
  REQUIRE(out.starts_with("prefix"));
  const StoredEvent event = test::decode_event(std::string_view(out).substr(6));
  CHECK(event.type == EventType::kScreen);
  CHECK(event.source == "ios");
  CHECK(event.ip == "192.0.2.1");
  CHECK(event.received_at_ms == kReceived);
  CHECK(event.timestamp_ms == kReceived);
  CHECK(event.json.string_at("/type") == "screen");
  CHECK(event.json.string_at("/context/ip") == "192.0.2.1");
  CHECK(event.json.at("/version").get_int64().value_unsafe() == 2);  // the client's 1 replaced
  CHECK_FALSE(event.json.has("/writeKey"));
  CHECK(event.text.starts_with(R"({"userId":"u","event":"E",)"));
}

}  // namespace
}  // namespace sluice::api
