#include "router/destinations/kafka_producer.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include <spdlog/spdlog.h>

namespace sluice::router {
namespace {

// librdkafka's own default (300 s) would hold a deliver() to a down cluster, and so a stop, for
// five minutes. The delivery loop retries with backoff anyway, so a failed attempt can end
// sooner; message.timeout.ms in the properties overrides this.
constexpr std::string_view kDefaultMessageTimeoutMs = "30000";

// Tags travel as librdkafka's per-message opaque pointer.
static_assert(sizeof(void*) >= sizeof(std::uint64_t), "a tag must fit in a pointer");

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
using Conf = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

Status set(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  std::array<char, 512> reason{};
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), reason.data(), reason.size()) ==
      RD_KAFKA_CONF_OK) {
    return Status::ok();
  }
  // The value stays out of the message: it may be a password (sasl.password, ssl.key.password).
  return Status::invalid_argument("kafka property \"" + name + "\": " + reason.data());
}

std::optional<std::string> get(const rd_kafka_conf_t* conf, const char* name) {
  std::array<char, 512> value{};
  std::size_t size = value.size();
  if (rd_kafka_conf_get(conf, name, value.data(), &size) != RD_KAFKA_CONF_OK) return std::nullopt;
  return std::string(value.data());
}

// The effective message.timeout.ms (or its alias delivery.timeout.ms). It is always set, since
// the defaults set it; librdkafka checked the number.
std::chrono::milliseconds effective_message_timeout(const rd_kafka_conf_t* conf) {
  const std::string text = get(conf, "message.timeout.ms").value_or("");
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::chrono::milliseconds(300'000);  // librdkafka's default
  }
  return std::chrono::milliseconds(value);
}

int to_timeout_ms(std::chrono::milliseconds timeout) {
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 0, 1 << 30));
}

spdlog::level::level_enum spdlog_level(int syslog_level) {
  if (syslog_level <= 2) return spdlog::level::critical;
  if (syslog_level == 3) return spdlog::level::err;
  if (syslog_level == 4) return spdlog::level::warn;
  if (syslog_level <= 6) return spdlog::level::info;
  return spdlog::level::debug;
}

}  // namespace

void KafkaProducer::HandleDeleter::operator()(rd_kafka_t* handle) const {
  rd_kafka_destroy(handle);
}

void KafkaProducer::TopicDeleter::operator()(rd_kafka_topic_t* topic) const {
  rd_kafka_topic_destroy(topic);
}

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::create(
    const std::string& name, const config::KafkaDestinationConfig& config,
    ReportHandler on_report) {
  Conf conf(rd_kafka_conf_new());
  // Idempotence keeps librdkafka's internal retries from duplicating or reordering messages
  // within a partition; it needs acks=all, set explicitly so that the intent is visible.
  const std::pair<std::string, std::string> defaults[] = {
      {"bootstrap.servers", config.brokers},
      {"client.id", "sluice-" + name},
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"message.timeout.ms", std::string(kDefaultMessageTimeoutMs)},
  };
  for (const auto& [key, value] : defaults) {
    if (Status accepted = set(conf.get(), key, value); !accepted.is_ok()) return accepted;
  }
  for (const auto& [key, value] : config.properties) {
    if (Status accepted = set(conf.get(), key, value); !accepted.is_ok()) return accepted;
  }

  std::unique_ptr<KafkaProducer> producer(new KafkaProducer(name, std::move(on_report)));
  producer->message_timeout_ = effective_message_timeout(conf.get());
  if (get(conf.get(), "enable.idempotence") != "true") {
    spdlog::warn(
        "kafka destination {}: enable.idempotence is off, so librdkafka's retries may reorder "
        "or duplicate one user's events",
        name);
  }
  rd_kafka_conf_set_opaque(conf.get(), producer.get());
  rd_kafka_conf_set_log_cb(conf.get(), &KafkaProducer::log_line);
  rd_kafka_conf_set_error_cb(conf.get(), &KafkaProducer::client_error);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaProducer::delivery_report);

  std::array<char, 512> reason{};
  // On success the handle owns the configuration; on failure it is still ours.
  producer->handle_.reset(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), reason.data(), reason.size()));
  if (!producer->handle_) {
    return Status::internal(std::string("cannot create the kafka producer: ") + reason.data());
  }
  static_cast<void>(conf.release());
  return producer;
}

KafkaProducer::KafkaProducer(std::string name, ReportHandler on_report)
    : name_(std::move(name)), on_report_(std::move(on_report)) {}

KafkaProducer::~KafkaProducer() {
  if (!handle_) return;
  // Dropped rather than waited for: whoever wanted them delivered has flushed.
  rd_kafka_purge(handle_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  topics_.clear();
  handle_.reset();
}

rd_kafka_resp_err_t KafkaProducer::produce(const std::string& topic,
                                           std::optional<std::string_view> key,
                                           std::string_view value, std::uint64_t tag) {
  rd_kafka_topic_t* handle = topic_handle(topic);
  if (handle == nullptr) return rd_kafka_last_error();
  // The argument array of rd_kafka_produceva(), not rd_kafka_producev()'s RD_KAFKA_V_* macros:
  // those expand to GNU statement expressions, which clang's -Wpedantic rejects.
  std::array<rd_kafka_vu_t, 5> fields{};
  fields[0].vtype = RD_KAFKA_VTYPE_RKT;
  fields[0].u.rkt = handle;
  // F_COPY: a message outlives the deliver() call that gave up waiting for its report, and with
  // it the batch that holds the value.
  fields[1].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  fields[1].u.i = RD_KAFKA_MSG_F_COPY;
  // librdkafka only reads the key and value bytes; its argument type drops const.
  fields[2].vtype = RD_KAFKA_VTYPE_VALUE;
  fields[2].u.mem.ptr = const_cast<char*>(value.data());
  fields[2].u.mem.size = value.size();
  fields[3].vtype = RD_KAFKA_VTYPE_KEY;
  fields[3].u.mem.ptr = key ? const_cast<char*>(key->data()) : nullptr;
  fields[3].u.mem.size = key ? key->size() : 0;
  fields[4].vtype = RD_KAFKA_VTYPE_OPAQUE;
  // NOLINTNEXTLINE(performance-no-int-to-ptr): never dereferenced, only cast back to the tag.
  fields[4].u.ptr = reinterpret_cast<void*>(static_cast<std::uintptr_t>(tag));
  rd_kafka_error_t* error = rd_kafka_produceva(handle_.get(), fields.data(), fields.size());
  if (error == nullptr) return RD_KAFKA_RESP_ERR_NO_ERROR;
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  rd_kafka_error_destroy(error);
  return code;
}

void KafkaProducer::poll(std::chrono::milliseconds timeout) {
  rd_kafka_poll(handle_.get(), to_timeout_ms(timeout));
}

bool KafkaProducer::flush(std::chrono::milliseconds timeout) {
  return rd_kafka_flush(handle_.get(), to_timeout_ms(timeout)) == RD_KAFKA_RESP_ERR_NO_ERROR;
}

int KafkaProducer::outstanding() const {
  return rd_kafka_outq_len(handle_.get());
}

Status KafkaProducer::fatal_error() const {
  std::array<char, 512> reason{};
  const rd_kafka_resp_err_t error =
      rd_kafka_fatal_error(handle_.get(), reason.data(), reason.size());
  if (error == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::ok();
  return Status::unavailable(std::string(rd_kafka_err2name(error)) + ": " + reason.data());
}

rd_kafka_topic_t* KafkaProducer::topic_handle(const std::string& topic) {
  if (auto found = topics_.find(topic); found != topics_.end()) return found->second.get();
  rd_kafka_topic_t* handle = rd_kafka_topic_new(handle_.get(), topic.c_str(), nullptr);
  if (handle != nullptr) topics_.emplace(topic, handle);
  return handle;
}

void KafkaProducer::log_line(const rd_kafka_t* handle, int level, const char* facility,
                             const char* message) {
  // Called from librdkafka's threads too: only the immutable name is read.
  const auto* producer = static_cast<const KafkaProducer*>(rd_kafka_opaque(handle));
  spdlog::log(spdlog_level(level), "kafka destination {}: {}: {}", producer->name_, facility,
              message);
}

void KafkaProducer::client_error(rd_kafka_t* /*handle*/, int error, const char* reason,
                                 void* opaque) {
  auto* producer = static_cast<KafkaProducer*>(opaque);
  // Mostly passing trouble (a broker disconnected) that librdkafka recovers from by itself;
  // the delivery reports say whether events got through.
  const auto code = static_cast<rd_kafka_resp_err_t>(error);
  spdlog::log(code == RD_KAFKA_RESP_ERR__FATAL ? spdlog::level::err : spdlog::level::warn,
              "kafka destination {}: {}: {}", producer->name_, rd_kafka_err2name(code), reason);
  producer->last_error_ = reason;
}

void KafkaProducer::delivery_report(rd_kafka_t* /*handle*/, const rd_kafka_message_t* message,
                                    void* opaque) {
  auto* producer = static_cast<KafkaProducer*>(opaque);
  producer->on_report_(
      static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(message->_private)),
      message->err);
}

}  // namespace sluice::router
