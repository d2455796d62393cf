#include "admin/tail_filter.hpp"

#include <catch2/catch.hpp>

#include "admin/live_tail.hpp"

namespace sluice::admin {
namespace {

using Catch::Matchers::Contains;

storage::Record record(std::string_view source, storage::EventType type, std::string_view json) {
  storage::Record out;
  out.source = source;
  out.type = type;
  out.message_id = "m-1";
  out.received_at_ms = 1'700'000'000'000;
  out.json = json;
  return out;
}

TailFilter filter_of(std::string_view query) {
  auto parsed = parse_tail_query(query);
  REQUIRE(parsed.is_ok());
  return TailFilter(*parsed, 7);
}

}  // namespace

TEST_CASE("Tail queries are read with their defaults", "[admin][tail]") {
  auto empty = parse_tail_query("");
  REQUIRE(empty.is_ok());
  CHECK(empty->sources.empty());
  CHECK(empty->types.empty());
  CHECK(empty->sample == 1.0);
  CHECK_FALSE(empty->rejected);

  auto full = parse_tail_query(
      "source=web,ios&type=track&event=Signed%20Up,Paid&sample=0.25&"
      "rejected=true");
  REQUIRE(full.is_ok());
  CHECK(full->sources == std::vector<std::string>{"web", "ios"});
  CHECK(full->events == std::vector<std::string>{"Signed Up", "Paid"});
  CHECK(full->sample == 0.25);
  CHECK(full->rejected);
  // Event names ask for track events.
  auto named = parse_tail_query("event=Paid");
  REQUIRE(named.is_ok());
  CHECK(named->types == std::vector<std::string>{"track"});
  CHECK(parse_tail_query("type=track,track&event=Paid").is_ok());
  // A comma written %2C is part of a name; a repeated list parameter adds to the list.
  auto commas = parse_tail_query("event=Cart%2C%20Viewed,Paid&source=web&source=ios");
  REQUIRE(commas.is_ok());
  CHECK(commas->events == std::vector<std::string>{"Cart, Viewed", "Paid"});
  CHECK(commas->sources == std::vector<std::string>{"web", "ios"});
}

TEST_CASE("Tail queries name what is wrong with them", "[admin][tail]") {
  const auto message = [](std::string_view query) {
    auto parsed = parse_tail_query(query);
    REQUIRE_FALSE(parsed.is_ok());
    return parsed.status().message();
  };
  CHECK_THAT(message("sample=0"), Contains("sample"));
  CHECK_THAT(message("sample=1.5"), Contains("sample"));
  CHECK_THAT(message("sample=abc"), Contains("sample"));
  CHECK_THAT(message("type=click"), Contains("\"click\""));
  CHECK_THAT(message("rejected=maybe"), Contains("rejected"));
  CHECK_THAT(message("colour=red"), Contains("colour"));
  CHECK_THAT(message("type=page&event=X"), Contains("event"));
}

TEST_CASE("A tail filter shows the records its query names", "[admin][tail]") {
  const auto signed_up = record("web", storage::EventType::kTrack, R"({"event":"Signed Up"})");
  const auto paid = record("web", storage::EventType::kTrack, R"({"event":"Paid"})");
  const auto identify = record("web", storage::EventType::kIdentify, R"({"userId":"u"})");
  const auto other_source = record("ios", storage::EventType::kTrack, R"({"event":"Signed Up"})");

  auto everything = filter_of("");
  CHECK(everything.shows(signed_up));
  CHECK(everything.shows(identify));
  CHECK(everything.shows(other_source));

  auto web_tracks = filter_of("source=web&type=track");
  CHECK(web_tracks.shows(signed_up));
  CHECK_FALSE(web_tracks.shows(identify));
  CHECK_FALSE(web_tracks.shows(other_source));

  auto named = filter_of("event=Signed%20Up");
  CHECK(named.shows(signed_up));
  CHECK(named.shows(other_source));
  CHECK_FALSE(named.shows(paid));
  CHECK_FALSE(named.shows(identify));
}

TEST_CASE("A tail filter samples what matches", "[admin][tail]") {
  const auto event = record("web", storage::EventType::kTrack, R"({"event":"E"})");
  auto half = filter_of("sample=0.5");
  int shown = 0;
  for (int i = 0; i < 2000; ++i) shown += half.shows(event) ? 1 : 0;
  CHECK(shown > 800);
  CHECK(shown < 1200);
}

TEST_CASE("A tail filter shows rejections only when asked and of its sources", "[admin][tail]") {
  const api::RejectedMessage from_web{0, "web", 1, "no_user_anon_id", "why"};
  const api::RejectedMessage unresolved{0, "", -1, "invalid_write_key", "why"};
  CHECK_FALSE(filter_of("").shows(from_web));
  auto all = filter_of("rejected=1");
  CHECK(all.shows(from_web));
  CHECK(all.shows(unresolved));
  auto web = filter_of("rejected=true&source=web");
  CHECK(web.shows(from_web));
  CHECK_FALSE(web.shows(unresolved));
  CHECK_FALSE(filter_of("rejected=true&source=ios").shows(from_web));
}

TEST_CASE("Tail frames are Server-Sent Events with one line of JSON", "[admin][tail]") {
  const auto event = record("web", storage::EventType::kTrack, R"({"event":"E"})");
  CHECK(event_frame(42, event) ==
        "event: event\nid: 42\ndata: {\"sequence\":42,\"source\":\"web\",\"type\":\"track\","
        "\"messageId\":\"m-1\",\"receivedAt\":\"2023-11-14T22:13:20.000Z\",\"event\":{\"event\":"
        "\"E\"}}\n\n");
  CHECK(rejected_frame({0, "", -1, "invalid_write_key", "a \"key\"\nline"}) ==
        "event: rejected\ndata: {\"source\":null,\"code\":\"invalid_write_key\",\"message\":\"a "
        "\\\"key\\\"\\nline\",\"receivedAt\":\"1970-01-01T00:00:00.000Z\"}\n\n");
  CHECK(dropped_frame(7) == "event: dropped\ndata: {\"dropped\":7}\n\n");
}

}  // namespace sluice::admin
