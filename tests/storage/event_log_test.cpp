#include "storage/event_log.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "storage/log_reader.hpp"
#include "storage_fixture.hpp"

namespace sluice::storage {
namespace {

using test::labelled_record;
using test::TempDir;

config::StorageConfig config_at(const TempDir& dir,
                                config::Durability durability = config::Durability::kWal) {
  config::StorageConfig config;
  config.path = dir.log_path();
  config.durability = durability;
  return config;
}

std::unique_ptr<EventLog> open_log(const config::StorageConfig& config) {
  auto log = EventLog::open(config, nullptr);
  INFO(log.status().to_string());
  REQUIRE(log.is_ok());
  return std::move(log).value();
}

// Appends and waits for the commit.
AppendResult append_and_wait(EventLog& log, std::vector<std::string> records) {
  auto promise = std::make_shared<std::promise<AppendResult>>();
  auto future = promise->get_future();
  const Admission admission = log.records().append(
      std::move(records), [promise](const AppendResult& result) { promise->set_value(result); });
  REQUIRE(admission == Admission::kAccepted);
  return future.get();
}

// The message ids of every record in the log at path, by sequence, read with a LogReader.
std::vector<std::pair<std::uint64_t, std::string>> read_ids(const std::string& path) {
  auto reader = LogReader::open(path);
  INFO(reader.status().to_string());
  REQUIRE(reader.is_ok());
  std::vector<std::pair<std::uint64_t, std::string>> ids;
  const Status scanned =
      (*reader)->scan(0, 0, [&ids](std::uint64_t sequence, const Record& record) {
        ids.emplace_back(sequence, std::string(record.message_id));
        return true;
      });
  INFO(scanned.to_string());
  REQUIRE(scanned.is_ok());
  return ids;
}

// One append made by a writer thread, and what its callback reported.
struct Waiter {
  std::size_t records = 0;
  std::string label;
  std::atomic<int> calls{0};
  std::atomic<bool> ok{false};
  std::atomic<std::uint64_t> first{0};
};

void check_concurrent_appends(config::Durability durability) {
  constexpr int kThreads = 8;
  constexpr int kAppendsPerThread = 200;
  TempDir dir;
  config::StorageConfig config = config_at(dir, durability);
  // Admission is not under test here: pending_bytes_ can wrap below zero for a moment when the
  // committer subtracts an append's bytes before append() has added them.
  config.max_pending_bytes = UINT64_MAX;
  auto log = open_log(config);

  std::vector<Waiter> waiters(kThreads * kAppendsPerThread);
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int j = 0; j < kAppendsPerThread; ++j) {
        Waiter& waiter = waiters[t * kAppendsPerThread + j];
        waiter.records = 1 + (t * 7 + j * 3) % 5;  // 1 to 5 records
        waiter.label = std::to_string(t) + "-" + std::to_string(j);
        std::vector<std::string> records;
        for (std::size_t k = 0; k < waiter.records; ++k) {
          records.push_back(labelled_record(waiter.label + "-" + std::to_string(k)));
        }
        const Admission admission =
            log->records().append(std::move(records), [&waiter](const AppendResult& result) {
              waiter.first.store(result.first_sequence);
              waiter.ok.store(result.ok);
              waiter.calls.fetch_add(1);
            });
        if (admission != Admission::kAccepted) refused.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  log->close();  // drains: every callback has run when it returns

  REQUIRE(refused.load() == 0);
  std::uint64_t total = 0;
  for (const Waiter& waiter : waiters) {
    INFO("append " << waiter.label);
    REQUIRE(waiter.calls.load() == 1);
    REQUIRE(waiter.ok.load());
    total += waiter.records;
  }
  CHECK(log->records().last_sequence() == total);

  // The appends' ranges tile 1..total: contiguous, in some order, without overlap.
  std::vector<const Waiter*> by_first;
  for (const Waiter& waiter : waiters) by_first.push_back(&waiter);
  std::sort(by_first.begin(), by_first.end(),
            [](const Waiter* a, const Waiter* b) { return a->first.load() < b->first.load(); });
  std::uint64_t expected_first = 1;
  for (const Waiter* waiter : by_first) {
    INFO("append " << waiter->label);
    REQUIRE(waiter->first.load() == expected_first);
    expected_first += waiter->records;
  }
  CHECK(expected_first == total + 1);

  // Each record is stored under the sequence its append was told, in the append's order.
  const auto ids = read_ids(config.path);
  REQUIRE(ids.size() == total);
  for (const Waiter& waiter : waiters) {
    for (std::size_t k = 0; k < waiter.records; ++k) {
      const auto& [sequence, id] = ids[waiter.first.load() + k - 1];
      CHECK(sequence == waiter.first.load() + k);
      CHECK(id == waiter.label + "-" + std::to_string(k));
    }
  }
}

TEST_CASE("group commit completes every concurrent append once with its own sequence range",
          "[storage]") {
  SECTION("fsync durability") {
    check_concurrent_appends(config::Durability::kFsync);
  }
  SECTION("WAL durability") {
    check_concurrent_appends(config::Durability::kWal);
  }
}

TEST_CASE("sequence numbers continue after close and reopen", "[storage]") {
  TempDir dir;
  const config::StorageConfig config = config_at(dir);
  {
    auto log = open_log(config);
    CHECK(log->records().last_sequence() == 0);
    const AppendResult result =
        append_and_wait(*log, {labelled_record("a"), labelled_record("b"), labelled_record("c")});
    CHECK(result.ok);
    CHECK(result.first_sequence == 1);
    CHECK(log->records().last_sequence() == 3);
  }
  auto log = open_log(config);
  CHECK(log->records().last_sequence() == 3);
  const AppendResult result = append_and_wait(*log, {labelled_record("d"), labelled_record("e")});
  CHECK(result.ok);
  CHECK(result.first_sequence == 4);
  CHECK(log->records().last_sequence() == 5);
  log->close();
  const auto ids = read_ids(config.path);
  REQUIRE(ids.size() == 5);
  CHECK(ids[0] == std::pair<std::uint64_t, std::string>{1, "a"});
  CHECK(ids[3] == std::pair<std::uint64_t, std::string>{4, "d"});
  CHECK(ids[4] == std::pair<std::uint64_t, std::string>{5, "e"});
}

TEST_CASE("close commits queued appends and completes their callbacks", "[storage]") {
  TempDir dir;
  const config::StorageConfig config = config_at(dir, config::Durability::kFsync);
  auto log = open_log(config);
  constexpr int kAppends = 100;
  std::atomic<int> completed{0};
  std::atomic<int> failed{0};
  for (int i = 0; i < kAppends; ++i) {
    REQUIRE(log->records().append({labelled_record(std::to_string(i))},
                                  [&](const AppendResult& result) {
                                    completed.fetch_add(1);
                                    if (!result.ok) failed.fetch_add(1);
                                  }) == Admission::kAccepted);
  }
  log->close();
  CHECK(completed.load() == kAppends);
  CHECK(failed.load() == 0);
  CHECK(log->records().last_sequence() == kAppends);
  CHECK_FALSE(log->records().is_open());
  const auto ids = read_ids(config.path);
  REQUIRE(ids.size() == kAppends);
  for (int i = 0; i < kAppends; ++i) CHECK(ids[i].second == std::to_string(i));
  log->close();  // idempotent
  CHECK(completed.load() == kAppends);
}

TEST_CASE("append after close is refused and never calls back", "[storage]") {
  TempDir dir;
  auto log = open_log(config_at(dir));
  log->close();
  bool called = false;
  CHECK(log->records().append({labelled_record("late")}, [&called](const AppendResult&) {
    called = true;
  }) == Admission::kClosed);
  CHECK(log->records().admission() == Admission::kClosed);
  CHECK_FALSE(called);
  CHECK(log->records().last_sequence() == 0);
}

TEST_CASE("appends beyond max_pending_bytes are refused with kPendingFull", "[storage]") {
  TempDir dir;
  config::StorageConfig config = config_at(dir);
  const std::string record = labelled_record("big");
  config.max_pending_bytes = record.size() - 1;
  auto log = open_log(config);
  bool called = false;
  CHECK(log->records().append({record}, [&called](const AppendResult&) { called = true; }) ==
        Admission::kPendingFull);
  CHECK(log->records().admission(0) == Admission::kAccepted);
  CHECK(log->records().admission(record.size() - 1) == Admission::kAccepted);
  CHECK(log->records().admission(record.size()) == Admission::kPendingFull);
  log->close();
  CHECK_FALSE(called);
  CHECK(log->records().last_sequence() == 0);
}

TEST_CASE("a log over max_backlog_bytes refuses with kBacklogFull", "[storage]") {
  TempDir dir;
  config::StorageConfig config = config_at(dir);
  config.max_backlog_bytes = 1;
  auto log = open_log(config);
  // The first append may already be refused, as RocksDB counts an empty memtable's arena.
  std::promise<void> committed;
  if (log->records().append({labelled_record("one")}, [&committed](const AppendResult&) {
        committed.set_value();
      }) == Admission::kAccepted) {
    committed.get_future().wait();
  }
  CHECK(log->records().admission() == Admission::kBacklogFull);
  CHECK(log->records().append({labelled_record("two")}, [](const AppendResult&) {}) ==
        Admission::kBacklogFull);
}

TEST_CASE("EventLog::open reports a path it cannot use", "[storage]") {
  TempDir dir;
  const auto file = dir.path() / "not-a-directory";
  std::ofstream(file) << "x";
  config::StorageConfig config;
  config.path = (file / "log").string();
  const auto log = EventLog::open(config, nullptr);
  REQUIRE_FALSE(log.is_ok());
  CHECK(log.status().code() == StatusCode::kIoError);
  CHECK_FALSE(log.status().message().empty());
}

}  // namespace
}  // namespace sluice::storage
