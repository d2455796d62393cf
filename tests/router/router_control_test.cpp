// Operator control of delivery (pause, resume, replay, dead-letter redelivery, status) and
// several batches in flight, over a real log with in-memory destinations.

#include <catch2/catch.hpp>

#include "router/in_flight_window.hpp"
#include "router/router.hpp"
#include "router_fixture.hpp"
#include "storage/record.hpp"

namespace sluice::router::test {
namespace {

using Calls = FakeDestination::Calls;

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A gate that deliveries wait at until the test opens it.
struct Gate {
  std::mutex mutex;
  std::condition_variable opened_cv;
  bool opened = false;

  void open() {
    {
      std::lock_guard lock(mutex);
      opened = true;
    }
    opened_cv.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex);
    opened_cv.wait(lock, [this] { return opened; });
  }
};

// Holds any batch holding sequence `held` at the gate, then answers like FakeDestination.
class GatedDestination : public FakeDestination {
 public:
  GatedDestination(std::shared_ptr<Calls> calls, std::shared_ptr<Gate> gate, std::uint64_t held)
      : FakeDestination(std::move(calls)), gate_(std::move(gate)), held_(held) {}

  DeliveryResult deliver(std::span<const OutgoingEvent> events) override {
    for (const OutgoingEvent& event : events) {
      if (event.sequence == held_) gate_->wait();
    }
    return FakeDestination::deliver(events);
  }

 private:
  std::shared_ptr<Gate> gate_;
  std::uint64_t held_;
};

// Lists the destination's dead letters into letters: how many, or -1 when they cannot be listed.
int dead_letters_of(const Router& router, std::string_view name,
                    std::vector<storage::DeadLetter>& letters) {
  Result<std::vector<storage::DeadLetter>> listed = router.dead_letters(name);
  if (!listed.is_ok()) return -1;
  letters = std::move(listed).value();
  return static_cast<int>(letters.size());
}

// A Router over one FakeDestination named "fake", with the loop timing of LoopFixture.
struct RouterFixture : LoopFixture {
  std::shared_ptr<Calls> calls = std::make_shared<Calls>();
  Router router{*log, metrics};

  explicit RouterFixture(const config::DestinationConfig& config = destination_config()) {
    router.add(config, std::make_unique<FakeDestination>(calls), timing);
  }
  ~RouterFixture() { router.stop(); }
};

}  // namespace

TEST_CASE("InFlightWindow moves the cursor over the completed prefix only", "[router]") {
  InFlightWindow window(10);
  const auto first = window.open(20);
  const auto second = window.open(25);
  const auto third = window.open(40);
  CHECK(window.end() == 40);
  CHECK(window.complete(second) == 10);
  CHECK(window.complete(third) == 10);
  CHECK(window.open_slots() == 3);
  CHECK(window.complete(first) == 40);
  CHECK(window.open_slots() == 0);

  const auto stale = window.open(50);
  window.reset(5);
  CHECK(window.complete(stale) == 5);  // opened before the reset: changes nothing
  CHECK(window.end() == 5);
}

TEST_CASE("With several lanes the cursor waits for the oldest unacknowledged batch", "[router]") {
  LoopFixture fixture;
  auto calls = std::make_shared<Calls>();
  auto gate = std::make_shared<Gate>();
  config::DestinationConfig config = destination_config();
  config.batch_max_events = 10;
  config.max_in_flight = 3;
  append_many(*fixture.log, 100);

  std::vector<std::unique_ptr<Destination>> lanes;
  for (int lane = 0; lane < 3; ++lane) {
    lanes.push_back(std::make_unique<GatedDestination>(calls, gate, 15));
  }
  auto loop = fixture.start(config, std::move(lanes));
  // Everything but the held batch (11..20) is acknowledged by the other two lanes...
  REQUIRE(calls->wait_acknowledged(90));
  std::this_thread::sleep_for(100ms);
  // ...but the cursor stays before it: a crash now must deliver 11..20 again.
  CHECK(fixture.cursor("fake") == 10);
  CHECK(loop->status().cursor == 10);

  gate->open();
  REQUIRE(calls->wait_acknowledged(100));
  REQUIRE(eventually([&] { return fixture.cursor("fake") == 100; }));
  loop.reset();
  auto acknowledged = calls->acknowledged();
  std::sort(acknowledged.begin(), acknowledged.end());
  CHECK(acknowledged == sequence_range(1, 100));
}

TEST_CASE("A paused destination delivers nothing until resumed", "[router]") {
  RouterFixture fixture;
  fixture.router.start();
  REQUIRE(fixture.router.pause("fake").is_ok());
  REQUIRE(
      eventually([&] { return fixture.router.destination("fake")->state == LoopState::kPaused; }));
  append_many(*fixture.log, 10);
  std::this_thread::sleep_for(200ms);
  CHECK(fixture.calls->snapshot().empty());
  const auto status = fixture.router.destination("fake");
  CHECK(status->backlog_events == 10);
  CHECK(status->backlog_bytes > 0);
  REQUIRE(status->oldest_undelivered_age.has_value());

  REQUIRE(fixture.router.resume("fake").is_ok());
  REQUIRE(fixture.calls->wait_acknowledged(10));
  CHECK(fixture.calls->acknowledged() == sequence_range(1, 10));
  REQUIRE(eventually([&] { return fixture.router.destination("fake")->backlog_events == 0; }));
  CHECK(fixture.router.destination("fake")->state == LoopState::kRunning);
  // The cursor can pass the batch a moment before the loop counts it as delivered.
  CHECK(eventually([&] { return fixture.router.destination("fake")->delivered_events == 10; }));
  CHECK(fixture.router.pause("nope").code() == StatusCode::kNotFound);
}

TEST_CASE("Replay delivers again from a sequence or from a time", "[router]") {
  RouterFixture fixture;
  fixture.router.start();
  append_many(*fixture.log, 10, "a");
  std::this_thread::sleep_for(20ms);
  const std::int64_t between = wall_ms();
  std::this_thread::sleep_for(20ms);
  append_many(*fixture.log, 10, "b");
  REQUIRE(fixture.calls->wait_acknowledged(20));

  SECTION("from a sequence") {
    const Result<std::uint64_t> cursor =
        fixture.router.replay("fake", {ReplayFrom::Kind::kSequence, 5, 0});
    REQUIRE(cursor.is_ok());
    CHECK(*cursor == 4);
    REQUIRE(fixture.calls->wait_acknowledged(36));
    auto expected = sequence_range(1, 20);
    const auto again = sequence_range(5, 20);
    expected.insert(expected.end(), again.begin(), again.end());
    CHECK(fixture.calls->acknowledged() == expected);
  }
  SECTION("from a time") {
    const Result<std::uint64_t> cursor =
        fixture.router.replay("fake", {ReplayFrom::Kind::kTime, 0, between});
    REQUIRE(cursor.is_ok());
    CHECK(*cursor == 10);
    REQUIRE(fixture.calls->wait_acknowledged(30));
    auto expected = sequence_range(1, 20);
    const auto again = sequence_range(11, 20);
    expected.insert(expected.end(), again.begin(), again.end());
    CHECK(fixture.calls->acknowledged() == expected);
  }
  SECTION("past the end of the log") {
    const Result<std::uint64_t> cursor =
        fixture.router.replay("fake", {ReplayFrom::Kind::kSequence, 100, 0});
    REQUIRE_FALSE(cursor.is_ok());
    CHECK(cursor.status().code() == StatusCode::kInvalidArgument);
  }
  REQUIRE(eventually([&] { return fixture.cursor("fake") == 20; }));
}

TEST_CASE("A dead letter keeps its events and is gone once redelivered", "[router]") {
  config::DestinationConfig config = destination_config();
  config.batch_max_events = 5;
  RouterFixture fixture(config);
  fixture.calls->script = {DeliveryResult::permanent("http_400", "bad request")};
  append_many(*fixture.log, 5);
  fixture.router.start();

  std::vector<storage::DeadLetter> letters;
  REQUIRE(eventually([&] { return dead_letters_of(fixture.router, "fake", letters) == 1; }));
  CHECK(letters.front().contents.empty());  // listed without them
  const Result<storage::DeadLetter> found =
      fixture.router.dead_letter("fake", letters.front().first_sequence);
  REQUIRE(found.is_ok());
  const storage::DeadLetter& letter = *found;
  REQUIRE(letter.contents.size() == 5);
  for (std::size_t n = 0; n < 5; ++n) {
    CHECK(letter.contents[n].sequence == n + 1);
    const auto record = storage::decode_record(letter.contents[n].record);
    REQUIRE(record.has_value());
    CHECK_THAT(std::string(record->json),
               Catch::Contains("\"messageId\":\"e" + std::to_string(n) + "\""));
  }
  CHECK(fixture.router.destination("fake")->dead_letters == 1);
  CHECK(fixture.router.dead_letter("fake", 99).status().code() == StatusCode::kNotFound);
  CHECK(fixture.router.redeliver("fake", 99).code() == StatusCode::kNotFound);

  // The sink accepts it now.
  REQUIRE(fixture.router.redeliver("fake", 1).is_ok());
  REQUIRE(fixture.calls->wait_acknowledged(5));
  CHECK(fixture.calls->acknowledged() == sequence_range(1, 5));
  REQUIRE(eventually([&] { return dead_letters_of(fixture.router, "fake", letters) == 0; }));
}

TEST_CASE("A redelivery refused again stays a dead letter with its attempts counted", "[router]") {
  config::DestinationConfig config = destination_config();
  config.batch_max_events = 5;
  RouterFixture fixture(config);
  fixture.calls->script = {DeliveryResult::permanent("http_400"),
                           DeliveryResult::permanent("http_422", "still bad")};
  append_many(*fixture.log, 5);
  fixture.router.start();
  std::vector<storage::DeadLetter> letters;
  REQUIRE(eventually([&] { return dead_letters_of(fixture.router, "fake", letters) == 1; }));
  REQUIRE(fixture.router.redeliver("fake", 1).is_ok());
  REQUIRE(eventually([&] {
    return dead_letters_of(fixture.router, "fake", letters) == 1 && letters.front().attempts == 2;
  }));
  CHECK(letters.front().reason == "http_422: still bad");
  const Result<storage::DeadLetter> letter = fixture.router.dead_letter("fake", 1);
  REQUIRE(letter.is_ok());
  CHECK(letter->contents.size() == 5);
}

TEST_CASE("Status shows a failing destination as retrying, with its backlog", "[router]") {
  config::DestinationConfig config = destination_config();
  config.retry_initial = config.retry_max = 10s;
  RouterFixture fixture(config);
  fixture.calls->otherwise = DeliveryResult::retry("connect_failed", "refused");
  append_many(*fixture.log, 7);
  fixture.router.start();
  REQUIRE(eventually(
      [&] { return fixture.router.destination("fake")->state == LoopState::kRetrying; }));
  const auto status = fixture.router.destination("fake");
  CHECK(status->name == "fake");
  CHECK(status->type == "file");
  CHECK(status->cursor == 0);
  CHECK(status->last_sequence == 7);
  CHECK(status->backlog_events == 7);
  CHECK(status->last_error == "connect_failed: refused");
  CHECK(fixture.router.destinations().size() == 1);
  REQUIRE(
      eventually([&] { return fixture.metric("sluice_router_backlog_bytes", "fake") > 0; }, 5s));
}

}  // namespace sluice::router::test
