// What the router needs from storage::EventLog: reading committed records, waiting for new
// ones, destination cursors and dead letters, and a log that LogReader still reads. (Storage's
// own API; kept with its only user's tests until tests/storage takes them.)

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

storage::ReadStatus read_all(const storage::EventLog& log, std::uint64_t from, Visited& visited,
                             std::size_t max_records = 0, std::size_t max_bytes = 0) {
  return log.read(from, max_records, max_bytes,
                  [&](std::uint64_t sequence, const storage::Record& record) {
                    visited.sequences.push_back(sequence);
                    visited.labels.emplace_back(record.message_id);
                    return true;
                  });
}

}  // namespace

TEST_CASE("EventLog::read visits committed records from a sequence, within limits",
          "[router][storage]") {
  TempDir dir;
  auto log = open_log(dir);
  append_many(*log, 25, "r");

  SECTION("everything, from 0 or 1") {
    for (std::uint64_t from : {0, 1}) {
      Visited visited;
      const auto status = read_all(*log, from, visited);
      REQUIRE(status.ok);
      CHECK(status.next == 26);
      CHECK(visited.sequences == sequence_range(1, 25));
      CHECK(visited.labels.front() == "r0");
      CHECK(visited.labels.back() == "r24");
    }
  }
  SECTION("from the middle, at most max_records") {
    Visited visited;
    const auto status = read_all(*log, 10, visited, 4);
    REQUIRE(status.ok);
    CHECK(visited.sequences == sequence_range(10, 13));
    CHECK(status.next == 14);
  }
  SECTION("at most max_bytes, but always one record") {
    const std::size_t one = encoded(TestEvent{"r0"}).size();
    Visited two;
    CHECK(read_all(*log, 1, two, 0, 2 * one + 1).next == 3);
    CHECK(two.sequences.size() == 2);
    Visited at_least_one;
    CHECK(read_all(*log, 1, at_least_one, 0, 1).next == 2);
    CHECK(at_least_one.sequences == std::vector<std::uint64_t>{1});
  }
  SECTION("a refused record is where the next read starts") {
    std::vector<std::uint64_t> seen;
    const auto status = log->read(5, 0, 0, [&](std::uint64_t sequence, const storage::Record&) {
      if (sequence == 8) return false;
      seen.push_back(sequence);
      return true;
    });
    REQUIRE(status.ok);
    CHECK(status.next == 8);
    CHECK(seen == sequence_range(5, 7));
  }
  SECTION("past the end") {
    Visited visited;
    const auto status = read_all(*log, 40, visited);
    CHECK(status.ok);
    CHECK(status.next == 40);
    CHECK(visited.sequences.empty());
  }
  SECTION("after close") {
    log->close();
    Visited visited;
    const auto status = read_all(*log, 1, visited);
    CHECK_FALSE(status.ok);
    CHECK(status.error == "the event log is closed");
  }
}

TEST_CASE("EventLog::wait_for_sequence wakes on commit, timeout, stop and close",
          "[router][storage]") {
  TempDir dir;
  auto log = open_log(dir);
  append_many(*log, 3);

  SECTION("a sequence already committed returns at once") {
    CHECK(log->wait_for_sequence(3, 10s));
  }
  SECTION("the timeout passes") {
    const auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(log->wait_for_sequence(4, 50ms));
    CHECK(std::chrono::steady_clock::now() - started >= 50ms);
  }
  SECTION("a commit wakes the waiter") {
    std::atomic<bool> woke{false};
    std::thread waiter([&] { woke = log->wait_for_sequence(5, 10s); });
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
    std::thread waiter([&] { woke = log->wait_for_sequence(100, 10s, stop.get_token()); });
    std::this_thread::sleep_for(20ms);
    const auto started = std::chrono::steady_clock::now();
    stop.request_stop();
    waiter.join();
    CHECK_FALSE(woke.load());
    CHECK(std::chrono::steady_clock::now() - started < 2s);
  }
  SECTION("close wakes the waiter") {
    std::atomic<bool> woke{true};
    std::thread waiter([&] { woke = log->wait_for_sequence(100, 10s); });
    std::this_thread::sleep_for(20ms);
    const auto started = std::chrono::steady_clock::now();
    log->close();
    waiter.join();
    CHECK_FALSE(woke.load());
    CHECK(std::chrono::steady_clock::now() - started < 2s);
    CHECK_FALSE(log->wait_for_sequence(100, 10s));  // and later waits return at once
  }
}

TEST_CASE("Destination cursors and dead letters survive a reopen", "[router][storage]") {
  TempDir dir;
  std::string error;
  storage::DeadLetter letter{"hook", 7, 9, 2, 5, 1704164645678, "http_400: bad request"};
  {
    auto log = open_log(dir);
    append_many(*log, 10);
    CHECK(log->load_cursor("hook", &error) == 0u);  // never saved
    REQUIRE(log->save_cursor("hook", 4, &error));
    REQUIRE(log->save_cursor("archive", 2, &error));
    REQUIRE(log->save_cursor("hook", 6, &error));
    REQUIRE(log->save_dead_letter(letter, 9, &error));
    storage::DeadLetter other = letter;
    other.destination = "hook2";  // a name that extends another must not mix with it
    other.first_sequence = other.last_sequence = 3;
    REQUIRE(log->save_dead_letter(other, 3, &error));
  }
  auto log = open_log(dir);
  CHECK(log->last_sequence() == 10);
  CHECK(log->load_cursor("hook", &error) == 9u);  // moved with the dead letter
  CHECK(log->load_cursor("archive", &error) == 2u);
  CHECK(log->load_cursor("hook2", &error) == 3u);
  const auto letters = log->dead_letters("hook", &error);
  REQUIRE(letters.has_value());
  REQUIRE(letters->size() == 1);
  CHECK(letters->front() == letter);
  const auto none = log->dead_letters("archive", &error);
  REQUIRE(none.has_value());
  CHECK(none->empty());

  log->close();
  CHECK_FALSE(log->load_cursor("hook", &error).has_value());
  CHECK(error == "the event log is closed");
  CHECK_FALSE(log->save_cursor("hook", 10, &error));
}

TEST_CASE("A log written before cursors existed opens with its records", "[router][storage]") {
  TempDir dir;
  {
    // The layout of earlier versions: the default column family only.
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(storage::log_db_options(), dir.log_path(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    for (std::uint64_t sequence = 1; sequence <= 3; ++sequence) {
      REQUIRE(db->Put(rocksdb::WriteOptions(), storage::encode_sequence_key(sequence),
                      encoded(TestEvent{"old" + std::to_string(sequence)}))
                  .ok());
    }
  }
  auto log = open_log(dir);
  CHECK(log->last_sequence() == 3);
  std::string error;
  CHECK(log->load_cursor("hook", &error) == 0u);
  REQUIRE(log->save_cursor("hook", 2, &error));
  Visited visited;
  REQUIRE(read_all(*log, 1, visited).ok);
  CHECK(visited.labels == std::vector<std::string>{"old1", "old2", "old3"});
}

TEST_CASE("LogReader reads a log that has cursors and dead letters", "[router][storage]") {
  TempDir dir;
  auto log = open_log(dir);
  append_many(*log, 5);
  std::string error;
  REQUIRE(log->save_cursor("hook", 3, &error));
  REQUIRE(log->save_dead_letter(storage::DeadLetter{"hook", 4, 4, 1, 1, 0, "x"}, 4, &error));
  append_many(*log, 5);

  auto reader = storage::LogReader::open(dir.log_path(), &error);  // while the log is open
  INFO(error);
  REQUIRE(reader != nullptr);
  std::vector<std::uint64_t> sequences;
  REQUIRE(reader->scan(
      0, 0,
      [&](std::uint64_t sequence, const storage::Record&) {
        sequences.push_back(sequence);
        return true;
      },
      &error));
  CHECK(sequences == sequence_range(1, 10));
}

}  // namespace sluice::router::test
