#pragma once

// Helpers shared by the router tests: a temporary directory, a real EventLog in it, records that
// are easy to recognise, and FakeDestination, an in-memory Destination that answers from a
// script and records every call so a test can check order, batching and duplicates.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdlib.h>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <prometheus/registry.h>

#include "config/config.hpp"
#include "router/delivery_loop.hpp"
#include "router/destination.hpp"
#include "router/router_metrics.hpp"
#include "storage/event_log.hpp"
#include "storage/record.hpp"
#include "tests/common/status_testing.hpp"
#include "tests/support/temp_dir.hpp"

namespace sluice::router::test {

using namespace std::chrono_literals;
using sluice::test::error_of;
using sluice::test::value_of;

using sluice::test::TempDir;

inline config::StorageConfig storage_config(const TempDir& dir) {
  config::StorageConfig config;
  config.path = dir.log_path();
  config.durability = config::Durability::kWal;  // fsync adds nothing to what is tested here
  return config;
}

inline std::unique_ptr<storage::EventLog> open_log(const TempDir& dir) {
  auto log = storage::EventLog::open(storage_config(dir), nullptr);
  INFO(log.status().to_string());
  REQUIRE(log.is_ok());
  return std::move(log).value();
}

// What a test event is made of. Its JSON is {"event":<event>,"messageId":<label>,"pad":...}.
struct TestEvent {
  std::string label;
  std::string source = "web";
  storage::EventType type = storage::EventType::kTrack;
  std::string event = "Clicked";
  std::size_t pad = 0;  // extra characters, to make the JSON larger
};

inline std::string event_json(const TestEvent& event) {
  return R"({"event":")" + event.event + R"(","messageId":")" + event.label + R"(","pad":")" +
         std::string(event.pad, 'x') + R"("})";
}

inline std::string encoded(const TestEvent& event) {
  const std::string json = event_json(event);
  storage::Record record;
  record.type = event.type;
  record.received_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
  record.timestamp_ms = record.received_at_ms;
  record.source = event.source;
  record.message_id = event.label;
  record.json = json;
  std::string out;
  storage::encode_record(record, out);
  return out;
}

// Appends the events as one request and waits for the commit; returns the first sequence.
inline std::uint64_t append(storage::EventLog& log, const std::vector<TestEvent>& events) {
  std::vector<std::string> records;
  for (const TestEvent& event : events) records.push_back(encoded(event));
  auto promise = std::make_shared<std::promise<storage::AppendResult>>();
  auto future = promise->get_future();
  const storage::Admission admission = log.records().append(
      std::move(records),
      [promise](const storage::AppendResult& result) { promise->set_value(result); });
  REQUIRE(admission == storage::Admission::kAccepted);
  const storage::AppendResult result = future.get();
  REQUIRE(result.ok);
  return result.first_sequence;
}

// Appends count plain events labelled "<prefix><n>", one request per chunk events.
inline void append_many(storage::EventLog& log, int count, const std::string& prefix = "e",
                        int chunk = 10) {
  for (int start = 0; start < count; start += chunk) {
    std::vector<TestEvent> events;
    for (int n = start; n < std::min(count, start + chunk); ++n) {
      events.push_back(TestEvent{prefix + std::to_string(n)});
    }
    append(log, events);
  }
}

// A destination config with test-friendly retry timing.
inline config::DestinationConfig destination_config(const std::string& name = "fake") {
  config::DestinationConfig config;
  config.name = name;
  config.settings = config::FileDestinationConfig{};  // unused by FakeDestination
  config.batch_max_wait = 0ms;
  config.retry_initial = 1ms;
  config.retry_max = 5ms;
  return config;
}

// An in-memory destination. Its record lives in a shared Calls object, so the test can read it
// while (and after) a DeliveryLoop owns the destination. Thread-safe.
class FakeDestination : public Destination {
 public:
  struct Call {
    std::vector<std::uint64_t> sequences;
    std::vector<std::string> json;
    DeliveryResult::Kind outcome = DeliveryResult::Kind::kOk;
    std::chrono::steady_clock::time_point at;
  };

  struct Calls {
    mutable std::mutex mutex;
    std::condition_variable changed;
    std::vector<Call> calls;
    std::deque<DeliveryResult> script;  // answers to give first; then ok (or `otherwise`)
    std::optional<DeliveryResult> otherwise;
    int ticks = 0;
    int closes = 0;

    // Sequences of acknowledged events, in delivery order.
    std::vector<std::uint64_t> acknowledged() const {
      std::lock_guard lock(mutex);
      std::vector<std::uint64_t> out;
      for (const Call& call : calls) {
        if (call.outcome == DeliveryResult::Kind::kOk) {
          out.insert(out.end(), call.sequences.begin(), call.sequences.end());
        }
      }
      return out;
    }

    std::vector<Call> snapshot() const {
      std::lock_guard lock(mutex);
      return calls;
    }

    // Waits until done() holds (checked under the lock) or timeout passes.
    bool wait(const std::function<bool(const Calls&)>& done,
              std::chrono::milliseconds timeout = 10s) {
      std::unique_lock lock(mutex);
      return changed.wait_for(lock, timeout, [&] { return done(*this); });
    }

    // Unlocked count of acknowledged events, for use inside wait().
    std::size_t acknowledged_count_locked() const {
      std::size_t count = 0;
      for (const Call& call : calls) {
        if (call.outcome == DeliveryResult::Kind::kOk) count += call.sequences.size();
      }
      return count;
    }

    bool wait_acknowledged(std::size_t count, std::chrono::milliseconds timeout = 10s) {
      return wait([count](const Calls& c) { return c.acknowledged_count_locked() >= count; },
                  timeout);
    }
  };

  explicit FakeDestination(std::shared_ptr<Calls> calls) : calls_(std::move(calls)) {}

  DeliveryResult deliver(std::span<const OutgoingEvent> events) override {
    std::lock_guard lock(calls_->mutex);
    Call call;
    for (const OutgoingEvent& event : events) {
      call.sequences.push_back(event.sequence);
      call.json.emplace_back(event.record.json);
    }
    DeliveryResult result = DeliveryResult::ok();
    if (!calls_->script.empty()) {
      result = calls_->script.front();
      calls_->script.pop_front();
    } else if (calls_->otherwise) {
      result = *calls_->otherwise;
    }
    call.outcome = result.kind;
    call.at = std::chrono::steady_clock::now();
    calls_->calls.push_back(std::move(call));
    calls_->changed.notify_all();
    return result;
  }

  void tick() override {
    std::lock_guard lock(calls_->mutex);
    ++calls_->ticks;
    calls_->changed.notify_all();
  }

  void close() override {
    std::lock_guard lock(calls_->mutex);
    ++calls_->closes;
    calls_->changed.notify_all();
  }

 private:
  std::shared_ptr<Calls> calls_;
};

inline std::vector<std::uint64_t> sequence_range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = first; s <= last; ++s) out.push_back(s);
  return out;
}

// The value of a counter or gauge with the given destination label, from a registry.
inline double metric_value(prometheus::Registry& registry, const std::string& name,
                           const std::string& destination, const std::string& reason = {}) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      bool matches = true;
      for (const auto& label : metric.label) {
        if (label.name == "destination") matches &= label.value == destination;
        if (label.name == "reason") matches &= label.value == reason;
      }
      if (!matches) continue;
      if (family.type == prometheus::MetricType::Counter) return metric.counter.value;
      if (family.type == prometheus::MetricType::Gauge) return metric.gauge.value;
      if (family.type == prometheus::MetricType::Histogram) {
        return static_cast<double>(metric.histogram.sample_count);
      }
    }
  }
  return -1;
}

// Polls condition (for state only visible through the log or metrics) until it holds.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// A real log in a temp dir, metrics, and loops over FakeDestinations.
struct LoopFixture {
  TempDir dir;
  std::unique_ptr<storage::EventLog> log = open_log(dir);
  prometheus::Registry registry;
  RouterMetrics metrics{registry};
  LoopTiming timing{50ms, 0ms, 4096};

  std::unique_ptr<DeliveryLoop> start(const config::DestinationConfig& config,
                                      std::shared_ptr<FakeDestination::Calls> calls) {
    return start(config, std::make_unique<FakeDestination>(std::move(calls)));
  }

  std::unique_ptr<DeliveryLoop> start(const config::DestinationConfig& config,
                                      std::unique_ptr<Destination> destination) {
    auto loop = std::make_unique<DeliveryLoop>(config, *log, std::move(destination),
                                               metrics.destination(config.name), timing);
    loop->start();
    return loop;
  }

  // A loop with one lane per destination instance.
  std::unique_ptr<DeliveryLoop> start(const config::DestinationConfig& config,
                                      std::vector<std::unique_ptr<Destination>> destinations) {
    auto loop = std::make_unique<DeliveryLoop>(config, *log, std::move(destinations),
                                               metrics.destination(config.name), timing);
    loop->start();
    return loop;
  }

  std::uint64_t cursor(const std::string& name) {
    const Result<std::uint64_t> cursor = log->delivery_state().load_cursor(name);
    INFO(cursor.status().to_string());
    REQUIRE(cursor.is_ok());
    return *cursor;
  }

  double metric(const std::string& name, const std::string& destination,
                const std::string& reason = {}) {
    return metric_value(registry, name, destination, reason);
  }
};

}  // namespace sluice::router::test
