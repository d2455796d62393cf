#include "api/api_metrics.hpp"

#include <tuple>

namespace sluice::api {

namespace {

static_assert(std::tuple_size_v<decltype(SourceCounters::rejected)> ==
              ApiMetrics::kReasons.size() + 1);
static_assert(std::tuple_size_v<decltype(SourceCounters::refused)> ==
              ApiMetrics::kReasons.size() + ApiMetrics::kRequestOnlyReasons.size() + 1);

// The counters of one source label in the three families; cors_refused is left to the caller.
void add_counters(SourceCounters& counters, const std::string& source,
                  const std::string& rejected_source,
                  prometheus::Family<prometheus::Counter>& accepted,
                  prometheus::Family<prometheus::Counter>& rejected,
                  prometheus::Family<prometheus::Counter>& refused) {
  if (!source.empty()) {
    for (int t = 0; t < storage::kEventTypeCount; ++t) {
      auto type = std::string(storage::to_string(static_cast<storage::EventType>(t)));
      counters.accepted[t] = &accepted.Add({{"source", source}, {"type", type}});
    }
  }
  std::size_t r = 0;
  for (auto reason : ApiMetrics::kReasons) {
    counters.rejected[r++] =
        &rejected.Add({{"source", rejected_source}, {"reason", std::string(reason)}});
  }
  counters.rejected[r] = &rejected.Add({{"source", rejected_source}, {"reason", "other"}});
  r = 0;
  for (auto reason : ApiMetrics::kReasons) {
    counters.refused[r++] = &refused.Add({{"source", source}, {"reason", std::string(reason)}});
  }
  for (auto reason : ApiMetrics::kRequestOnlyReasons) {
    counters.refused[r++] = &refused.Add({{"source", source}, {"reason", std::string(reason)}});
  }
  counters.refused[r] = &refused.Add({{"source", source}, {"reason", "other"}});
}

}  // namespace

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
                      .Add({})) {
  // Requests refused before their key is known have no source: an empty label.
  add_counters(unknown_, "", "unknown", accepted_, rejected_, refused_);
}

const SourceCounters& ApiMetrics::counters_for(const std::string& source_name) {
  MutexLock lock(mutex_);
  auto& counters = by_source_[source_name];
  if (!counters) {
    counters = std::make_unique<SourceCounters>();
    add_counters(*counters, source_name, source_name, accepted_, rejected_, refused_);
    counters->cors_refused = &cors_refused_.Add({{"source", source_name}});
  }
  return *counters;
}

const SourceCounters& ApiMetrics::of(const Source* source) const {
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
  prometheus::Counter* counter = of(&source).accepted[static_cast<std::size_t>(type)];
  if (count && counter != nullptr) counter->Increment(count);
}

void ApiMetrics::event_rejected(const Source* source, std::string_view reason) {
  of(source).rejected[reason_index(reason)]->Increment();
}

void ApiMetrics::request_refused(const Source* source, std::string_view reason) {
  std::size_t index = reason_index(reason);
  if (index == kReasons.size()) {
    index = kReasons.size() + kRequestOnlyReasons.size();
    for (std::size_t i = 0; i < kRequestOnlyReasons.size(); ++i) {
      if (kRequestOnlyReasons[i] == reason) index = kReasons.size() + i;
    }
  }
  of(source).refused[index]->Increment();
}

void ApiMetrics::cors_refused(const Source& source) {
  if (prometheus::Counter* counter = of(&source).cors_refused) counter->Increment();
}

void ApiMetrics::telemetry_received() {
  telemetry_->Increment();
}

}  // namespace sluice::api
