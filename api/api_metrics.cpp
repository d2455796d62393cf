#include "api/api_metrics.hpp"

#include <algorithm>
#include <utility>

namespace sluice::api {

static_assert(ApiMetrics::kReasons.size() + 1 == 35);
static_assert(ApiMetrics::kReasons.size() + ApiMetrics::kRequestOnlyReasons.size() + 1 == 47);

SourceCounters::SourceCounters(ApiMetrics& owner, std::string source, std::string rejected_source)
    : owner_(owner), source_(std::move(source)), rejected_source_(std::move(rejected_source)) {}

namespace {

using Labels = std::map<std::string, std::string>;

// The series in `slot`, added to `family` with labels() the first time. Only that first time
// builds the labels: counting is on the request path, and a label map costs allocations.
// Family::Add is thread-safe and gives back the series that exists for these labels, so racing
// first uses store the same pointer.
template <typename MakeLabels>
prometheus::Counter& series(std::atomic<prometheus::Counter*>& slot,
                            prometheus::Family<prometheus::Counter>& family,
                            const MakeLabels& labels) {
  if (prometheus::Counter* counter = slot.load(std::memory_order_acquire)) return *counter;
  prometheus::Counter* counter = &family.Add(labels());
  slot.store(counter, std::memory_order_release);
  return *counter;
}

template <std::size_t N>
std::uint64_t sum(const std::array<std::atomic<prometheus::Counter*>, N>& slots) {
  double total = 0;
  for (const auto& slot : slots) {
    if (const prometheus::Counter* counter = slot.load(std::memory_order_acquire)) {
      total += counter->Value();
    }
  }
  return static_cast<std::uint64_t>(total);
}

}  // namespace

SourceCounters::Totals SourceCounters::totals() const {
  return Totals{sum(accepted_), sum(rejected_), sum(refused_)};
}

prometheus::Counter& SourceCounters::accepted(storage::EventType type) {
  return series(accepted_[static_cast<std::size_t>(type)], owner_.accepted_, [&] {
    return Labels{{"source", source_}, {"type", std::string(storage::to_string(type))}};
  });
}

prometheus::Counter& SourceCounters::rejected(std::size_t reason) {
  return series(rejected_[std::min(reason, kRejected - 1)], owner_.rejected_, [&] {
    const std::string label =
        reason < ApiMetrics::kReasons.size() ? std::string(ApiMetrics::kReasons[reason]) : "other";
    return Labels{{"source", rejected_source_}, {"reason", label}};
  });
}

prometheus::Counter& SourceCounters::refused(std::size_t reason) {
  return series(refused_[std::min(reason, kRefused - 1)], owner_.refused_, [&] {
    constexpr std::size_t kMessageReasons = ApiMetrics::kReasons.size();
    std::string label = "other";
    if (reason < kMessageReasons) {
      label = ApiMetrics::kReasons[reason];
    } else if (reason - kMessageReasons < ApiMetrics::kRequestOnlyReasons.size()) {
      label = ApiMetrics::kRequestOnlyReasons[reason - kMessageReasons];
    }
    return Labels{{"source", source_}, {"reason", label}};
  });
}

prometheus::Counter& SourceCounters::cors_refused() {
  return series(cors_refused_, owner_.cors_refused_, [&] { return Labels{{"source", source_}}; });
}

ApiMetrics::ApiMetrics(prometheus::Registry& registry)
    : accepted_(prometheus::BuildCounter()
                    .Name("sluice_events_received_total")
                    .Help("Events accepted and stored, by source and type")
                    .Register(registry)),
      rejected_(prometheus::BuildCounter()
                    .Name("sluice_events_rejected_total")
                    .Help("Events not stored, by source and reason")
                    .Register(registry)),
      refused_(prometheus::BuildCounter()
                   .Name("sluice_requests_refused_total")
                   .Help("Intake requests refused as a whole, by source and reason")
                   .Register(registry)),
      cors_refused_(prometheus::BuildCounter()
                        .Name("sluice_cors_refused_total")
                        .Help("Answers without CORS headers because the source does not "
                              "allow the request's Origin, by source")
                        .Register(registry)),
      telemetry_(&prometheus::BuildCounter()
                      .Name("sluice_sdk_telemetry_requests_total")
                      .Help("SDK self-telemetry requests (/v1/m), answered and discarded")
                      .Register(registry)
                      .Add({})),
      duplicates_(prometheus::BuildCounter()
                      .Name("sluice_events_duplicate_total")
                      .Help("Events not stored again: their messageId was stored within the "
                            "dedup window, by source")
                      .Register(registry)),
      unmapped_(prometheus::BuildCounter()
                    .Name("sluice_email_events_unmapped_total")
                    .Help("Email provider events that are none of the six email events and "
                          "were not stored, by source")
                    .Register(registry)),
      clicks_lost_(prometheus::BuildCounter()
                       .Name("sluice_email_clicks_lost_total")
                       .Help("Signed email clicks redirected without being stored (the log "
                             "refused them), by source")
                       .Register(registry)) {}

SourceCounters& ApiMetrics::counters_for(const std::string& source_name) {
  MutexLock lock(mutex_);
  auto& counters = by_source_[source_name];
  if (!counters) counters = std::make_unique<SourceCounters>(*this, source_name, source_name);
  return *counters;
}

SourceCounters& ApiMetrics::of(const Source* source) {
  return source != nullptr && source->counters != nullptr ? *source->counters : unknown_;
}

std::size_t ApiMetrics::reason_index(std::string_view reason) {
  for (std::size_t i = 0; i < kReasons.size(); ++i) {
    if (kReasons[i] == reason) return i;
  }
  return kReasons.size();
}

void ApiMetrics::events_accepted(const Source& source, storage::EventType type,
                                 std::uint32_t count) {
  if (count != 0 && source.counters != nullptr) source.counters->accepted(type).Increment(count);
}

void ApiMetrics::event_rejected(const Source* source, std::string_view reason) {
  of(source).rejected(reason_index(reason)).Increment();
}

void ApiMetrics::request_refused(const Source* source, std::string_view reason) {
  std::size_t index = reason_index(reason);
  if (index == kReasons.size()) {
    index = kReasons.size() + kRequestOnlyReasons.size();
    for (std::size_t i = 0; i < kRequestOnlyReasons.size(); ++i) {
      if (kRequestOnlyReasons[i] == reason) index = kReasons.size() + i;
    }
  }
  of(source).refused(index).Increment();
}

void ApiMetrics::cors_refused(const Source& source) {
  if (source.counters != nullptr) source.counters->cors_refused().Increment();
}

void ApiMetrics::telemetry_received() {
  telemetry_->Increment();
}

void ApiMetrics::events_duplicate(const Source& source, std::size_t count) {
  if (count == 0) return;
  duplicates_.Add({{"source", source.name}}).Increment(static_cast<double>(count));
}

void ApiMetrics::email_events_unmapped(const Source& source, std::size_t count) {
  if (count == 0) return;
  unmapped_.Add({{"source", source.name}}).Increment(static_cast<double>(count));
}

void ApiMetrics::email_click_lost(const Source& source) {
  clicks_lost_.Add({{"source", source.name}}).Increment();
}

}  // namespace sluice::api
