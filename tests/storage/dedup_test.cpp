#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "faulty_file_system.hpp"
#include "storage/dedup_index.hpp"
#include "storage/dedup_key.hpp"
#include "storage/event_log.hpp"
#include "storage_fixture.hpp"

namespace sluice::storage {
namespace {

using namespace std::chrono_literals;
using test::labelled_record;
using test::TempDir;

std::unique_ptr<EventLog> open_log(
    const TempDir& dir, std::chrono::milliseconds window,
    const std::shared_ptr<rocksdb::FileSystem>& file_system = nullptr) {
  config::StorageConfig config;
  config.path = dir.log_path();
  config.durability = config::Durability::kWal;
  config.dedup_window = window;
  auto log = EventLog::open(config, nullptr, file_system);
  INFO(log.status().to_string());
  REQUIRE(log.is_ok());
  return std::move(log).value();
}

// Appends records labelled by ids, each with its dedup key (none for an empty id), and waits;
// nullopt when the log refused the append. No assertions: threads call it.
std::optional<AppendResult> try_append(EventLog& log, const std::vector<std::string>& ids) {
  std::vector<std::string> records;
  std::vector<std::optional<DedupKey>> keys;
  for (const std::string& id : ids) {
    records.push_back(labelled_record(id.empty() ? "server-made" : id));
    keys.push_back(id.empty() ? std::nullopt : dedup_key("web", id));
  }
  auto promise = std::make_shared<std::promise<AppendResult>>();
  auto future = promise->get_future();
  const Admission admission =
      log.records().append(std::move(records), std::move(keys),
                           [promise](const AppendResult& result) { promise->set_value(result); });
  if (admission != Admission::kAccepted) return std::nullopt;
  return future.get();
}

AppendResult append_unchecked(EventLog& log, const std::vector<std::string>& ids) {
  const std::optional<AppendResult> result = try_append(log, ids);
  REQUIRE(result.has_value());
  return *result;
}

// The same, requiring that the write worked.
AppendResult append_ids(EventLog& log, const std::vector<std::string>& ids) {
  AppendResult result = append_unchecked(log, ids);
  REQUIRE(result.ok);
  return result;
}

std::vector<std::uint32_t> duplicate_places(const AppendResult& result) {
  std::vector<std::uint32_t> places;
  for (const auto& duplicate : result.duplicates) places.push_back(duplicate.record);
  return places;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TEST_CASE("Dedup keys tell sources and ids apart", "[storage][dedup]") {
  CHECK(dedup_key("web", "a") == dedup_key("web", "a"));
  CHECK_FALSE(dedup_key("web", "a") == dedup_key("app", "a"));
  CHECK_FALSE(dedup_key("ab", "c") == dedup_key("a", "bc"));
}

TEST_CASE("The log stores an id once and reports the rest with their places", "[storage][dedup]") {
  TempDir dir;
  auto log = open_log(dir, 7 * 24h);
  const AppendResult first = append_ids(*log, {"a", "b", "a", "", ""});
  REQUIRE(first.ok);
  CHECK(duplicate_places(first) == std::vector<std::uint32_t>{2});
  CHECK(first.duplicates.at(0).message_id == "a");
  CHECK(log->records().last_sequence() == 4);  // a, b and the two without keys

  const AppendResult second = append_ids(*log, {"c", "b", "a"});
  CHECK(duplicate_places(second) == std::vector<std::uint32_t>{1, 2});
  CHECK(second.first_sequence == 5);
  CHECK(log->records().last_sequence() == 5);

  // Everything already there: acknowledged, nothing written.
  const AppendResult third = append_ids(*log, {"c"});
  CHECK(duplicate_places(third) == std::vector<std::uint32_t>{0});
  CHECK(third.first_sequence == 0);
  CHECK(log->records().last_sequence() == 5);

  // The index answers with the sequence the first one got.
  CHECK(log->dedup().find(*dedup_key("web", "b"), now_ms()) == 2);
  CHECK(log->dedup().find(*dedup_key("web", "c"), now_ms()) == 5);
  CHECK_FALSE(log->dedup().find(*dedup_key("web", "never"), now_ms()).has_value());

  log->close();
  auto reopened = open_log(dir, 7 * 24h);
  CHECK(duplicate_places(append_ids(*reopened, {"a", "d"})) == std::vector<std::uint32_t>{0});
}

TEST_CASE("Appends racing with one id store it once", "[storage][dedup]") {
  TempDir dir;
  auto log = open_log(dir, 7 * 24h);
  constexpr int kThreads = 4;
  constexpr int kIds = 200;
  std::vector<std::future<std::size_t>> stored;
  for (int t = 0; t < kThreads; ++t) {
    stored.push_back(std::async(std::launch::async, [&log] {
      std::size_t kept = 0;
      for (int i = 0; i < kIds; ++i) {
        const auto result = try_append(*log, {"race-" + std::to_string(i)});
        if (result && result->ok) kept += 1 - result->duplicates.size();
      }
      return kept;
    }));
  }
  std::size_t total = 0;
  for (auto& thread : stored) total += thread.get();
  CHECK(total == kIds);
  CHECK(log->records().last_sequence() == kIds);
}

TEST_CASE("Buckets older than the window are deleted and their space reclaimed",
          "[storage][dedup]") {
  TempDir dir;
  auto log = open_log(dir, 400ms);
  REQUIRE(append_ids(*log, {"old"}).duplicates.empty());
  CHECK(duplicate_places(append_ids(*log, {"old"})) == std::vector<std::uint32_t>{0});
  // Half-window buckets: at most three live at a time, whatever the traffic.
  const auto until = std::chrono::steady_clock::now() + 1200ms;
  int i = 0;
  while (std::chrono::steady_clock::now() < until) {
    REQUIRE(append_ids(*log, {"new-" + std::to_string(i++)}).duplicates.empty());
    CHECK(log->dedup().bucket_count() <= 3);
    std::this_thread::sleep_for(20ms);
  }
  CHECK_FALSE(log->dedup().find(*dedup_key("web", "old"), now_ms()).has_value());
  CHECK(append_ids(*log, {"old"}).duplicates.empty());
  log->dedup().reclaim();
  CHECK(log->dedup().find(*dedup_key("web", "old"), now_ms()).has_value());
  // The expired buckets were deleted on disk too: a reopened index finds only live ones.
  log->close();
  log = open_log(dir, 400ms);
  CHECK(log->dedup().bucket_count() <= 3);
}

TEST_CASE("A failed write leaves no key behind: the retry is stored", "[storage][dedup]") {
  TempDir dir;
  auto file_system = std::make_shared<test::FaultyFileSystem>();
  auto log = open_log(dir, 7 * 24h, file_system);
  REQUIRE(append_ids(*log, {"kept"}).duplicates.empty());
  file_system->set_full(true);
  CHECK_FALSE(append_unchecked(*log, {"lost", "kept"}).ok);
  file_system->set_full(false);
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (log->records().admission() != Admission::kAccepted &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  REQUIRE(log->records().admission() == Admission::kAccepted);
  const AppendResult retry = append_ids(*log, {"lost", "kept"});
  CHECK(duplicate_places(retry) == std::vector<std::uint32_t>{1});
  CHECK(retry.first_sequence == 2);
}

TEST_CASE("Dedup off stores every record and forgets the index", "[storage][dedup]") {
  TempDir dir;
  {
    auto log = open_log(dir, 7 * 24h);
    REQUIRE(append_ids(*log, {"a"}).duplicates.empty());
    CHECK(log->dedup().bucket_count() == 1);
  }
  {
    auto log = open_log(dir, 0ms);
    CHECK_FALSE(log->records().dedups());
    CHECK(log->dedup().bucket_count() == 0);
    CHECK(append_ids(*log, {"a", "a"}).duplicates.empty());
    CHECK(log->records().last_sequence() == 3);
  }
  // Back on, the ids stored while it was off are not known.
  auto log = open_log(dir, 7 * 24h);
  CHECK(append_ids(*log, {"a"}).duplicates.empty());
}

}  // namespace sluice::storage
