// Commit throughput of the event log's committer: requests of 1, 10 or 100 records of a
// fixture-sized event, 64 requests outstanding at a time (as from 64 connections), in both
// durability modes. Reports records (events) per second; group commit is what makes fsync cheap.

#include <atomic>
#include <benchmark/benchmark.h>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <unistd.h>
#include <vector>

#include "storage/event_log.hpp"
#include "storage/record.hpp"

namespace {

using namespace sluice;

constexpr int kOutstanding = 64;
constexpr int kRequestsPerIteration = 512;

// A 680-byte track event, about the size the wrk bodies and the fixtures carry.
std::string encoded_event() {
  std::string json =
      R"({"type":"track","event":"Order Completed","userId":"user-1234","properties":{)";
  while (json.size() < 640) json += R"("key)" + std::to_string(json.size()) + R"(":"value",)";
  json += R"("end":true},"messageId":"m-1"})";
  storage::Record record;
  record.type = storage::EventType::kTrack;
  record.received_at_ms = 1'780'000'000'000;
  record.timestamp_ms = record.received_at_ms;
  record.source = "bench";
  record.message_id = "m-1";
  record.ip = "127.0.0.1";
  record.json = json;
  std::string out;
  storage::encode_record(record, out);
  return out;
}

class LogDir {
 public:
  LogDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("sluice-commit-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
  }
  ~LogDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

void BM_Commit(benchmark::State& state, config::Durability durability) {
  const auto records_per_request = static_cast<std::size_t>(state.range(0));
  LogDir dir;
  config::StorageConfig config;
  config.path = dir.path();
  config.durability = durability;
  auto opened = storage::EventLog::open(config, nullptr);
  if (!opened.is_ok()) {
    state.SkipWithError(opened.status().message().c_str());
    return;
  }
  std::unique_ptr<storage::EventLog> log = std::move(opened).value();
  const std::string record = encoded_event();

  std::mutex mutex;
  std::condition_variable done_cv;
  int in_flight = 0;
  std::atomic<bool> failed{false};
  for (auto _ : state) {
    for (int sent = 0; sent < kRequestsPerIteration; ++sent) {
      {
        std::unique_lock lock(mutex);
        done_cv.wait(lock, [&] { return in_flight < kOutstanding; });
        ++in_flight;
      }
      std::vector<std::string> records(records_per_request, record);
      const auto admission =
          log->records().append(std::move(records), [&](const storage::AppendResult& result) {
            if (!result.ok) failed = true;
            std::lock_guard lock(mutex);
            --in_flight;
            done_cv.notify_all();
          });
      if (admission != storage::Admission::kAccepted) {
        state.SkipWithError("the log refused an append");
        return;
      }
    }
    std::unique_lock lock(mutex);
    done_cv.wait(lock, [&] { return in_flight == 0; });
  }
  if (failed) state.SkipWithError("a commit failed");
  state.SetItemsProcessed(state.iterations() * kRequestsPerIteration *
                          static_cast<std::int64_t>(records_per_request));
  log->close();
}

BENCHMARK_CAPTURE(BM_Commit, wal, config::Durability::kWal)
    ->Arg(1)
    ->Arg(10)
    ->Arg(100)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Commit, fsync, config::Durability::kFsync)
    ->Arg(1)
    ->Arg(10)
    ->Arg(100)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
