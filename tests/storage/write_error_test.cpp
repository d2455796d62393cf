// What the log does when RocksDB cannot write (a full disk, no descriptors left): the failed
// request is refused, intake reports the log unavailable, nothing acknowledged is lost, and the
// log takes events again by itself once the cause is gone.

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <prometheus/registry.h>

#include "faulty_file_system.hpp"
#include "storage/event_log.hpp"
#include "storage/storage_metrics.hpp"
#include "storage_fixture.hpp"

namespace sluice::storage {
namespace {

using test::FaultyFileSystem;
using test::labelled_record;
using test::TempDir;

config::StorageConfig config_at(const TempDir& dir, config::Durability durability) {
  config::StorageConfig config;
  config.path = dir.log_path();
  config.durability = durability;
  return config;
}

std::unique_ptr<EventLog> open_log(
    const config::StorageConfig& config,
    const std::shared_ptr<rocksdb::FileSystem>& file_system = nullptr,
    StorageMetrics* metrics = nullptr) {
  auto log = EventLog::open(config, metrics, file_system);
  INFO(log.status().to_string());
  REQUIRE(log.is_ok());
  return std::move(log).value();
}

// Appends labelled records and waits for the outcome.
AppendResult append_and_wait(EventLog& log, const std::vector<std::string>& labels) {
  std::vector<std::string> records;
  for (const auto& label : labels) records.push_back(labelled_record(label));
  auto promise = std::make_shared<std::promise<AppendResult>>();
  auto future = promise->get_future();
  const Admission admission = log.records().append(
      std::move(records), [promise](const AppendResult& result) { promise->set_value(result); });
  REQUIRE(admission == Admission::kAccepted);
  return future.get();
}

// Waits up to five seconds for the log to take appends again.
bool wait_until_accepting(const EventLog& log) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (log.records().admission() != Admission::kAccepted) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// Every record's message id, by sequence.
std::vector<std::pair<std::uint64_t, std::string>> read_ids(const EventLog& log) {
  std::vector<std::pair<std::uint64_t, std::string>> ids;
  const auto read =
      log.records().read(1, 0, 0, [&ids](std::uint64_t sequence, const Record& record) {
        ids.emplace_back(sequence, std::string(record.message_id));
        return true;
      });
  INFO((read.is_ok() ? std::string() : read.status().to_string()));
  REQUIRE(read.is_ok());
  return ids;
}

using Ids = std::vector<std::pair<std::uint64_t, std::string>>;

double counter_value(prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect()) {
    if (family.name == name && !family.metric.empty()) return family.metric[0].counter.value;
  }
  return -1;
}

TEST_CASE("A failed write is refused and the log takes events again once space is back",
          "[storage][write_error]") {
  const auto durability = GENERATE(config::Durability::kFsync, config::Durability::kWal);
  TempDir dir;
  const auto config = config_at(dir, durability);
  auto file_system = std::make_shared<FaultyFileSystem>();
  prometheus::Registry registry;
  StorageMetrics metrics(registry);
  auto log = open_log(config, file_system, &metrics);

  Ids acknowledged;
  SECTION("after earlier events") {
    const AppendResult first = append_and_wait(*log, {"a1", "a2"});
    REQUIRE(first.ok);
    acknowledged = {{first.first_sequence, "a1"}, {first.first_sequence + 1, "a2"}};
  }
  SECTION("as the first write after opening, with nothing in memory") {}

  file_system->set_full(true);
  const AppendResult refused = append_and_wait(*log, {"b1", "b2"});
  CHECK_FALSE(refused.ok);
  // Unavailable at once, and for as long as the disk stays full.
  CHECK(log->records().admission() == Admission::kClosed);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK(log->records().admission() == Admission::kClosed);
  CHECK(read_ids(*log) == acknowledged);

  file_system->set_full(false);
  REQUIRE(wait_until_accepting(*log));
  const AppendResult after = append_and_wait(*log, {"c1", "c2", "c3"});
  REQUIRE(after.ok);
  // The refused records took no sequence numbers.
  CHECK(after.first_sequence == acknowledged.size() + 1);
  for (std::uint64_t i = 0; i < 3; ++i) {
    acknowledged.emplace_back(after.first_sequence + i, "c" + std::to_string(i + 1));
  }
  CHECK(read_ids(*log) == acknowledged);
  CHECK(counter_value(registry, "sluice_storage_write_errors_total") >= 1);
  CHECK(counter_value(registry, "sluice_storage_recoveries_total") == 1);

  log->close();
  log = open_log(config);
  CHECK(read_ids(*log) == acknowledged);
  // And it keeps writing where it was.
  const AppendResult reopened = append_and_wait(*log, {"d1"});
  REQUIRE(reopened.ok);
  CHECK(reopened.first_sequence == acknowledged.size() + 1);
}

TEST_CASE("Closing the log while writes fail loses nothing acknowledged and does not abort",
          "[storage][write_error]") {
  const auto durability = GENERATE(config::Durability::kFsync, config::Durability::kWal);
  TempDir dir;
  const auto config = config_at(dir, durability);
  auto file_system = std::make_shared<FaultyFileSystem>();
  auto log = open_log(config, file_system);
  const AppendResult first = append_and_wait(*log, {"a1", "a2", "a3"});
  REQUIRE(first.ok);

  file_system->set_full(true);
  CHECK_FALSE(append_and_wait(*log, {"b1"}).ok);
  SECTION("right after the failure") {}
  SECTION("after failed attempts to recover") {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  }
  log->close();  // the WAL holds the failure: no flush or sync of it
  log.reset();

  file_system->set_full(false);
  log = open_log(config);
  CHECK(read_ids(*log) == Ids{{first.first_sequence, "a1"},
                              {first.first_sequence + 1, "a2"},
                              {first.first_sequence + 2, "a3"}});
}

TEST_CASE("Destination state saves fail while the log is unavailable and work after",
          "[storage][write_error]") {
  TempDir dir;
  auto file_system = std::make_shared<FaultyFileSystem>();
  auto log = open_log(config_at(dir, config::Durability::kFsync), file_system);
  REQUIRE(append_and_wait(*log, {"a1"}).ok);

  file_system->set_full(true);
  CHECK_FALSE(append_and_wait(*log, {"b1"}).ok);
  CHECK_FALSE(log->delivery_state().save_cursor("hook", 2).is_ok());

  file_system->set_full(false);
  REQUIRE(wait_until_accepting(*log));
  REQUIRE(log->delivery_state().save_cursor("hook", 2).is_ok());
  const auto cursor = log->delivery_state().load_cursor("hook");
  REQUIRE(cursor.is_ok());
  CHECK(*cursor == 2);
}

}  // namespace
}  // namespace sluice::storage
