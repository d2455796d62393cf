#include "storage/log_reader.hpp"

#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "storage/event_log.hpp"
#include "storage_fixture.hpp"

namespace sluice::storage {
namespace {

using test::labelled_record;
using test::TempDir;

std::unique_ptr<EventLog> open_log(const std::string& path, config::Durability durability) {
  config::StorageConfig config;
  config.path = path;
  config.durability = durability;
  auto log = EventLog::open(config, nullptr);
  INFO(log.status().to_string());
  REQUIRE(log.is_ok());
  return std::move(log).value();
}

void append_and_wait(EventLog& log, std::vector<std::string> records) {
  std::promise<bool> committed;
  auto future = committed.get_future();
  const Admission admission = log.records().append(
      std::move(records),
      [&committed](const AppendResult& result) { committed.set_value(result.ok); });
  REQUIRE(admission == Admission::kAccepted);
  REQUIRE(future.get());
}

std::unique_ptr<LogReader> open_reader(const std::string& path) {
  auto reader = LogReader::open(path);
  INFO(reader.status().to_string());
  REQUIRE(reader.is_ok());
  return std::move(reader).value();
}

// The sequences and message ids scan(from, limit) visits.
std::vector<std::pair<std::uint64_t, std::string>> scan_ids(LogReader& reader, std::uint64_t from,
                                                            std::uint64_t limit) {
  std::vector<std::pair<std::uint64_t, std::string>> visited;
  const Status scanned =
      reader.scan(from, limit, [&visited](std::uint64_t sequence, const Record& record) {
        visited.emplace_back(sequence, std::string(record.message_id));
        return true;
      });
  INFO(scanned.to_string());
  REQUIRE(scanned.is_ok());
  return visited;
}

std::vector<std::pair<std::uint64_t, std::string>> expected_ids(std::uint64_t first,
                                                                std::uint64_t last) {
  std::vector<std::pair<std::uint64_t, std::string>> ids;
  for (std::uint64_t i = first; i <= last; ++i) ids.emplace_back(i, "r" + std::to_string(i));
  return ids;
}

// Ten records r1..r10 in three appends, with the log closed afterwards.
void write_ten(const std::string& path) {
  auto log = open_log(path, config::Durability::kFsync);
  append_and_wait(*log, {labelled_record("r1"), labelled_record("r2", EventType::kIdentify)});
  append_and_wait(*log, {labelled_record("r3")});
  std::vector<std::string> rest;
  for (int i = 4; i <= 10; ++i) rest.push_back(labelled_record("r" + std::to_string(i)));
  append_and_wait(*log, std::move(rest));
}

TEST_CASE("LogReader reads back exactly what was written, in order", "[storage]") {
  TempDir dir;
  write_ten(dir.log_path());
  auto reader = open_reader(dir.log_path());
  SECTION("sequence numbers and ids") {
    CHECK(scan_ids(*reader, 0, 0) == expected_ids(1, 10));
  }
  SECTION("every header field and the JSON") {
    std::vector<std::string> originals = {labelled_record("r1"),
                                          labelled_record("r2", EventType::kIdentify)};
    std::size_t index = 0;
    REQUIRE(reader
                ->scan(1, 2,
                       [&](std::uint64_t, const Record& record) {
                         const auto original = decode_record(originals[index++]);
                         REQUIRE(original.has_value());
                         CHECK(record.type == original->type);
                         CHECK(record.received_at_ms == original->received_at_ms);
                         CHECK(record.timestamp_ms == original->timestamp_ms);
                         CHECK(record.source == original->source);
                         CHECK(record.message_id == original->message_id);
                         CHECK(record.ip == original->ip);
                         CHECK(record.json == original->json);
                         return true;
                       })
                .is_ok());
    CHECK(index == 2);
  }
}

TEST_CASE("LogReader::scan starts at `from` and stops after `limit` records", "[storage]") {
  TempDir dir;
  write_ten(dir.log_path());
  auto reader = open_reader(dir.log_path());
  SECTION("from 0 and from 1 both start at the first record") {
    CHECK(scan_ids(*reader, 0, 0) == expected_ids(1, 10));
    CHECK(scan_ids(*reader, 1, 0) == expected_ids(1, 10));
  }
  SECTION("from the middle") {
    CHECK(scan_ids(*reader, 7, 0) == expected_ids(7, 10));
  }
  SECTION("a limit") {
    CHECK(scan_ids(*reader, 4, 3) == expected_ids(4, 6));
    CHECK(scan_ids(*reader, 0, 1) == expected_ids(1, 1));
  }
  SECTION("a limit past the end") {
    CHECK(scan_ids(*reader, 9, 5) == expected_ids(9, 10));
  }
  SECTION("from past the end: nothing") {
    CHECK(scan_ids(*reader, 11, 0).empty());
    CHECK(scan_ids(*reader, UINT64_MAX, 0).empty());
  }
  SECTION("the visitor can stop the scan") {
    std::vector<std::uint64_t> visited;
    CHECK(reader
              ->scan(2, 0,
                     [&visited](std::uint64_t sequence, const Record&) {
                       visited.push_back(sequence);
                       return sequence < 4;
                     })
              .is_ok());
    CHECK(visited == std::vector<std::uint64_t>{2, 3, 4});
  }
}

TEST_CASE("LogReader sees a log that an EventLog still has open", "[storage]") {
  TempDir dir;
  const auto durability = GENERATE(config::Durability::kFsync, config::Durability::kWal);
  INFO("durability " << static_cast<int>(durability));
  auto log = open_log(dir.log_path(), durability);
  append_and_wait(*log, {labelled_record("r1"), labelled_record("r2")});
  append_and_wait(*log, {labelled_record("r3")});
  CHECK(scan_ids(*open_reader(dir.log_path()), 0, 0) == expected_ids(1, 3));

  append_and_wait(*log, {labelled_record("r4")});
  CHECK(scan_ids(*open_reader(dir.log_path()), 2, 0) == expected_ids(2, 4));
  CHECK(log->records().is_open());
}

TEST_CASE("LogReader fails on what it cannot read", "[storage]") {
  TempDir dir;
  SECTION("no log at the path") {
    const auto reader = LogReader::open(dir.log_path());
    REQUIRE_FALSE(reader.is_ok());
    CHECK(reader.status().code() == StatusCode::kNotFound);
    CHECK_FALSE(reader.status().message().empty());
  }
  SECTION("a stored value that is not a record") {
    {
      auto log = open_log(dir.log_path(), config::Durability::kWal);
      append_and_wait(*log, {labelled_record("r1"), "not a record"});
    }
    auto reader = open_reader(dir.log_path());
    std::vector<std::uint64_t> visited;
    const Status scanned = reader->scan(0, 0, [&visited](std::uint64_t sequence, const Record&) {
      visited.push_back(sequence);
      return true;
    });
    CHECK_FALSE(scanned.is_ok());
    CHECK(visited == std::vector<std::uint64_t>{1});
    CHECK(scanned.code() == StatusCode::kCorruption);
    CHECK_FALSE(scanned.message().empty());
  }
}

}  // namespace
}  // namespace sluice::storage
