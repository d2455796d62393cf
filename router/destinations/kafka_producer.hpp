#pragma once

// One librdkafka producer handle, configured for the Kafka destination: bootstrap.servers from
// the config, the idempotent producer with acks=all (no duplicates or reordering from
// librdkafka's own retries), a default message.timeout.ms short enough for the delivery loop's
// retries to take over, then every configured property on top. librdkafka's log lines go to
// spdlog; client errors are logged and the last one is kept for failure details.
//
// Each produced message carries a 64-bit tag that comes back with its delivery report, through
// the ReportHandler given at creation. Reports (and client errors) are served only inside poll()
// and flush(), on the calling thread.
//
// Owns the rd_kafka_t and its topic handles; destroying the producer drops what is still
// queued (the caller flushes first when it cares). Not thread-safe: one owner thread, except
// that librdkafka's own threads call the log callback, which touches only immutable state.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <librdkafka/rdkafka.h>

#include "common/status.hpp"
#include "config/config.hpp"

namespace sluice::router {

class KafkaProducer {
 public:
  using ReportHandler = std::function<void(std::uint64_t tag, rd_kafka_resp_err_t error)>;

  // The producer of destination name. An error when librdkafka refuses a property or cannot
  // create the handle. Connecting happens in the background: a broker that is down is not an
  // error here.
  static Result<std::unique_ptr<KafkaProducer>> create(const std::string& name,
                                                       const config::KafkaDestinationConfig& config,
                                                       ReportHandler on_report);
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // Queues one message for topic (a copy of key and value is taken; no key when key is
  // nullopt). RD_KAFKA_RESP_ERR_NO_ERROR once queued, else why not (QUEUE_FULL: poll, then try
  // again).
  rd_kafka_resp_err_t produce(const std::string& topic, std::optional<std::string_view> key,
                              std::string_view value, std::uint64_t tag);

  // Serves delivery reports and client errors, waiting up to timeout for the first one.
  void poll(std::chrono::milliseconds timeout);
  // Sends what is queued at once and serves reports until every message produced so far has
  // been reported (true) or timeout passed (false).
  bool flush(std::chrono::milliseconds timeout);
  // Messages produced and not yet reported.
  int outstanding() const;

  // kUnavailable, with librdkafka's reason, once it raised a fatal error (for example the
  // idempotent producer lost its guarantees): the handle can deliver nothing more and must be
  // replaced. Ok before.
  Status fatal_error() const;

  // The effective message.timeout.ms: librdkafka reports every message within about this long.
  std::chrono::milliseconds message_timeout() const { return message_timeout_; }

  // The latest client error since clear_last_error() ("3/3 brokers are down"), or empty.
  const std::string& last_error() const { return last_error_; }
  void clear_last_error() { last_error_.clear(); }

 private:
  struct HandleDeleter {
    void operator()(rd_kafka_t* handle) const;
  };
  struct TopicDeleter {
    void operator()(rd_kafka_topic_t* topic) const;
  };

  KafkaProducer(std::string name, ReportHandler on_report);

  // The cached handle of topic, made on first use.
  rd_kafka_topic_t* topic_handle(const std::string& topic);

  static void log_line(const rd_kafka_t* handle, int level, const char* facility,
                       const char* message);
  static void client_error(rd_kafka_t* handle, int error, const char* reason, void* opaque);
  static void delivery_report(rd_kafka_t* handle, const rd_kafka_message_t* message, void* opaque);

  const std::string name_;
  const ReportHandler on_report_;
  std::chrono::milliseconds message_timeout_{0};
  std::string last_error_;
  std::unique_ptr<rd_kafka_t, HandleDeleter> handle_;
  // Destroyed before handle_ (the destructor sees to it), as librdkafka requires.
  std::map<std::string, std::unique_ptr<rd_kafka_topic_t, TopicDeleter>, std::less<>> topics_;
};

}  // namespace sluice::router
