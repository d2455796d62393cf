#include "api/ingestor.hpp"

#include "api/event_writer.hpp"

namespace sluice::api {
namespace {

std::string_view string_member(const MessageView& message, Field field) {
  const Member* member = message.get(field);
  return member && member->kind == JsonKind::kString ? member->text : std::string_view{};
}

// Looks the key up; false, with the outcome failed, when it is refused.
bool accept_key(const SourceRegistry& sources, std::string_view key, std::int64_t now_ms,
                IngestOutcome& outcome) {
  const KeyLookup found = sources.lookup(key, now_ms);
  outcome.source = found.source;
  switch (found.refusal) {
    case KeyRefusal::kNone:
      return true;
    case KeyRefusal::kUnknown:
      outcome.fail(RequestError::kInvalidWriteKey, "unknown write key");
      return false;
    case KeyRefusal::kRevoked:
      outcome.fail(RequestError::kWriteKeyRevoked, "this write key was revoked");
      return false;
    case KeyRefusal::kDisabled:
      outcome.fail(RequestError::kSourceDisabled,
                   "the source \"" + found.source->name + "\" of this write key is disabled");
      return false;
  }
  return false;
}

}  // namespace

std::string_view to_code(RequestError error) {
  switch (error) {
    case RequestError::kNone:
      return "none";
    case RequestError::kInvalidJson:
      return "invalid_json";
    case RequestError::kMissingWriteKey:
      return "missing_write_key";
    case RequestError::kInvalidWriteKey:
    case RequestError::kWriteKeyRevoked:
    case RequestError::kSourceDisabled:
      return "invalid_write_key";
    case RequestError::kPayloadTooLarge:
      return "payload_too_large";
    case RequestError::kTooManyEvents:
      return "too_many_events";
    case RequestError::kExceedsBurst:
      return "exceeds_burst";
    case RequestError::kInvalidCollection:
      return "invalid_collection";
    case RequestError::kTooManyObjects:
      return "too_many_objects";
    case RequestError::kWrongSourceKind:
      return "wrong_source_kind";
  }
  return "unknown";
}

std::string_view to_metric_reason(RequestError error) {
  switch (error) {
    case RequestError::kWriteKeyRevoked:
      return "write_key_revoked";
    case RequestError::kSourceDisabled:
      return "source_disabled";
    default:
      return to_code(error);
  }
}

void IngestOutcome::fail(RequestError failed, std::string why) {
  error = failed;
  detail = std::move(why);
  records.clear();
  dedup_keys.clear();
  record_index.clear();
  rejected.clear();
  accepted_by_type.fill(0);
}

void IngestOutcome::clear() {
  error = RequestError::kNone;
  detail.clear();
  source = nullptr;
  records.clear();
  dedup_keys.clear();
  record_index.clear();
  rejected.clear();
  accepted_by_type.fill(0);
}

Ingestor::Ingestor(const IngestLimits& limits) {
  set_limits(limits);
}

void Ingestor::set_limits(const IngestLimits& limits) {
  limits_ = limits;
  message_limits_.max_message_bytes = limits.max_message_bytes;
}

bool Ingestor::resolve_source(const SourceRegistry& sources, WriteKeyResolver& keys,
                              std::string_view body_key, const IngestRequest& request,
                              IngestOutcome& outcome) const {
  if (outcome.source == nullptr) {  // else the Basic key, looked up already
    std::string_view key = keys.resolve(body_key);
    if (key.empty()) {
      outcome.fail(RequestError::kMissingWriteKey,
                   "no write key: send it as the Basic auth user name or as writeKey in the body");
      return false;
    }
    if (!accept_key(sources, key, request.received_at_ms, outcome)) return false;
  }
  const config::SourceKind kind = outcome.source->kind;
  if (request.source_kind && *request.source_kind != kind) {
    outcome.fail(
        RequestError::kWrongSourceKind,
        kind == config::SourceKind::kTracking
            ? "the source \"" + outcome.source->name + "\" takes the Tracking API, not webhooks"
            : "the source \"" + outcome.source->name + "\" is a " +
                  std::string(config::to_string(kind)) +
                  " source: its events are posted to /v1/webhook/{writeKey}");
    return false;
  }
  return true;
}

void Ingestor::ingest(const SourceRegistry& sources, const IngestRequest& request,
                      IngestOutcome& outcome) {
  outcome.clear();
  WriteKeyResolver keys(request.keys);
  // A bad header key is refused before any JSON work. A good one is the request's key whatever
  // the body says (auth.hpp), so its source is known from here on, for the errors below too.
  if (!keys.basic_key().empty()) {
    if (!accept_key(sources, keys.basic_key(), request.received_at_ms, outcome)) return;
  }
  if (request.path_type) {
    if (items_.empty()) items_.emplace_back();
    MessageView& message = items_[0];
    ScanResult scan = scanner_.scan_single(request.body, message);
    if (scan.status != ScanStatus::kOk) {
      outcome.fail(RequestError::kInvalidJson, std::move(scan.detail));
      return;
    }
    if (scanner_.minified().size() > limits_.max_message_bytes) {
      outcome.fail(RequestError::kPayloadTooLarge, "a single message may be at most " +
                                                       std::to_string(limits_.max_message_bytes) +
                                                       " bytes");
      return;
    }
    if (!resolve_source(sources, keys, string_member(message, Field::kWriteKey), request, outcome))
      return;
    accept_or_reject(0, message, request.path_type, nullptr, request, outcome);
    check_burst(outcome);
    return;
  }

  std::size_t count = 0;
  ScanResult scan =
      scanner_.scan_batch(request.body, envelope_, items_, count, limits_.max_batch_events);
  if (scan.status == ScanStatus::kTooManyItems) {
    outcome.fail(RequestError::kTooManyEvents, std::move(scan.detail));
    return;
  }
  if (scan.status != ScanStatus::kOk) {
    outcome.fail(RequestError::kInvalidJson, std::move(scan.detail));
    return;
  }
  std::string_view body_key = string_member(envelope_, Field::kWriteKey);
  if (body_key.empty() && count > 0) body_key = string_member(items_[0], Field::kWriteKey);
  if (!resolve_source(sources, keys, body_key, request, outcome)) return;
  for (std::size_t i = 0; i < count; ++i) {
    TypeOrViolation type = batch_item_type(items_[i]);
    if (!type.type) {
      outcome.rejected.push_back(Rejection{i, type.violation.code, type.violation.message});
      continue;
    }
    accept_or_reject(i, items_[i], type.type, &envelope_, request, outcome);
  }
  check_burst(outcome);
}

void Ingestor::ingest_objects(const SourceRegistry& sources, const IngestRequest& request,
                              IngestOutcome& outcome) {
  outcome.clear();
  WriteKeyResolver keys(request.keys);
  if (!resolve_source(sources, keys, {}, request, outcome)) return;
  if (!objects_.read(request.body, request.received_at_ms, outcome)) return;
  check_burst(outcome);
}

void Ingestor::check_burst(IngestOutcome& outcome) const {
  const RateLimiter* limiter = outcome.source->controls.rate_limiter();
  if (limiter == nullptr || !limiter->exceeds_burst(outcome.records.size())) return;
  const std::string burst = std::to_string(limiter->burst());
  outcome.fail(RequestError::kExceedsBurst,
               "the request has " + std::to_string(outcome.records.size()) +
                   " events to store, and source \"" + outcome.source->name + "\" takes at most " +
                   burst + " at once (its rate limit's burst): send batches of at most " + burst +
                   " events");
}

void Ingestor::accept_or_reject(std::size_t index, const MessageView& message,
                                std::optional<storage::EventType> type, const MessageView* envelope,
                                const IngestRequest& request, IngestOutcome& outcome) {
  if (auto violation = check_message(message, *type, message_limits_)) {
    outcome.rejected.push_back(Rejection{index, violation->code, violation->message});
    return;
  }
  // The source's controls come after the message's own checks, so a malformed message is
  // reported as such whatever the source would have made of it.
  const SourceControls& controls = outcome.source->controls;
  if (!controls.allows_type(*type)) {
    outcome.rejected.push_back(
        Rejection{index, "type_not_allowed", "the source does not accept messages of this type"});
    return;
  }
  if (*type == storage::EventType::kTrack &&
      controls.blocks_event(string_member(message, Field::kEvent))) {
    outcome.rejected.push_back(
        Rejection{index, "event_blocked", "the source blocks track events of this name"});
    return;
  }
  Enrichment enrichment;
  enrichment.type = *type;
  enrichment.source = outcome.source->name;
  enrichment.received_at_ms = request.received_at_ms;
  enrichment.client_ip = request.client_ip;
  enrichment.client_side = request.client_side;
  enrichment.user_agent = request.user_agent;
  std::string& record = outcome.records.emplace_back();
  const std::string_view client_id = write_event_record(message, envelope, enrichment, record);
  if (dedup_) {
    outcome.record_index.push_back(static_cast<std::uint32_t>(index));
    outcome.dedup_keys.push_back(
        client_id.empty() ? std::nullopt : storage::dedup_key(enrichment.source, client_id));
  }
  ++outcome.accepted_by_type[static_cast<std::size_t>(*type)];
}

}  // namespace sluice::api
