#pragma once

// Helpers for the Kafka destination tests: MockCluster, librdkafka's in-process mock cluster on
// loopback (brokers, topics and injected errors), and read_topics(), a consumer that reads
// topics back from the beginning. Everything is released when a test ends, even on a failed
// REQUIRE, so that the sanitizer builds see no leaked librdkafka handle.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "config/config.hpp"

namespace sluice::router::test {

struct KafkaHandleDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleDeleter>;

// Kafka protocol request types, for injecting errors.
inline constexpr std::int16_t kProduceRequest = 0;
inline constexpr std::int16_t kInitProducerIdRequest = 22;

// A mock cluster of three brokers (by default) on loopback, owned by a handle of its own.
class MockCluster {
 public:
  explicit MockCluster(int brokers = 3) {
    std::array<char, 512> error{};
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // Quiet: the owner never connects, which librdkafka would mention on every test.
    REQUIRE(rd_kafka_conf_set(conf, "log_level", "4", error.data(), error.size()) ==
            RD_KAFKA_CONF_OK);
    owner_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf, error.data(), error.size()));
    if (!owner_) rd_kafka_conf_destroy(conf);
    INFO(error.data());
    REQUIRE(owner_ != nullptr);
    cluster_ = rd_kafka_mock_cluster_new(owner_.get(), brokers);
    REQUIRE(cluster_ != nullptr);
  }
  ~MockCluster() { rd_kafka_mock_cluster_destroy(cluster_); }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  rd_kafka_mock_cluster_t* get() const { return cluster_; }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }

  void create_topic(const std::string& topic, int partitions = 4) {
    REQUIRE(rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 3) ==
            RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  // A destination config for this cluster; a short message.timeout.ms keeps failures quick.
  config::KafkaDestinationConfig destination(const std::string& topic,
                                             std::map<std::string, std::string> properties = {
                                                 {"message.timeout.ms", "3000"}}) const {
    return config::KafkaDestinationConfig{bootstraps(), topic, std::move(properties)};
  }

 private:
  KafkaHandle owner_;  // outlives cluster_, which it keeps the books for
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
};

struct ConsumedMessage {
  std::string topic;
  std::int32_t partition = 0;
  std::optional<std::string> key;
  std::string value;
};

// Reads topics (partitions 0 to partitions - 1 each) from the beginning until `count` different
// messages (by value) arrived or `timeout` passed, then for `settle` more to catch any extra
// (duplicate) message.
inline std::vector<ConsumedMessage> read_topics(
    const MockCluster& cluster, const std::vector<std::string>& topics, int partitions,
    std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10),
    std::chrono::milliseconds settle = std::chrono::milliseconds(300)) {
  std::array<char, 512> error{};
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [name, value] : {std::pair{"bootstrap.servers", cluster.bootstraps()},
                                    std::pair{"group.id", std::string("test")},
                                    std::pair{"enable.auto.commit", std::string("false")},
                                    std::pair{"enable.partition.eof", std::string("false")}}) {
    REQUIRE(rd_kafka_conf_set(conf, name, value.c_str(), error.data(), error.size()) ==
            RD_KAFKA_CONF_OK);
  }
  KafkaHandle consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf, error.data(), error.size()));
  if (!consumer) rd_kafka_conf_destroy(conf);
  INFO(error.data());
  REQUIRE(consumer != nullptr);

  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(0);
  for (const std::string& topic : topics) {
    for (int partition = 0; partition < partitions; ++partition) {
      rd_kafka_topic_partition_list_add(assignment, topic.c_str(), partition)->offset =
          RD_KAFKA_OFFSET_BEGINNING;
    }
  }
  const rd_kafka_resp_err_t assigned = rd_kafka_assign(consumer.get(), assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  REQUIRE(assigned == RD_KAFKA_RESP_ERR_NO_ERROR);

  std::vector<ConsumedMessage> messages;
  std::set<std::string> values;
  const auto start = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> settled_at;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (!settled_at && (values.size() >= count || now - start >= timeout)) {
      settled_at = now + settle;
    }
    if (settled_at && now >= *settled_at) break;
    rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer.get(), 50);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ConsumedMessage consumed;
      consumed.topic = rd_kafka_topic_name(message->rkt);
      consumed.partition = message->partition;
      if (message->key != nullptr) {
        consumed.key.emplace(static_cast<const char*>(message->key), message->key_len);
      }
      consumed.value.assign(static_cast<const char*>(message->payload), message->len);
      values.insert(consumed.value);
      messages.push_back(std::move(consumed));
    }
    rd_kafka_message_destroy(message);
  }
  rd_kafka_consumer_close(consumer.get());
  return messages;
}

}  // namespace sluice::router::test
