#include "api/api_metrics.hpp"

namespace sluice::api {

ApiMetrics::ApiMetrics(prometheus::Registry& registry, const SourceRegistry& sources) {
  auto& accepted = prometheus::BuildCounter()
                       .Name("sluice_events_received_total")
                       .Help("Events accepted and stored, by source and type")
                       .Register(registry);
  auto& rejected = prometheus::BuildCounter()
                       .Name("sluice_events_rejected_total")
                       .Help("Events not stored, by source and reason")
                       .Register(registry);
  auto& refused = prometheus::BuildCounter()
                      .Name("sluice_requests_refused_total")
                      .Help("Intake requests refused as a whole, by source and reason")
                      .Register(registry);
  auto& cors_refused = prometheus::BuildCounter()
                           .Name("sluice_cors_refused_total")
                           .Help(
                               "Answers without CORS headers because the source does not "
                               "allow the request's Origin, by source")
                           .Register(registry);
  telemetry_ = &prometheus::BuildCounter()
                    .Name("sluice_sdk_telemetry_requests_total")
                    .Help("SDK self-telemetry requests (/v1/m), answered and discarded")
                    .Register(registry)
                    .Add({});

  for (const auto& source : sources.sources()) {
    auto& row = accepted_.emplace_back();
    for (int t = 0; t < storage::kEventTypeCount; ++t) {
      auto type = std::string(storage::to_string(static_cast<storage::EventType>(t)));
      row[t] = &accepted.Add({{"source", source.name}, {"type", type}});
    }
  }
  std::vector<std::string> source_names;
  for (const auto& source : sources.sources()) source_names.push_back(source.name);
  source_names.push_back("unknown");
  for (const auto& name : source_names) {
    auto& row = rejected_.emplace_back();
    for (std::size_t r = 0; r < kReasons.size(); ++r) {
      row[r] = &rejected.Add({{"source", name}, {"reason", std::string(kReasons[r])}});
    }
    row[kReasons.size()] = &rejected.Add({{"source", name}, {"reason", "other"}});
  }
  // Requests refused before their key is known have no source: an empty label.
  std::vector<std::string> refused_sources;
  for (const auto& source : sources.sources()) refused_sources.push_back(source.name);
  refused_sources.emplace_back();
  for (const auto& name : refused_sources) {
    auto& row = refused_.emplace_back();
    std::size_t r = 0;
    for (auto reason : kReasons) {
      row[r++] = &refused.Add({{"source", name}, {"reason", std::string(reason)}});
    }
    for (auto reason : kRequestOnlyReasons) {
      row[r++] = &refused.Add({{"source", name}, {"reason", std::string(reason)}});
    }
    row[r] = &refused.Add({{"source", name}, {"reason", "other"}});
  }
  for (const auto& source : sources.sources()) {
    cors_refused_.push_back(&cors_refused.Add({{"source", source.name}}));
  }
}

std::size_t ApiMetrics::reason_index(std::string_view reason) {
  for (std::size_t i = 0; i < kReasons.size(); ++i) {
    if (kReasons[i] == reason) return i;
  }
  return kReasons.size();
}

void ApiMetrics::events_accepted(const Source& source, storage::EventType type,
                                 std::uint32_t count) {
  if (count) accepted_[source.index][static_cast<std::size_t>(type)]->Increment(count);
}

void ApiMetrics::event_rejected(const Source* source, std::string_view reason) {
  std::size_t row = source ? source->index : rejected_.size() - 1;
  rejected_[row][reason_index(reason)]->Increment();
}

void ApiMetrics::request_refused(const Source* source, std::string_view reason) {
  std::size_t index = reason_index(reason);
  if (index == kReasons.size()) {
    index = kReasons.size() + kRequestOnlyReasons.size();
    for (std::size_t i = 0; i < kRequestOnlyReasons.size(); ++i) {
      if (kRequestOnlyReasons[i] == reason) index = kReasons.size() + i;
    }
  }
  refused_[source ? source->index : refused_.size() - 1][index]->Increment();
}

void ApiMetrics::cors_refused(const Source& source) {
  cors_refused_[source.index]->Increment();
}

void ApiMetrics::telemetry_received() {
  telemetry_->Increment();
}

}  // namespace sluice::api
