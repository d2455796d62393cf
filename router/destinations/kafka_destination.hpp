#pragma once

// The Kafka destination: every event becomes one message whose value is the stored, enriched
// JSON and whose key is the event's userId, else its anonymousId (no key when neither is a
// non-empty string), so that one user's events land on one partition and stay in order there.
// The topic comes from config.topic with {source} and {type} filled in from the record header.
//
// deliver() produces the batch in order, then waits for librdkafka's delivery reports of all
// its messages, at most message.timeout.ms plus a margin. It acknowledges the batch only when
// every message was reported delivered (acks=all): the loop's cursor moves on delivery reports.
// A failure is a retry, except for what can never succeed as it is (a message too large, an
// invalid message or topic name, a topic this producer may not write to): permanent. A fatal
// producer error (the idempotent producer lost its guarantees) replaces the producer and is a
// retry. A retried batch is produced again: Kafka may then hold some events twice, in order.
//
// Not thread-safe; driven by one DeliveryLane.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "config/config.hpp"
#include "router/destination.hpp"
#include "router/destinations/kafka_producer.hpp"
#include "router/destinations/kafka_topic_template.hpp"

namespace sluice::router {

class KafkaDestination final : public Destination {
 public:
  // Creates the producer (it connects in the background). An error when librdkafka refuses a
  // property or the topic has no placeholder and is not a valid name.
  static Result<std::unique_ptr<KafkaDestination>> open(
      const std::string& name, const config::KafkaDestinationConfig& config);

  // Closes if close() was not called.
  ~KafkaDestination() override;

  DeliveryResult deliver(std::span<const OutgoingEvent> events) override;
  // Serves client errors and late delivery reports while idle.
  void tick() override;
  // Waits a bounded time for messages still in flight, then destroys the producer.
  void close() override;

 private:
  class KeyReader;

  // The delivery report of every message of the batch in flight, by index. A batch that
  // deliver() gave up on may still be reported later; its reports carry an older batch number
  // in their tag and are ignored.
  struct Reports {
    std::uint32_t batch = 0;
    std::vector<rd_kafka_resp_err_t> errors;  // kPending until reported
    std::size_t pending = 0;
  };

  KafkaDestination(std::string name, const config::KafkaDestinationConfig& config);

  Status start_producer();
  // Replaces a producer that hit a fatal error; the batch is retried.
  DeliveryResult restart_producer(const Status& fatal_error);
  // The first event whose topic the template cannot make, or nullopt.
  std::optional<DeliveryResult> check_topics(std::span<const OutgoingEvent> events);
  // Queues every event, waiting while librdkafka's queue is full. nullopt when all are queued.
  std::optional<DeliveryResult> produce(std::span<const OutgoingEvent> events,
                                        std::chrono::steady_clock::time_point deadline);
  DeliveryResult await_reports(std::span<const OutgoingEvent> events,
                               std::chrono::steady_clock::time_point deadline);
  void on_report(std::uint64_t tag, rd_kafka_resp_err_t error);

  const std::string name_;
  const config::KafkaDestinationConfig config_;
  const KafkaTopicTemplate topics_;
  std::unique_ptr<KeyReader> keys_;
  std::string topic_;  // the rendered topic, reused
  Reports reports_;
  // Last: destroyed first, while the state its delivery reports reach is still there.
  std::unique_ptr<KafkaProducer> producer_;
};

}  // namespace sluice::router
