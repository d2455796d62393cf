#pragma once

// The Tracking API's request → records function: resolves the write key, scans the body,
// checks each message and encodes the accepted ones as storage records. Pure computation over
// bytes: no sockets, no storage, no clocks (the receive time comes in with the request).
//
// One Ingestor per IO thread (it owns the scanner's buffers and other scratch space). The
// SourceRegistry must outlive it.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth.hpp"
#include "api/message_rules.hpp"
#include "api/message_scanner.hpp"
#include "api/objects.hpp"
#include "api/sources.hpp"
#include "storage/dedup_key.hpp"
#include "storage/event_type.hpp"

namespace sluice::api {

// Why a whole request was refused (HTTP 400 with this code).
enum class RequestError : std::uint8_t {
  kNone,
  kInvalidJson,
  kMissingWriteKey,
  kInvalidWriteKey,  // no source has the key
  kWriteKeyRevoked,  // answered as invalid_write_key; counted apart
  kSourceDisabled,   // answered as invalid_write_key; counted apart
  kPayloadTooLarge,
  kTooManyEvents,
  // More events to store than the source's rate limit lets through at once: no wait would
  // ever let the request pass, so it is refused for good rather than answered 429.
  kExceedsBurst,
  kInvalidCollection,  // the Objects API: no collection, or not [a-z0-9_]{1,64}
  kTooManyObjects,     // the Objects API: more than kMaxObjects
  kWrongSourceKind,    // the key's source takes its events on another endpoint
};
// The error's code in the answer.
std::string_view to_code(RequestError error);
// The error's reason in sluice_requests_refused_total: the code, except that a revoked key and
// a disabled source, answered invalid_write_key, are told apart.
std::string_view to_metric_reason(RequestError error);

struct IngestRequest {
  std::string_view body;  // decoded (gunzipped) body
  // The path's type for single-message routes (/v1/track, /v1/t, ...); nullopt for batches.
  std::optional<storage::EventType> path_type;
  bool client_side = false;  // short paths, /v1/b: context.ip is filled in
  KeyCarriers keys;          // the write key's carriers besides the body (auth.hpp)
  std::string_view client_ip;
  std::string_view user_agent;  // the pixel's: becomes context.userAgent (event_writer.hpp)
  std::int64_t received_at_ms = 0;
  // The kind of source the route takes (a webhook's key on /v1/track is refused, and the
  // other way round); nullopt: any kind (signed click links).
  std::optional<config::SourceKind> source_kind = config::SourceKind::kTracking;
};

struct Rejection {
  std::size_t index;
  std::string_view code;
  std::string_view message;
};

struct IngestOutcome {
  RequestError error = RequestError::kNone;
  std::string detail;  // the error message when error != kNone
  // resolved source, also for some errors (a revoked key's or a disabled source's included)
  const Source* source = nullptr;
  std::vector<std::string> records;
  // Per record when dedup is on (else empty): its dedup key, or nullopt for a messageId the
  // server made; and per record its message's index in the request (0 for a single message).
  std::vector<std::optional<storage::DedupKey>> dedup_keys;
  std::vector<std::uint32_t> record_index;
  std::vector<Rejection> rejected;
  std::array<std::uint32_t, storage::kEventTypeCount> accepted_by_type{};

  void clear();
  // Refuses the request whole: nothing of it is stored.
  void fail(RequestError failed, std::string why);
};

struct IngestLimits {
  std::size_t max_message_bytes = 32768;
  std::size_t max_batch_events = 2500;
};

class Ingestor {
 public:
  explicit Ingestor(const IngestLimits& limits);
  // The limits for the requests ingested from now on (a reload changed them).
  void set_limits(const IngestLimits& limits);
  // Whether records get dedup keys (the log de-duplicates: IntakeLog::dedups()).
  void set_dedup(bool dedup) { dedup_ = dedup; }

  // Fills outcome (cleared first) for one request.
  // `sources` is the registry in force for this request; outcome.source points into it.
  void ingest(const SourceRegistry& sources, const IngestRequest& request, IngestOutcome& outcome);
  // The same for a request of the Objects API (objects.hpp): the key from the request's
  // carriers (the body has none), then its objects.
  void ingest_objects(const SourceRegistry& sources, const IngestRequest& request,
                      IngestOutcome& outcome);

 private:
  // Resolves the source from the request's key (WriteKeyResolver's order), checking the key
  // at the request's time and the source's kind against the route's.
  bool resolve_source(const SourceRegistry& sources, WriteKeyResolver& keys,
                      std::string_view body_key, const IngestRequest& request,
                      IngestOutcome& outcome) const;
  // Refuses the request when it has more events to store than its source's burst.
  void check_burst(IngestOutcome& outcome) const;
  void accept_or_reject(std::size_t index, const MessageView& message,
                        std::optional<storage::EventType> type, const MessageView* envelope,
                        const IngestRequest& request, IngestOutcome& outcome);

  IngestLimits limits_;
  bool dedup_ = false;
  MessageLimits message_limits_;
  MessageScanner scanner_;
  MessageView envelope_;
  std::vector<MessageView> items_;
  ObjectsReader objects_;
};

}  // namespace sluice::api
