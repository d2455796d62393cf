#include "router/destinations/kafka_destination.hpp"

#include <algorithm>
#include <deque>
#include <future>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "kafka_fixture.hpp"
#include "router/delivery_loop.hpp"
#include "router/destination_factory.hpp"
#include "router/router_metrics.hpp"
#include "router_fixture.hpp"

namespace sluice::router::test {
namespace {

using Kind = DeliveryResult::Kind;
using storage::EventType;

// Events as a delivery loop hands them to deliver(): records whose views point into strings
// this object owns, with the key each one should get.
class Events {
 public:
  // Adds an event whose JSON is {"type":..,"messageId":<label>,<ids>,"properties":{..}}, where
  // ids are raw JSON members ("userId":"u1") or empty.
  void add(const std::string& label, const std::string& ids, std::optional<std::string> key,
           const std::string& source = "web", EventType type = EventType::kTrack) {
    Stored& stored = stored_.emplace_back();
    stored.source = source;
    stored.message_id = label;
    stored.json = R"({"type":")" + std::string(storage::to_string(type)) + R"(","messageId":")" +
                  label + R"(",)" + (ids.empty() ? "" : ids + ",") + R"("properties":{"n":)" +
                  std::to_string(events_.size()) + "}}";
    stored.key = std::move(key);
    OutgoingEvent event;
    event.sequence = events_.size() + 1;
    event.record.type = type;
    event.record.received_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
    event.record.source = stored.source;
    event.record.message_id = stored.message_id;
    event.record.json = stored.json;
    events_.push_back(event);
  }

  // count events of users u0..u<users-1> (userId) and anonymous visitors a0.. (anonymousId).
  void add_users(int count, int users) {
    for (int n = 0; n < count; ++n) {
      const int who = n % users;
      const std::string label = "m" + std::to_string(events_.size());
      if (who % 2 == 0) {
        add(label, R"("userId":"u)" + std::to_string(who) + '"', "u" + std::to_string(who));
      } else {
        add(label, R"("anonymousId":"a)" + std::to_string(who) + '"', "a" + std::to_string(who));
      }
    }
  }

  std::span<const OutgoingEvent> all() const { return events_; }
  std::span<const OutgoingEvent> slice(std::size_t first, std::size_t count) const {
    return all().subspan(first, count);
  }
  std::size_t size() const { return events_.size(); }

  // Checks that messages hold every event, each with its key, and one key's events in log order
  // on one partition. Exactly once, or at least once when a retry may have sent some twice: then
  // the first copies are in log order.
  void check_delivered(const std::vector<ConsumedMessage>& messages, bool exactly_once) const {
    std::map<std::string_view, std::size_t> index_of;
    for (std::size_t i = 0; i < stored_.size(); ++i) index_of[stored_[i].json] = i;
    std::map<std::optional<std::string>, std::vector<std::size_t>> by_key;
    std::map<std::optional<std::string>, std::set<std::int32_t>> partitions;
    std::set<std::size_t> seen;
    for (const ConsumedMessage& message : messages) {
      const auto found = index_of.find(message.value);
      INFO(message.value);
      REQUIRE(found != index_of.end());  // the value is the record's JSON, verbatim
      CHECK(message.key == stored_[found->second].key);
      if (seen.insert(found->second).second) by_key[message.key].push_back(found->second);
      partitions[message.key].insert(message.partition);
    }
    CHECK(seen.size() == stored_.size());
    if (exactly_once) CHECK(messages.size() == stored_.size());
    // Events without a key are spread over the partitions, so they have no order to check.
    for (const auto& [key, indexes] : by_key) {
      if (!key) continue;
      INFO("key " << *key);
      CHECK(std::is_sorted(indexes.begin(), indexes.end()));
      CHECK(partitions[key].size() == 1);
    }
  }

 private:
  struct Stored {
    std::string source;
    std::string message_id;
    std::string json;
    std::optional<std::string> key;
  };
  std::deque<Stored> stored_;  // never moves its elements: the records' views stay valid
  std::vector<OutgoingEvent> events_;
};

std::unique_ptr<KafkaDestination> open_destination(const config::KafkaDestinationConfig& config) {
  auto destination = KafkaDestination::open("stream", config);
  INFO(destination.status().to_string());
  REQUIRE(destination.is_ok());
  return std::move(destination).value();
}

// Delivers events in batches of batch_size, each until acknowledged (at most attempts tries).
void deliver_all(KafkaDestination& destination, const Events& events, std::size_t batch_size,
                 int attempts = 1) {
  for (std::size_t first = 0; first < events.size(); first += batch_size) {
    const auto batch = events.slice(first, std::min(batch_size, events.size() - first));
    DeliveryResult result = destination.deliver(batch);
    for (int attempt = 1; attempt < attempts && result.kind == Kind::kRetry; ++attempt) {
      result = destination.deliver(batch);
    }
    INFO(result.reason << ": " << result.detail);
    REQUIRE(result.kind == Kind::kOk);
  }
}

}  // namespace

TEST_CASE("Kafka: every event arrives, keyed by userId or anonymousId, in order per key",
          "[router][kafka]") {
  MockCluster cluster;
  cluster.create_topic("events");
  Events events;
  events.add_users(60, 7);
  events.add("both", R"("anonymousId":"a9","userId":"u9")", "u9");
  events.add("neither", "", std::nullopt);
  events.add("null-user", R"("userId":null,"anonymousId":"a1")", "a1");
  events.add("numeric-user", R"("userId":42)", std::nullopt);
  events.add("empty-user", R"("userId":"","anonymousId":"a3")", "a3");
  events.add("escaped", R"("userId":"u\"9")", "u\"9");
  events.add("nested", R"("context":{"userId":"x"},"userId":"u2")", "u2");
  events.add_users(40, 7);

  auto destination = open_destination(cluster.destination("events"));
  deliver_all(*destination, events, 16);
  destination->close();

  events.check_delivered(read_topics(cluster, {"events"}, 4, events.size()), true);
}

TEST_CASE("Kafka: the topic template routes by source and type", "[router][kafka]") {
  MockCluster cluster;
  for (const char* topic : {"sluice.web.track", "sluice.web.identify", "sluice.ios.track"}) {
    cluster.create_topic(topic);
  }
  auto destination = open_destination(cluster.destination("sluice.{source}.{type}"));

  SECTION("each event goes to the topic of its source and type") {
    Events events;
    events.add("1", R"("userId":"u1")", "u1", "web", EventType::kTrack);
    events.add("2", R"("userId":"u1")", "u1", "web", EventType::kIdentify);
    events.add("3", R"("userId":"u1")", "u1", "ios", EventType::kTrack);
    events.add("4", R"("userId":"u2")", "u2", "web", EventType::kTrack);
    deliver_all(*destination, events, 4);

    std::map<std::string, std::vector<std::string>> topics;
    for (const ConsumedMessage& message : read_topics(
             cluster, {"sluice.web.track", "sluice.web.identify", "sluice.ios.track"}, 4, 4)) {
      topics[message.topic].push_back(message.value);
    }
    CHECK(topics["sluice.web.identify"] ==
          std::vector<std::string>{std::string(events.all()[1].record.json)});
    CHECK(topics["sluice.ios.track"] ==
          std::vector<std::string>{std::string(events.all()[2].record.json)});
    CHECK(topics["sluice.web.track"].size() == 2);
  }

  SECTION("a source name that makes no valid topic name is a permanent failure") {
    Events events;
    events.add("1", R"("userId":"u1")", "u1", "web", EventType::kTrack);
    events.add("2", R"("userId":"u1")", "u1", "web shop", EventType::kTrack);
    const DeliveryResult result = destination->deliver(events.all());
    CHECK(result.kind == Kind::kPermanent);
    CHECK(result.reason == "kafka_invalid_topic");
    CHECK_THAT(result.detail, Catch::Contains("sluice.web shop.track"));
    // Nothing of the batch was sent.
    CHECK(read_topics(cluster, {"sluice.web.track"}, 4, 1, 500ms, 0ms).empty());
  }
}

TEST_CASE("Kafka: transient produce errors are acknowledged only once delivered",
          "[router][kafka]") {
  MockCluster cluster;
  cluster.create_topic("events");
  Events events;
  events.add_users(50, 5);

  SECTION("librdkafka retries errors the broker calls retriable, without duplicates") {
    auto destination = open_destination(cluster.destination("events"));
    rd_kafka_mock_push_request_errors(
        cluster.get(), kProduceRequest, 4, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR__TRANSPORT);
    deliver_all(*destination, events, 25);
    events.check_delivered(read_topics(cluster, {"events"}, 4, events.size()), true);
  }

  SECTION("errors lasting past message.timeout.ms are a retry; the next attempt delivers") {
    auto destination =
        open_destination(cluster.destination("events", {{"message.timeout.ms", "1000"}}));
    const std::vector<rd_kafka_resp_err_t> errors(500, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS);
    rd_kafka_mock_push_request_errors_array(cluster.get(), kProduceRequest, errors.size(),
                                            errors.data());
    const DeliveryResult result = destination->deliver(events.all());
    CHECK(result.kind == Kind::kRetry);
    CHECK(result.reason == "kafka_timeout");
    CHECK_THAT(result.detail, Catch::Contains("50 of 50 events not delivered"));
    rd_kafka_mock_clear_request_errors(cluster.get(), kProduceRequest);
    deliver_all(*destination, events, events.size(), 3);
    events.check_delivered(read_topics(cluster, {"events"}, 4, events.size()), false);
  }

  SECTION("answers that come after message.timeout.ms are a retry, and acknowledge nothing") {
    auto destination =
        open_destination(cluster.destination("events", {{"message.timeout.ms", "1000"}}));
    for (std::int32_t broker = 1; broker <= 3; ++broker) {
      REQUIRE(rd_kafka_mock_broker_push_request_error_rtts(cluster.get(), broker, kProduceRequest,
                                                           1, RD_KAFKA_RESP_ERR_NO_ERROR,
                                                           2500) == RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    const DeliveryResult result = destination->deliver(events.slice(0, 25));
    CHECK(result.kind == Kind::kRetry);
    CHECK(result.reason == "kafka_timeout");
    // librdkafka gave up on those requests (and their connections); later attempts deliver.
    deliver_all(*destination, events, 25, 3);
    events.check_delivered(read_topics(cluster, {"events"}, 4, events.size()), false);
  }
}

TEST_CASE("Kafka: a cluster that is down makes deliver retry and acknowledges nothing",
          "[router][kafka]") {
  MockCluster cluster;
  cluster.create_topic("events");
  Events events;
  events.add_users(20, 4);
  auto destination =
      open_destination(cluster.destination("events", {{"message.timeout.ms", "1000"}}));
  REQUIRE(rd_kafka_mock_broker_set_down(cluster.get(), -1) == RD_KAFKA_RESP_ERR_NO_ERROR);

  const auto started = std::chrono::steady_clock::now();
  const DeliveryResult result = destination->deliver(events.all());
  CHECK(result.kind == Kind::kRetry);
  CHECK(result.reason == "kafka_timeout");
  CHECK(std::chrono::steady_clock::now() - started < 8s);  // message.timeout.ms + the margin

  // Back up: the same batch is delivered on a later attempt.
  REQUIRE(rd_kafka_mock_broker_set_up(cluster.get(), -1) == RD_KAFKA_RESP_ERR_NO_ERROR);
  deliver_all(*destination, events, events.size(), 5);
  events.check_delivered(read_topics(cluster, {"events"}, 4, events.size()), false);
}

TEST_CASE("Kafka: what can never be delivered as it is is a permanent failure", "[router][kafka]") {
  MockCluster cluster;
  cluster.create_topic("events");

  SECTION("a message larger than message.max.bytes") {
    auto destination = open_destination(cluster.destination(
        "events", {{"message.max.bytes", "1000"}, {"message.timeout.ms", "3000"}}));
    Events events;
    events.add("small", R"("userId":"u1")", "u1");
    events.add("large", R"("userId":"u1","pad":")" + std::string(2000, 'x') + '"', "u1");
    const DeliveryResult result = destination->deliver(events.all());
    CHECK(result.kind == Kind::kPermanent);
    CHECK(result.reason == "kafka_message_too_large");
    CHECK_THAT(result.detail, Catch::Contains("event 2"));
  }

  SECTION("a topic the producer may not write to") {
    auto destination = open_destination(cluster.destination("events"));
    rd_kafka_mock_push_request_errors(cluster.get(), kProduceRequest, 1,
                                      RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    Events events;
    events.add("1", R"("userId":"u1")", "u1");
    const DeliveryResult result = destination->deliver(events.all());
    CHECK(result.kind == Kind::kPermanent);
    CHECK(result.reason == "kafka_topic_authorization");
  }
}

TEST_CASE("Kafka: a fatal producer error replaces the producer", "[router][kafka]") {
  MockCluster cluster;
  cluster.create_topic("events");
  // The idempotent producer cannot get a producer id: librdkafka raises a fatal error.
  rd_kafka_mock_push_request_errors(cluster.get(), kInitProducerIdRequest, 1,
                                    RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED);
  auto destination = open_destination(cluster.destination("events"));
  Events events;
  events.add_users(10, 3);

  const DeliveryResult result = destination->deliver(events.all());
  CHECK(result.kind == Kind::kRetry);
  CHECK(result.reason == "kafka_fatal");
  deliver_all(*destination, events, events.size());
  events.check_delivered(read_topics(cluster, {"events"}, 4, events.size()), true);
}

TEST_CASE("Kafka: the factory builds kafka destinations and reports refused properties",
          "[router][kafka]") {
  // Nothing listens there: building a destination does not wait for its cluster.
  config::KafkaDestinationConfig kafka{"127.0.0.1:1", "events", {}};
  config::DestinationConfig config = destination_config("stream");

  SECTION("a valid destination") {
    config.settings = kafka;
    CHECK(make_destination(config).is_ok());
  }
  SECTION("an unknown property") {
    kafka.properties = {{"no.such.property", "1"}};
    config.settings = kafka;
    const auto destination = make_destination(config);
    CHECK_FALSE(destination.is_ok());
    CHECK_THAT(error_of(destination),
               Catch::StartsWith(R"(destination "stream": kafka property "no.such.property")"));
  }
  SECTION("a value librdkafka refuses") {
    kafka.properties = {{"linger.ms", "soon"}};
    config.settings = kafka;
    const auto destination = make_destination(config);
    CHECK_FALSE(destination.is_ok());
    CHECK_THAT(error_of(destination), Catch::Contains(R"(kafka property "linger.ms": )"));
  }
  SECTION("properties that contradict the idempotent producer") {
    kafka.properties = {{"acks", "1"}};
    config.settings = kafka;
    const auto destination = make_destination(config);
    CHECK_FALSE(destination.is_ok());
    CHECK_THAT(error_of(destination), Catch::Contains("cannot create the kafka producer"));
  }
  SECTION("a topic Kafka refuses") {
    kafka.topic = "..";
    config.settings = kafka;
    const auto destination = make_destination(config);
    CHECK_FALSE(destination.is_ok());
    CHECK_THAT(error_of(destination),
               Catch::Contains(R"(topic ".." is not a valid Kafka topic name)"));
  }
}

TEST_CASE("Kafka: a delivery loop drains the log into Kafka in per-key order", "[router][kafka]") {
  MockCluster cluster;
  cluster.create_topic("events");
  TempDir dir;
  auto log = open_log(dir);
  prometheus::Registry registry;
  RouterMetrics metrics(registry);

  Events events;
  events.add_users(300, 11);
  auto append_events = [&](std::size_t first, std::size_t count) {
    std::vector<std::string> records;
    for (const OutgoingEvent& event : events.slice(first, count)) {
      records.emplace_back();
      storage::encode_record(event.record, records.back());
    }
    auto done = std::make_shared<std::promise<storage::AppendResult>>();
    auto result = done->get_future();
    const storage::Admission admission = log->records().append(
        std::move(records),
        [done](const storage::AppendResult& appended) { done->set_value(appended); });
    REQUIRE(admission == storage::Admission::kAccepted);
    REQUIRE(result.get().ok);
  };

  config::DestinationConfig config = destination_config("stream");
  config.settings = cluster.destination("events");
  config.batch_max_events = 25;
  append_events(0, 120);  // a backlog before the loop starts
  DeliveryLoop loop(config, *log,
                    open_destination(std::get<config::KafkaDestinationConfig>(config.settings)),
                    metrics.destination("stream"), LoopTiming{50ms, 0ms, 4096});
  loop.start();
  for (std::size_t first = 120; first < events.size(); first += 30) append_events(first, 30);

  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (metric_value(registry, "sluice_router_cursor", "stream") < 300 &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  loop.request_stop();
  loop.join();
  CHECK(metric_value(registry, "sluice_router_cursor", "stream") == 300);
  CHECK(metric_value(registry, "sluice_router_delivered_events_total", "stream") == 300);
  events.check_delivered(read_topics(cluster, {"events"}, 4, events.size()), true);
}

}  // namespace sluice::router::test
