#include "router/destinations/kafka_destination.hpp"

#include <cassert>

#include <simdjson.h>
#include <spdlog/spdlog.h>

namespace sluice::router {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// librdkafka reports a message at the latest when message.timeout.ms has passed, checking
// timeouts about once a second; the margin covers that check, so a batch is given up on only
// when a report is truly missing.
constexpr milliseconds kReportMargin{5000};
// How long to serve reports before producing again into a full queue.
constexpr milliseconds kQueueFullPause{100};
// close() waits this long for messages still in flight (of a batch deliver() gave up on).
constexpr milliseconds kCloseFlushTimeout{5000};

// No report yet: an internal code librdkafka never reports (it marks where they begin).
constexpr rd_kafka_resp_err_t kPending = RD_KAFKA_RESP_ERR__BEGIN;

// A tag is the batch number (high half) and the message's index in the batch (low half).
constexpr int kIndexBits = 32;
constexpr std::uint64_t kIndexMask = (std::uint64_t{1} << kIndexBits) - 1;

// What a failed message makes of its batch: reason tokens are metric labels, a fixed set.
struct Failure {
  DeliveryResult::Kind kind;
  const char* reason;
};

Failure classify(rd_kafka_resp_err_t error) {
  using Kind = DeliveryResult::Kind;
  switch (error) {
    // Sending the same bytes again to the same topic cannot succeed.
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
      return {Kind::kPermanent, "kafka_message_too_large"};
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
      return {Kind::kPermanent, "kafka_invalid_message"};
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
      return {Kind::kPermanent, "kafka_topic_authorization"};
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
      return {Kind::kPermanent, "kafka_invalid_topic"};
    // The cluster may be back later.
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
      return {Kind::kRetry, "kafka_timeout"};
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
      return {Kind::kRetry, "kafka_transport"};
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
      return {Kind::kRetry, "kafka_queue_full"};
    default:
      return {Kind::kRetry, "kafka_error"};
  }
}

DeliveryResult failed(const Failure& failure, std::string detail) {
  if (failure.kind == DeliveryResult::Kind::kPermanent) {
    return DeliveryResult::permanent(failure.reason, std::move(detail));
  }
  return DeliveryResult::retry(failure.reason, std::move(detail));
}

std::string describe(const OutgoingEvent& event, rd_kafka_resp_err_t error) {
  return "event " + std::to_string(event.sequence) + ": " + rd_kafka_err2str(error);
}

}  // namespace

// Reads an event's partitioning key from its JSON. simdjson needs SIMDJSON_PADDING readable
// bytes after the text, which a stored record does not have, so the text is copied into a
// reused, padded buffer first.
class KafkaDestination::KeyReader {
 public:
  // The top-level "userId", else "anonymousId", when it is a non-empty string; nullopt when
  // neither is. The view is valid until the next call.
  std::optional<std::string_view> read(std::string_view json) {
    buffer_.assign(json);
    buffer_.resize(json.size() + simdjson::SIMDJSON_PADDING);
    simdjson::ondemand::document document;
    simdjson::ondemand::object object;
    if (parser_.iterate(buffer_.data(), json.size(), buffer_.size()).get(document) ||
        document.get_object().get(object)) {
      return std::nullopt;
    }
    // One pass over the members, in whatever order the event has them.
    std::optional<std::string_view> anonymous_id;
    for (auto field : object) {
      std::string_view name;
      simdjson::ondemand::value value;
      simdjson::ondemand::json_type type;
      if (field.unescaped_key().get(name) || field.value().get(value) || value.type().get(type)) {
        break;
      }
      const bool user = name == "userId";
      if ((!user && name != "anonymousId") || type != simdjson::ondemand::json_type::string) {
        continue;
      }
      std::string_view id;
      if (value.get_string().get(id) || id.empty()) continue;
      if (user) return id;
      anonymous_id = id;
    }
    return anonymous_id;
  }

 private:
  simdjson::ondemand::parser parser_;
  std::string buffer_;
};

Result<std::unique_ptr<KafkaDestination>> KafkaDestination::open(
    const std::string& name, const config::KafkaDestinationConfig& config) {
  std::unique_ptr<KafkaDestination> destination(new KafkaDestination(name, config));
  // config/ checked the characters; "." and ".." pass that but Kafka refuses them.
  if (destination->topics_.constant() && !KafkaTopicTemplate::valid_topic(config.topic)) {
    return Status::invalid_argument("topic \"" + config.topic +
                                    "\" is not a valid Kafka topic name");
  }
  if (Status started = destination->start_producer(); !started.is_ok()) return started;
  return destination;
}

KafkaDestination::KafkaDestination(std::string name, const config::KafkaDestinationConfig& config)
    : name_(std::move(name)),
      config_(config),
      topics_(config.topic),
      keys_(std::make_unique<KeyReader>()) {}

KafkaDestination::~KafkaDestination() {
  close();
}

DeliveryResult KafkaDestination::deliver(std::span<const OutgoingEvent> events) {
  if (events.empty()) return DeliveryResult::ok();  // the loop never sends one
  if (!producer_) {
    if (Status started = start_producer(); !started.is_ok()) {
      return DeliveryResult::retry("kafka_error", started.message());
    }
  }
  if (Status fatal = producer_->fatal_error(); !fatal.is_ok()) return restart_producer(fatal);
  // Checked before anything is sent, so that a batch that is refused is not half in Kafka.
  if (auto refused = check_topics(events)) return *refused;
  const Clock::time_point deadline = Clock::now() + producer_->message_timeout() + kReportMargin;
  producer_->clear_last_error();
  if (auto failure = produce(events, deadline)) return *failure;
  return await_reports(events, deadline);
}

void KafkaDestination::tick() {
  if (producer_) producer_->poll(milliseconds(0));
}

void KafkaDestination::close() {
  if (!producer_) return;
  if (!producer_->flush(kCloseFlushTimeout)) {
    spdlog::warn(
        "kafka destination {}: {} messages still unreported at close; their events were not "
        "acknowledged and are delivered again at the next start",
        name_, producer_->outstanding());
  }
  producer_.reset();
}

Status KafkaDestination::start_producer() {
  Result<std::unique_ptr<KafkaProducer>> created = KafkaProducer::create(
      name_, config_,
      [this](std::uint64_t tag, rd_kafka_resp_err_t report) { on_report(tag, report); });
  if (!created.is_ok()) return created.status();
  producer_ = std::move(created).value();
  return Status::ok();
}

DeliveryResult KafkaDestination::restart_producer(const Status& fatal_error) {
  spdlog::error("kafka destination {}: the producer failed ({}); starting a new one", name_,
                fatal_error.message());
  producer_.reset();
  if (Status started = start_producer(); !started.is_ok()) {
    spdlog::error("kafka destination {}: {}; trying again at the next attempt", name_,
                  started.message());
  }
  return DeliveryResult::retry("kafka_fatal", fatal_error.message());
}

std::optional<DeliveryResult> KafkaDestination::check_topics(
    std::span<const OutgoingEvent> events) {
  if (topics_.constant()) return std::nullopt;
  for (const OutgoingEvent& event : events) {
    if (!topics_.render(event.record.source, event.record.type, &topic_)) {
      return DeliveryResult::permanent("kafka_invalid_topic",
                                       "event " + std::to_string(event.sequence) + ": \"" + topic_ +
                                           "\" is not a valid Kafka topic name");
    }
  }
  return std::nullopt;
}

std::optional<DeliveryResult> KafkaDestination::produce(std::span<const OutgoingEvent> events,
                                                        Clock::time_point deadline) {
  // batch_max_events is at most 100'000 (config/), far below the index half of a tag.
  assert(events.size() <= kIndexMask);
  ++reports_.batch;
  reports_.errors.assign(events.size(), kPending);
  reports_.pending = events.size();
  for (std::size_t index = 0; index < events.size(); ++index) {
    const storage::Record& record = events[index].record;
    topics_.render(record.source, record.type, &topic_);  // check_topics() accepted it
    const std::optional<std::string_view> key = keys_->read(record.json);
    const std::uint64_t tag = (std::uint64_t{reports_.batch} << kIndexBits) | index;
    rd_kafka_resp_err_t error;
    while ((error = producer_->produce(topic_, key, record.json, tag)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL &&
           Clock::now() < deadline) {
      // The queue is bounded (queue.buffering.max.*); serving reports makes room.
      producer_->poll(kQueueFullPause);
    }
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    if (Status fatal = producer_->fatal_error(); !fatal.is_ok()) return restart_producer(fatal);
    // What was queued already may still arrive: the retry then sends it again, after it.
    return failed(classify(error), describe(events[index], error));
  }
  return std::nullopt;
}

DeliveryResult KafkaDestination::await_reports(std::span<const OutgoingEvent> events,
                                               Clock::time_point deadline) {
  const Clock::time_point now = Clock::now();
  // flush() rather than poll(): it sends at once instead of waiting out linger.ms.
  if (reports_.pending > 0 && now < deadline) {
    producer_->flush(std::chrono::ceil<milliseconds>(deadline - now));
  }
  if (Status fatal = producer_->fatal_error(); !fatal.is_ok()) return restart_producer(fatal);
  const std::string context = producer_->last_error().empty()
                                  ? ""
                                  : " (last client error: " + producer_->last_error() + ")";
  if (reports_.pending > 0) {
    return DeliveryResult::retry(
        "kafka_timeout", "no delivery report for " + std::to_string(reports_.pending) + " of " +
                             std::to_string(events.size()) + " events" + context);
  }
  std::size_t failures = 0;
  std::optional<std::size_t> first_retry;
  std::optional<std::size_t> first_permanent;
  for (std::size_t index = 0; index < events.size(); ++index) {
    const rd_kafka_resp_err_t error = reports_.errors[index];
    if (error == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    ++failures;
    auto& first =
        classify(error).kind == DeliveryResult::Kind::kPermanent ? first_permanent : first_retry;
    if (!first) first = index;
  }
  if (failures == 0) return DeliveryResult::ok();
  // One message that can never be delivered condemns the batch; otherwise it is worth a retry.
  const std::size_t shown = first_permanent ? *first_permanent : *first_retry;
  const rd_kafka_resp_err_t error = reports_.errors[shown];
  return failed(classify(error), std::to_string(failures) + " of " + std::to_string(events.size()) +
                                     " events not delivered; " + describe(events[shown], error) +
                                     context);
}

void KafkaDestination::on_report(std::uint64_t tag, rd_kafka_resp_err_t error) {
  const auto index = static_cast<std::size_t>(tag & kIndexMask);
  if ((tag >> kIndexBits) != reports_.batch || index >= reports_.errors.size() ||
      reports_.errors[index] != kPending) {
    return;  // a message of a batch given up on
  }
  reports_.errors[index] = error;
  --reports_.pending;
}

}  // namespace sluice::router
