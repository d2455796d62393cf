#include "router/delivery_loop.hpp"

#include <set>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

#include "router/router_metrics.hpp"
#include "router_fixture.hpp"

namespace sluice::router::test {
namespace {

using Calls = FakeDestination::Calls;
using Kind = DeliveryResult::Kind;

std::size_t json_bytes(const FakeDestination::Call& call) {
  std::size_t bytes = 0;
  for (const std::string& json : call.json) bytes += json.size();
  return bytes;
}

// Throws from its first deliver(), then acknowledges.
class ThrowingOnce : public FakeDestination {
 public:
  using FakeDestination::FakeDestination;
  DeliveryResult deliver(std::span<const OutgoingEvent> events) override {
    if (!thrown_) {
      thrown_ = true;
      throw std::runtime_error("boom");
    }
    return FakeDestination::deliver(events);
  }

 private:
  bool thrown_ = false;
};

}  // namespace

TEST_CASE("Every event reaches the destination once, in log order, in bounded batches",
          "[router]") {
  LoopFixture fixture;
  auto calls = std::make_shared<Calls>();
  config::DestinationConfig config = destination_config();
  config.batch_max_events = 7;
  append_many(*fixture.log, 200, "early", 13);  // a backlog before the loop starts

  auto loop = fixture.start(config, calls);
  std::thread writer([&] { append_many(*fixture.log, 300, "late", 9); });
  writer.join();
  REQUIRE(calls->wait_acknowledged(500));
  loop->request_stop();
  loop->join();

  CHECK(calls->acknowledged() == sequence_range(1, 500));
  for (const auto& call : calls->snapshot()) {
    CHECK(call.outcome == Kind::kOk);
    CHECK(call.sequences.size() <= 7);
  }
  const auto first = calls->snapshot().front();
  CHECK_THAT(first.json.front(), Catch::Contains(R"("messageId":"early0")"));
  CHECK(calls->closes == 1);
  CHECK(fixture.cursor("fake") == 500);
  CHECK(fixture.metric("sluice_router_delivered_events_total", "fake") == 500);
  CHECK(fixture.metric("sluice_router_delivery_latency_seconds", "fake") == 500);
  CHECK(fixture.metric("sluice_router_backlog_events", "fake") == 0);
  CHECK(fixture.metric("sluice_router_cursor", "fake") == 500);
}

TEST_CASE("Filters route exactly the named events, and filtered-out events advance the cursor",
          "[router]") {
  LoopFixture fixture;
  using storage::EventType;
  const std::vector<TestEvent> events = {
      {"1", "web", EventType::kTrack, "Buy"},     {"2", "ios", EventType::kTrack, "Buy"},
      {"3", "web", EventType::kIdentify},         {"4", "ios", EventType::kPage},
      {"5", "web", EventType::kTrack, "Browse"},  {"6", "web", EventType::kTrack, "Buy"},
      {"7", "backend", EventType::kTrack, "Buy"}, {"8", "web", EventType::kScreen},
      {"9", "web", EventType::kTrack, "Browse"},  {"10", "web", EventType::kGroup},
  };
  append(*fixture.log, events);

  auto from_ios = std::make_shared<Calls>();
  config::DestinationConfig ios = destination_config("ios-only");
  ios.sources = {"ios"};
  auto buys = std::make_shared<Calls>();
  config::DestinationConfig buy = destination_config("web-buys");
  buy.sources = {"web"};
  buy.include_types = {"track", "identify"};
  buy.include_events = {"Buy"};
  auto not_browsing = std::make_shared<Calls>();
  config::DestinationConfig no_browse = destination_config("no-browse");
  no_browse.exclude_events = {"Browse"};

  auto ios_loop = fixture.start(ios, from_ios);
  auto buy_loop = fixture.start(buy, buys);
  auto no_browse_loop = fixture.start(no_browse, not_browsing);
  REQUIRE(from_ios->wait_acknowledged(2));
  REQUIRE(buys->wait_acknowledged(3));
  REQUIRE(not_browsing->wait_acknowledged(8));
  // Every loop moves its cursor over the events it skipped, up to the end of the log.
  for (const char* name : {"ios-only", "web-buys", "no-browse"}) {
    INFO(name);
    CHECK(eventually([&] { return fixture.cursor(name) == 10; }));
  }
  ios_loop.reset();
  buy_loop.reset();
  no_browse_loop.reset();

  CHECK(from_ios->acknowledged() == std::vector<std::uint64_t>{2, 4});
  CHECK(buys->acknowledged() == std::vector<std::uint64_t>{1, 3, 6});
  CHECK(not_browsing->acknowledged() == std::vector<std::uint64_t>{1, 2, 3, 4, 6, 7, 8, 10});
}

TEST_CASE("A batch that fails K times is retried until acknowledged", "[router]") {
  LoopFixture fixture;
  auto calls = std::make_shared<Calls>();
  for (int i = 0; i < 3; ++i) calls->script.push_back(DeliveryResult::retry("http_503", "busy"));
  calls->script.push_back(DeliveryResult::ok());
  calls->script.push_back(DeliveryResult::retry("timeout"));
  config::DestinationConfig config = destination_config();
  config.batch_max_events = 10;
  append_many(*fixture.log, 45);

  auto loop = fixture.start(config, calls);
  REQUIRE(calls->wait_acknowledged(45));
  loop.reset();

  // Acknowledged exactly once each, in order; the duplicates are the failed attempts, each
  // followed by another attempt at the very same batch.
  CHECK(calls->acknowledged() == sequence_range(1, 45));
  const auto all = calls->snapshot();
  std::size_t delivered = 0;
  std::size_t failed = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    delivered += all[i].sequences.size();
    if (all[i].outcome == Kind::kOk) continue;
    failed += all[i].sequences.size();
    REQUIRE(i + 1 < all.size());
    CHECK(all[i + 1].sequences == all[i].sequences);
  }
  CHECK(delivered == 45 + failed);
  CHECK(failed == 40);  // four failed attempts at 10-event batches
  CHECK(fixture.metric("sluice_router_failed_attempts_total", "fake", "http_503") == 3);
  CHECK(fixture.metric("sluice_router_failed_attempts_total", "fake", "timeout") == 1);
  CHECK(fixture.metric("sluice_router_retries_total", "fake") == 4);
}

TEST_CASE("A retry honours the destination's Retry-After", "[router]") {
  LoopFixture fixture;
  auto calls = std::make_shared<Calls>();
  calls->script.push_back(DeliveryResult::retry("http_429", {}, 300ms));
  config::DestinationConfig config = destination_config();
  config.retry_max = 1s;
  append_many(*fixture.log, 1);

  auto loop = fixture.start(config, calls);
  REQUIRE(calls->wait_acknowledged(1));
  loop.reset();
  const auto all = calls->snapshot();
  REQUIRE(all.size() == 2);
  CHECK(all[1].at - all[0].at >= 300ms);
}

TEST_CASE("A deliver() that throws is an attempt to retry", "[router]") {
  LoopFixture fixture;
  auto calls = std::make_shared<Calls>();
  append_many(*fixture.log, 3);
  auto loop = fixture.start(destination_config(), std::make_unique<ThrowingOnce>(calls));
  REQUIRE(calls->wait_acknowledged(3));
  loop.reset();
  CHECK(calls->acknowledged() == sequence_range(1, 3));
  CHECK(fixture.metric("sluice_router_failed_attempts_total", "fake", "exception") == 1);
}

TEST_CASE("A refused batch is dead-lettered and the loop moves on", "[router]") {
  LoopFixture fixture;
  auto calls = std::make_shared<Calls>();
  config::DestinationConfig config = destination_config();
  config.batch_max_events = 5;
  storage::DeadLetter expected{"fake", 6, 10, 5, 0, 0, ""};

  SECTION("a permanent failure") {
    calls->script = {DeliveryResult::ok(), DeliveryResult::permanent("http_400", "bad request")};
    expected.attempts = 1;
    expected.reason = "http_400: bad request";
  }
  SECTION("max_attempts failed attempts") {
    config.max_attempts = 3;
    calls->script = {DeliveryResult::ok(), DeliveryResult::retry("timeout"),
                     DeliveryResult::retry("timeout"), DeliveryResult::retry("timeout")};
    expected.attempts = 3;
    expected.reason = "timeout";
  }
  append_many(*fixture.log, 15);
  auto loop = fixture.start(config, calls);
  REQUIRE(calls->wait_acknowledged(10));
  REQUIRE(eventually([&] { return fixture.cursor("fake") == 15; }));
  loop.reset();

  CHECK(calls->acknowledged() == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 11, 12, 13, 14, 15});
  const auto letters = fixture.log->delivery_state().dead_letters("fake");
  REQUIRE(letters.is_ok());
  REQUIRE(letters->size() == 1);
  storage::DeadLetter letter = letters->front();
  CHECK(letter.dead_lettered_at_ms > 0);
  letter.dead_lettered_at_ms = 0;
  CHECK(letter == expected);
  CHECK(fixture.metric("sluice_router_dead_lettered_events_total", "fake") == 5);
}

TEST_CASE("The cursor survives a restart", "[router]") {
  TempDir dir;
  prometheus::Registry registry;
  RouterMetrics metrics(registry);
  const LoopTiming timing{50ms, 0ms, 4096};
  const config::DestinationConfig config = destination_config();

  SECTION("a new loop continues after the acknowledged events") {
    {
      auto log = open_log(dir);
      append_many(*log, 30);
      auto calls = std::make_shared<Calls>();
      DeliveryLoop loop(config, *log, std::make_unique<FakeDestination>(calls),
                        metrics.destination("fake"), timing);
      loop.start();
      REQUIRE(calls->wait_acknowledged(30));
    }  // the loop stops before the log closes
    auto log = open_log(dir);
    append_many(*log, 20);
    auto calls = std::make_shared<Calls>();
    DeliveryLoop loop(config, *log, std::make_unique<FakeDestination>(calls),
                      metrics.destination("fake"), timing);
    loop.start();
    REQUIRE(calls->wait_acknowledged(20));
    loop.request_stop();
    loop.join();
    CHECK(calls->acknowledged() == sequence_range(31, 50));
  }
  SECTION("a batch not acknowledged before the stop is delivered again") {
    {
      auto log = open_log(dir);
      append_many(*log, 4);
      auto calls = std::make_shared<Calls>();
      calls->otherwise = DeliveryResult::retry("http_503");
      DeliveryLoop loop(config, *log, std::make_unique<FakeDestination>(calls),
                        metrics.destination("fake"), timing);
      loop.start();
      REQUIRE(calls->wait([](const Calls& c) { return c.calls.size() >= 2; }));
    }
    auto log = open_log(dir);
    auto calls = std::make_shared<Calls>();
    DeliveryLoop loop(config, *log, std::make_unique<FakeDestination>(calls),
                      metrics.destination("fake"), timing);
    loop.start();
    REQUIRE(calls->wait_acknowledged(4));
    loop.request_stop();
    loop.join();
    CHECK(calls->acknowledged() == sequence_range(1, 4));
  }
}

TEST_CASE("Batches respect batch_max_bytes, and a larger event goes alone", "[router]") {
  LoopFixture fixture;
  auto calls = std::make_shared<Calls>();
  config::DestinationConfig config = destination_config();
  config.batch_max_bytes = 250;
  std::vector<TestEvent> events;
  for (int i = 0; i < 9; ++i) events.push_back(TestEvent{"s" + std::to_string(i)});
  events[4].pad = 1000;
  for (auto& event : events) {
    if (event.pad == 0) event.pad = 100 - event_json(event).size();  // 100 bytes of JSON each
  }
  append(*fixture.log, events);

  auto loop = fixture.start(config, calls);
  REQUIRE(calls->wait_acknowledged(9));
  loop.reset();
  CHECK(calls->acknowledged() == sequence_range(1, 9));
  for (const auto& call : calls->snapshot()) {
    INFO("a batch of " << call.sequences.size() << " events");
    CHECK((json_bytes(call) <= 250 || call.sequences.size() == 1));
  }
  const auto all = calls->snapshot();
  REQUIRE(all.size() == 5);  // {1,2} {3,4} {5} {6,7} {8,9}
  CHECK(all[2].sequences == std::vector<std::uint64_t>{5});
}

TEST_CASE("batch_max_wait holds a batch open until it fills or the wait passes", "[router]") {
  LoopFixture fixture;
  auto calls = std::make_shared<Calls>();
  config::DestinationConfig config = destination_config();

  SECTION("the wait passes") {
    config.batch_max_wait = 300ms;
    append_many(*fixture.log, 2);
    const auto started = std::chrono::steady_clock::now();
    auto loop = fixture.start(config, calls);
    std::this_thread::sleep_for(100ms);
    append_many(*fixture.log, 1);
    REQUIRE(calls->wait_acknowledged(3));
    loop.reset();
    const auto all = calls->snapshot();
    REQUIRE(all.size() == 1);
    CHECK(all[0].sequences == sequence_range(1, 3));
    CHECK(all[0].at - started >= 300ms);
  }
  SECTION("the batch fills first") {
    config.batch_max_wait = 10s;
    config.batch_max_events = 5;
    append_many(*fixture.log, 3);
    const auto started = std::chrono::steady_clock::now();
    auto loop = fixture.start(config, calls);
    append_many(*fixture.log, 2);
    REQUIRE(calls->wait_acknowledged(5, 5s));
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    loop.reset();
  }
}

TEST_CASE("The backlog gauge follows the log while a destination is down", "[router]") {
  LoopFixture fixture;
  auto calls = std::make_shared<Calls>();
  calls->otherwise = DeliveryResult::retry("connect_failed", {}, 10s);
  config::DestinationConfig config = destination_config();
  config.retry_initial = config.retry_max = 10s;
  append_many(*fixture.log, 1);
  auto loop = fixture.start(config, calls);
  REQUIRE(calls->wait([](const Calls& c) { return !c.calls.empty(); }));
  append_many(*fixture.log, 20);
  CHECK(
      eventually([&] { return fixture.metric("sluice_router_backlog_events", "fake") == 21; }, 5s));
  CHECK(calls->snapshot().size() == 1);  // still pausing: no extra attempts
  loop.reset();
}

TEST_CASE("A new event wakes an idle loop at once, without waiting for a tick", "[router]") {
  LoopFixture fixture;
  fixture.timing.idle_tick = 10s;
  auto calls = std::make_shared<Calls>();
  auto loop = fixture.start(destination_config(), calls);
  std::this_thread::sleep_for(50ms);
  const auto appended = std::chrono::steady_clock::now();
  append_many(*fixture.log, 1);
  REQUIRE(calls->wait_acknowledged(1, 5s));
  CHECK(std::chrono::steady_clock::now() - appended < 1s);
  loop.reset();
}

TEST_CASE("An idle loop ticks its destination", "[router]") {
  LoopFixture fixture;
  fixture.timing.idle_tick = 20ms;
  auto calls = std::make_shared<Calls>();
  auto loop = fixture.start(destination_config(), calls);
  CHECK(calls->wait([](const Calls& c) { return c.ticks >= 3; }, 5s));
  loop.reset();
}

TEST_CASE("Stopping is prompt wherever the loop waits", "[router]") {
  LoopFixture fixture;
  fixture.timing.idle_tick = 10s;
  auto calls = std::make_shared<Calls>();
  config::DestinationConfig config = destination_config();

  SECTION("for new events") {
    auto loop = fixture.start(config, calls);
    std::this_thread::sleep_for(50ms);
    const auto stopping = std::chrono::steady_clock::now();
    loop.reset();
    CHECK(std::chrono::steady_clock::now() - stopping < 1s);
  }
  SECTION("in a backoff pause") {
    config.retry_initial = config.retry_max = 10s;
    calls->otherwise = DeliveryResult::retry("http_503", {}, 10s);
    append_many(*fixture.log, 1);
    auto loop = fixture.start(config, calls);
    REQUIRE(calls->wait([](const Calls& c) { return !c.calls.empty(); }));
    const auto stopping = std::chrono::steady_clock::now();
    loop.reset();
    CHECK(std::chrono::steady_clock::now() - stopping < 1s);
    CHECK(fixture.cursor("fake") == 0);  // never acknowledged: delivered again next time
  }
  SECTION("for a batch to fill") {
    config.batch_max_wait = 10s;
    append_many(*fixture.log, 1);
    auto loop = fixture.start(config, calls);
    std::this_thread::sleep_for(50ms);
    const auto stopping = std::chrono::steady_clock::now();
    loop.reset();
    CHECK(std::chrono::steady_clock::now() - stopping < 1s);
    CHECK(calls->snapshot().empty());
  }
  CHECK(calls->closes == 1);
}

}  // namespace sluice::router::test
