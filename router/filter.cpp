#include "router/filter.hpp"

#include <algorithm>
#include <optional>

#include <simdjson.h>

namespace sluice::router {

// Reads the top-level "event" string of an event's JSON. simdjson needs SIMDJSON_PADDING
// readable bytes after the text, which a stored record does not have, so the text is copied
// into a reused, padded buffer first (a memcpy of one event, only for track events of a
// destination that filters by name).
class Filter::EventNameReader {
 public:
  // The event name, or nullopt when the JSON has no string "event" member. The view is valid
  // until the next call.
  std::optional<std::string_view> read(std::string_view json) {
    buffer_.assign(json);
    buffer_.resize(json.size() + simdjson::SIMDJSON_PADDING);
    simdjson::ondemand::document document;
    if (parser_.iterate(buffer_.data(), json.size(), buffer_.size()).get(document)) {
      return std::nullopt;
    }
    std::string_view name;
    if (document["event"].get_string().get(name)) return std::nullopt;
    return name;
  }

 private:
  simdjson::ondemand::parser parser_;
  std::string buffer_;
};

namespace {

std::vector<std::string> sorted(std::vector<std::string> values) {
  std::sort(values.begin(), values.end());
  return values;
}

}  // namespace

Filter::Filter(const config::DestinationConfig& config)
    : sources_(sorted(config.sources)),
      include_events_(sorted(config.include_events)),
      exclude_events_(sorted(config.exclude_events)) {
  for (const std::string& name : config.include_types) {
    // config/ accepts only the six type names.
    if (auto type = storage::event_type_from_string(name)) types_.set(static_cast<int>(*type));
  }
  if (config.include_types.empty()) types_.set();
  if (!include_events_.empty() || !exclude_events_.empty()) {
    names_ = std::make_unique<EventNameReader>();
  }
}

Filter::~Filter() = default;

bool Filter::contains(const std::vector<std::string>& sorted, std::string_view value) {
  return std::binary_search(sorted.begin(), sorted.end(), value, std::less<>());
}

bool Filter::matches(const storage::Record& record) {
  if (!sources_.empty() && !contains(sources_, record.source)) return false;
  if (!types_.test(static_cast<int>(record.type))) return false;
  if (record.type != storage::EventType::kTrack || !names_) return true;
  const std::optional<std::string_view> name = names_->read(record.json);
  if (name && contains(exclude_events_, *name)) return false;
  return include_events_.empty() || (name && contains(include_events_, *name));
}

}  // namespace sluice::router
