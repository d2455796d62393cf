// Retention over a real log: what goes, what stays, and the backlog the 503 limit weighs.

#include "storage/retention.hpp"

#include <limits>

#include <catch2/catch.hpp>

#include "router_fixture.hpp"
#include "storage/sequence_search.hpp"

namespace sluice::router::test {
namespace {

// The first sequence still in the log, or 0 when it is empty.
std::uint64_t first_sequence(const storage::EventLog& log) {
  std::uint64_t first = 0;
  REQUIRE(log.records()
              .read(1, 1, 0,
                    [&](std::uint64_t sequence, const storage::Record&) {
                      first = sequence;
                      return true;
                    })
              .is_ok());
  return first;
}

void save_cursor(storage::EventLog& log, const std::string& destination, std::uint64_t cursor) {
  REQUIRE(log.delivery_state().save_cursor(destination, cursor) == Status::ok());
}

}  // namespace

TEST_CASE("Retention deletes below the lowest cursor and the log shrinks", "[storage][router]") {
  TempDir dir;
  auto log = open_log(dir);
  for (int chunk = 0; chunk < 20; ++chunk) {
    std::vector<TestEvent> events(
        100, TestEvent{"e", "web", storage::EventType::kTrack, "Clicked", 400});
    append(*log, events);
  }
  save_cursor(*log, "a", 1500);
  save_cursor(*log, "b", 1000);
  const std::uint64_t before = log->records().approximate_bytes(1, 1001);
  CHECK(before > 100 * 400);

  storage::Retention retention(log->records(), log->delivery_state(), {"a", "b"}, 0ms);
  const auto below = retention.run_once();
  INFO(below.status().to_string());
  REQUIRE(below.is_ok());
  CHECK(*below == 1001);
  CHECK(first_sequence(*log) == 1001);
  CHECK(log->records().approximate_bytes(1, 1001) < before / 10);
  // Only what some destination still needs counts against the 503 limit.
  CHECK(log->records().backlog_bytes() ==
        log->records().approximate_bytes(1001, std::numeric_limits<std::uint64_t>::max()));
  CHECK(log->records().backlog_bytes() > 0);

  save_cursor(*log, "a", 2000);
  save_cursor(*log, "b", 2000);
  REQUIRE(value_of(retention.run_once()) == 2000u);
  // Every destination has everything, but the last request's records (stored as one value)
  // stay: the last record carries the sequence.
  CHECK(first_sequence(*log) == 1901);
  log.reset();
  log = open_log(dir);
  CHECK(log->records().last_sequence() == 2000);
}

TEST_CASE("Retention follows the destinations a reload sets", "[storage][router]") {
  TempDir dir;
  auto log = open_log(dir);
  append_many(*log, 100, "e");
  save_cursor(*log, "a", 60);
  save_cursor(*log, "b", 20);
  storage::Retention retention(log->records(), log->delivery_state(), {"a", "b"}, 0ms);
  REQUIRE(value_of(retention.run_once()) == 21u);
  const std::uint64_t everything = log->records().approximate_bytes(1, 101);

  retention.set_destinations({"a"});  // "b" was removed: it holds nothing back
  REQUIRE(value_of(retention.run_once()) == 61u);
  CHECK(first_sequence(*log) == 61);
  CHECK(log->records().backlog_bytes() < everything);

  retention.set_destinations({});  // the last one removed: the whole log is backlog again
  REQUIRE(retention.run_once().is_ok());
  CHECK(first_sequence(*log) == 61);
  CHECK(log->records().backlog_bytes() ==
        log->records().approximate_bytes(1, std::numeric_limits<std::uint64_t>::max()));
}

TEST_CASE("Without destinations only the retention period deletes", "[storage][router]") {
  TempDir dir;
  auto log = open_log(dir);
  append_many(*log, 50, "old");
  std::this_thread::sleep_for(300ms);
  append_many(*log, 50, "new");

  SECTION("no retention period: everything stays") {
    storage::Retention retention(log->records(), log->delivery_state(), {}, 0ms);
    REQUIRE(retention.run_once().is_ok());
    CHECK(first_sequence(*log) == 1);
  }
  SECTION("a retention period: what is older goes") {
    storage::Retention retention(log->records(), log->delivery_state(), {}, 200ms);
    REQUIRE(value_of(retention.run_once()) == 51u);
    CHECK(first_sequence(*log) == 51);
  }
  SECTION("with destinations, the period keeps delivered events") {
    save_cursor(*log, "a", 100);
    storage::Retention retention(log->records(), log->delivery_state(), {"a"}, 200ms);
    REQUIRE(value_of(retention.run_once()) == 51u);
    CHECK(first_sequence(*log) == 51);
  }
}

TEST_CASE("The first sequence received from a time is found across gaps", "[storage][router]") {
  TempDir dir;
  auto log = open_log(dir);
  append_many(*log, 30, "a");
  std::this_thread::sleep_for(20ms);
  const auto between = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  std::this_thread::sleep_for(20ms);
  append_many(*log, 30, "b");
  CHECK(value_of(storage::first_sequence_received_from(log->records(), between)) == 31u);
  CHECK(value_of(storage::first_sequence_received_from(log->records(), 0)) == 1u);
  CHECK(value_of(storage::first_sequence_received_from(log->records(), between + 3'600'000)) ==
        61u);
  REQUIRE(log->records().delete_before(20) == Status::ok());
  // Requests of 10 are stored whole: 11..20 holds sequence 20, so it stays.
  CHECK(value_of(storage::first_sequence_received_from(log->records(), 0)) == 11u);
  CHECK(value_of(storage::first_sequence_received_from(log->records(), between)) == 31u);
}

}  // namespace sluice::router::test
