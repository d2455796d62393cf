// What the router needs from the event log: reading committed records and waiting for new ones
// (RecordLog), destination cursors and dead letters (DeliveryState), and a log that LogReader
// still reads. (Storage's own API; kept with its only user's tests until tests/storage takes
// them.)

#include <atomic>
#include <thread>

#include <catch2/catch.hpp>
#include <rocksdb/db.h>

#include "router_fixture.hpp"
#include "storage/log_reader.hpp"
#include "storage/rocksdb_options.hpp"

namespace sluice::router::test {
namespace {

struct Visited {
  std::vector<std::uint64_t> sequences;
  std::vector<std::string> labels;
};

Result<std::uint64_t> read_all(const storage::EventLog& log, std::uint64_t from, Visited& visited,
                               std::size_t max_records = 0, std::size_t max_bytes = 0) {
  return log.records().read(from, max_records, max_bytes,
                            [&](std::uint64_t sequence, const storage::Record& record) {
                              visited.sequences.push_back(sequence);
                              visited.labels.emplace_back(record.message_id);
                              return true;
                            });
}

// Writes values straight into a log's database, as an earlier version (or a damaged disk) left
// them, before the log is opened.
void put_raw(const TempDir& dir, const std::vector<std::pair<std::uint64_t, std::string>>& values) {
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::Open(storage::log_db_options(), dir.log_path(), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  for (const auto& [sequence, value] : values) {
    REQUIRE(db->Put(rocksdb::WriteOptions(), storage::encode_sequence_key(sequence), value).ok());
  }
}

}  // namespace

TEST_CASE("RecordLog::read visits committed records from a sequence, within limits",
          "[router][storage]") {
  TempDir dir;
  auto log = open_log(dir);
  append_many(*log, 25, "r");

  SECTION("everything, from 0 or 1") {
    for (std::uint64_t from : {0, 1}) {
      Visited visited;
      const auto next = read_all(*log, from, visited);
      REQUIRE(next.is_ok());
      CHECK(*next == 26);
      CHECK(visited.sequences == sequence_range(1, 25));
      CHECK(visited.labels.front() == "r0");
      CHECK(visited.labels.back() == "r24");
    }
  }
  SECTION("from the middle, at most max_records") {
    Visited visited;
    const auto next = read_all(*log, 10, visited, 4);
    REQUIRE(next.is_ok());
    CHECK(visited.sequences == sequence_range(10, 13));
    CHECK(*next == 14);
  }
  SECTION("at most max_bytes, but always one record") {
    const std::size_t one = encoded(TestEvent{"r0"}).size();
    Visited two;
    CHECK(value_of(read_all(*log, 1, two, 0, 2 * one + 1)) == 3u);
    CHECK(two.sequences.size() == 2);
    Visited at_least_one;
    CHECK(value_of(read_all(*log, 1, at_least_one, 0, 1)) == 2u);
    CHECK(at_least_one.sequences == std::vector<std::uint64_t>{1});
  }
  SECTION("a refused record is where the next read starts") {
    std::vector<std::uint64_t> seen;
    const auto next =
        log->records().read(5, 0, 0, [&](std::uint64_t sequence, const storage::Record&) {
          if (sequence == 8) return false;
          seen.push_back(sequence);
          return true;
        });
    REQUIRE(next.is_ok());
    CHECK(*next == 8);
    CHECK(seen == sequence_range(5, 7));
  }
  SECTION("past the end") {
    Visited visited;
    const auto next = read_all(*log, 40, visited);
    CHECK(value_of(next) == 40u);
    CHECK(visited.sequences.empty());
  }
  SECTION("after close") {
    log->close();
    Visited visited;
    const auto next = read_all(*log, 1, visited);
    REQUIRE_FALSE(next.is_ok());
    CHECK(next.status().code() == StatusCode::kClosed);
    CHECK(next.status().message() == "the event log is closed");
  }
}

TEST_CASE("RecordLog::wait_for_sequence wakes on commit, timeout, stop and close",
          "[router][storage]") {
  TempDir dir;
  auto log = open_log(dir);
  append_many(*log, 3);

  SECTION("a sequence already committed returns at once") {
    CHECK(log->records().wait_for_sequence(3, 10s));
  }
  SECTION("the timeout passes") {
    const auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(log->records().wait_for_sequence(4, 50ms));
    CHECK(std::chrono::steady_clock::now() - started >= 50ms);
  }
  SECTION("a commit wakes the waiter") {
    std::atomic<bool> woke{false};
    std::thread waiter([&] { woke = log->records().wait_for_sequence(5, 10s); });
    append_many(*log, 1);
    std::this_thread::sleep_for(20ms);
    CHECK_FALSE(woke.load());  // sequence 4 is not 5
    const auto started = std::chrono::steady_clock::now();
    append_many(*log, 1);
    waiter.join();
    CHECK(woke.load());
    CHECK(std::chrono::steady_clock::now() - started < 2s);
  }
  SECTION("a stop request wakes the waiter") {
    std::stop_source stop;
    std::atomic<bool> woke{true};
    std::thread waiter(
        [&] { woke = log->records().wait_for_sequence(100, 10s, stop.get_token()); });
    std::this_thread::sleep_for(20ms);
    const auto started = std::chrono::steady_clock::now();
    stop.request_stop();
    waiter.join();
    CHECK_FALSE(woke.load());
    CHECK(std::chrono::steady_clock::now() - started < 2s);
  }
  SECTION("close wakes the waiter") {
    std::atomic<bool> woke{true};
    std::thread waiter([&] { woke = log->records().wait_for_sequence(100, 10s); });
    std::this_thread::sleep_for(20ms);
    const auto started = std::chrono::steady_clock::now();
    log->close();
    waiter.join();
    CHECK_FALSE(woke.load());
    CHECK(std::chrono::steady_clock::now() - started < 2s);
    CHECK_FALSE(log->records().wait_for_sequence(100, 10s));  // and later waits return at once
  }
}

TEST_CASE("Destination cursors and dead letters survive a reopen", "[router][storage]") {
  TempDir dir;
  storage::DeadLetter letter{"hook", 7, 9, 2, 5, 1704164645678, "http_400: bad request"};
  {
    auto log = open_log(dir);
    append_many(*log, 10);
    CHECK(value_of(log->delivery_state().load_cursor("hook")) == 0u);  // never saved
    REQUIRE(log->delivery_state().save_cursor("hook", 4) == Status::ok());
    REQUIRE(log->delivery_state().save_cursor("archive", 2) == Status::ok());
    REQUIRE(log->delivery_state().save_cursor("hook", 6) == Status::ok());
    REQUIRE(log->delivery_state().save_dead_letter(letter, 9) == Status::ok());
    storage::DeadLetter other = letter;
    other.destination = "hook2";  // a name that extends another must not mix with it
    other.first_sequence = other.last_sequence = 3;
    REQUIRE(log->delivery_state().save_dead_letter(other, 3) == Status::ok());
  }
  auto log = open_log(dir);
  CHECK(log->records().last_sequence() == 10);
  CHECK(value_of(log->delivery_state().load_cursor("hook")) == 9u);  // moved with the dead letter
  CHECK(value_of(log->delivery_state().load_cursor("archive")) == 2u);
  CHECK(value_of(log->delivery_state().load_cursor("hook2")) == 3u);
  const auto letters = log->delivery_state().dead_letters("hook");
  REQUIRE(letters.is_ok());
  REQUIRE(letters->size() == 1);
  CHECK(letters->front() == letter);
  const auto none = log->delivery_state().dead_letters("archive");
  REQUIRE(none.is_ok());
  CHECK(none->empty());

  log->close();
  const auto closed = log->delivery_state().load_cursor("hook");
  REQUIRE_FALSE(closed.is_ok());
  CHECK(closed.status().message() == "the event log is closed");
  CHECK(log->delivery_state().save_cursor("hook", 10).code() == StatusCode::kClosed);
}

TEST_CASE("A log written before cursors existed opens with its records", "[router][storage]") {
  TempDir dir;
  // The layout of earlier versions: the default column family only.
  put_raw(dir, {{1, encoded(TestEvent{"old1"})},
                {2, encoded(TestEvent{"old2"})},
                {3, encoded(TestEvent{"old3"})}});
  auto log = open_log(dir);
  CHECK(log->records().last_sequence() == 3);
  CHECK(value_of(log->delivery_state().load_cursor("hook")) == 0u);
  REQUIRE(log->delivery_state().save_cursor("hook", 2) == Status::ok());
  Visited visited;
  REQUIRE(read_all(*log, 1, visited).is_ok());
  CHECK(visited.labels == std::vector<std::string>{"old1", "old2", "old3"});
}

TEST_CASE("LogReader reads a log that has cursors and dead letters", "[router][storage]") {
  TempDir dir;
  auto log = open_log(dir);
  append_many(*log, 5);
  REQUIRE(log->delivery_state().save_cursor("hook", 3) == Status::ok());
  REQUIRE(log->delivery_state().save_dead_letter(storage::DeadLetter{"hook", 4, 4, 1, 1, 0, "x"},
                                                 4) == Status::ok());
  append_many(*log, 5);

  auto reader = storage::LogReader::open(dir.log_path());  // while the log is open
  INFO(reader.status().to_string());
  REQUIRE(reader.is_ok());
  std::vector<std::uint64_t> sequences;
  REQUIRE((*reader)->scan(0, 0, [&](std::uint64_t sequence, const storage::Record&) {
    sequences.push_back(sequence);
    return true;
  }) == Status::ok());
  CHECK(sequences == sequence_range(1, 10));
}

TEST_CASE("A record the log cannot decode stops delivery there, after what precedes it, once",
          "[router][storage]") {
  TempDir dir;
  put_raw(dir, {{1, encoded(TestEvent{"good1"})},
                {2, encoded(TestEvent{"good2"})},
                {3, encoded(TestEvent{"good3"})},
                {4, "not a record"}});
  auto log = open_log(dir);
  prometheus::Registry registry;
  RouterMetrics metrics(registry);
  config::DestinationConfig config = destination_config();
  config.batch_max_events = 100;
  config.batch_max_wait = 50ms;
  config.retry_initial = 10ms;
  config.retry_max = 20ms;
  auto calls = std::make_shared<FakeDestination::Calls>();
  DeliveryLoop loop(config, *log, std::make_unique<FakeDestination>(calls),
                    metrics.destination(config.name), LoopTiming{50ms, 0ms, 4096});
  loop.start();
  REQUIRE(calls->wait_acknowledged(3));
  std::this_thread::sleep_for(300ms);  // many failed reads of record 4 later
  loop.request_stop();
  loop.join();
  // Each record before the undecodable one once, and nothing past it.
  CHECK(calls->acknowledged() == sequence_range(1, 3));
  const auto cursor = log->delivery_state().load_cursor(config.name);
  REQUIRE(cursor.is_ok());
  CHECK(*cursor == 3);
}

}  // namespace sluice::router::test
