#include "api/source_controls.hpp"

namespace sluice::api {

SourceControls::SourceControls(const config::SourceSettings& settings,
                               const SourceControls* previous)
    : allowed_origins_(settings.allowed_origins) {
  if (!settings.allowed_types.empty()) {
    allowed_types_ = 0;
    for (const std::string& name : settings.allowed_types) {
      // The config accepts only Segment's six types.
      if (auto type = storage::event_type_from_string(name)) allowed_types_ |= type_bit(*type);
    }
  }
  for (const std::string& event : settings.blocked_events) {
    if (!event.empty() && event.back() == '*') {
      blocked_prefixes_.push_back(event.substr(0, event.size() - 1));
    } else {
      blocked_names_.push_back(event);
    }
  }
  if (!settings.rate_limit) return;
  const RateLimiter* kept = previous != nullptr ? previous->rate_limiter_.get() : nullptr;
  if (kept != nullptr && kept->events_per_second() == settings.rate_limit->events_per_second &&
      kept->burst() == settings.rate_limit->burst) {
    rate_limiter_ = previous->rate_limiter_;
  } else {
    rate_limiter_ =
        std::make_shared<RateLimiter>(settings.rate_limit->events_per_second,
                                      settings.rate_limit->burst, RateLimiter::Clock::now());
  }
}

bool SourceControls::blocks_event(std::string_view event) const {
  for (const std::string& name : blocked_names_) {
    if (event == name) return true;
  }
  for (const std::string& prefix : blocked_prefixes_) {
    if (event.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace sluice::api
