#include "config/source_settings_schema.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "config/inbound_settings_schema.hpp"
#include "config/messages.hpp"
#include "config/value_readers.hpp"

namespace sluice::config {
namespace {

constexpr std::array<std::string_view, 4> kSettingsKeys{"rate_limit", "allowed_origins",
                                                        "allowed_types", "blocked_events"};
constexpr std::array<std::string_view, 2> kRateLimitKeys{"events_per_second", "burst"};
// The six message types, and "object" for the Objects API.
constexpr std::array<std::string_view, 7> kSegmentTypes{"identify", "track", "page",  "screen",
                                                        "group",    "alias", "object"};

// Far above what one server can take in, and small enough that bucket arithmetic in doubles
// stays exact to the event.
constexpr double kMaxEventsPerSecond = 1e9;
constexpr std::int64_t kMaxBurst = 1'000'000'000;

class SettingsReader {
 public:
  SettingsReader(const std::string& name, ErrorSink& errors) : name_(name), errors_(errors) {}

  void read(const toml::table& table, SourceSettings& out) {
    for (auto&& [key, node] : table) {
      const std::string_view k = key.str();
      if (k == "rate_limit") {
        read_rate_limit(node, out);
      } else if (k == "allowed_origins") {
        std::vector<std::string> origins;
        if (report(name_ + ".allowed_origins", read_string_array(node, origins))) {
          out.allowed_origins = std::move(origins);
        }
      } else if (k == "allowed_types") {
        read_types(node, out.allowed_types);
      } else if (k == "blocked_events") {
        read_blocked_events(node, out.blocked_events);
      } else if (!read_inbound_setting(name_, k, node, out, errors_)) {
        errors_.at(key.source(), unknown_key(k, name_, all_keys()));
      }
    }
  }

 private:
  static std::span<const std::string_view> all_keys() {
    static const std::vector<std::string_view> keys = [] {
      std::vector<std::string_view> all(kSettingsKeys.begin(), kSettingsKeys.end());
      const auto inbound = inbound_setting_keys();
      all.insert(all.end(), inbound.begin(), inbound.end());
      return all;
    }();
    return keys;
  }

  // true when there was nothing to report.
  bool report(const std::string& name, const std::optional<Mismatch>& mismatch) {
    if (!mismatch) return true;
    errors_.at(mismatch->node->source(),
               expected_but_got(name + mismatch->name_suffix, mismatch->expected, *mismatch->node));
    return false;
  }

  void read_rate_limit(const toml::node& node, SourceSettings& out) {
    const std::string name = name_ + ".rate_limit";
    const auto* table = node.as_table();
    if (table == nullptr) {
      report(name, refuse(node, "a table such as { events_per_second = 2000, burst = 10000 }"));
      return;
    }
    RateLimitConfig limit;
    bool valid = true;
    const toml::node* burst = nullptr;
    for (auto&& [key, value] : *table) {
      if (key.str() == "events_per_second") {
        valid =
            report(name + ".events_per_second", read_rate(value, limit.events_per_second)) && valid;
      } else if (key.str() == "burst") {
        burst = &value;
        valid = report(name + ".burst", read_integer(value, 1, kMaxBurst, limit.burst)) && valid;
      } else {
        errors_.at(key.source(), unknown_key(key.str(), name, kRateLimitKeys));
        valid = false;
      }
    }
    if (!table->contains("events_per_second")) {
      errors_.at(node.source(), name + ": missing required key \"events_per_second\"");
      valid = false;
    }
    if (!valid) return;
    // A bucket of one second's worth of events unless told otherwise; never below one event, or
    // nothing could ever pass.
    if (burst == nullptr) {
      limit.burst = static_cast<std::uint64_t>(std::max(1.0, std::ceil(limit.events_per_second)));
    }
    out.rate_limit = limit;
  }

  static std::optional<Mismatch> read_rate(const toml::node& node, double& out) {
    double rate = 0;
    if (const auto* integer = node.as_integer()) {
      rate = static_cast<double>(integer->get());
    } else if (const auto* floating = node.as_floating_point()) {
      rate = floating->get();
    } else {
      rate = -1;
    }
    if (!(rate > 0) || !(rate <= kMaxEventsPerSecond)) {
      return refuse(node, "a number > 0 and <= 1000000000");
    }
    out = rate;
    return std::nullopt;
  }

  void read_types(const toml::node& node, std::vector<std::string>& out) {
    const std::string name = name_ + ".allowed_types";
    std::vector<std::string> types;
    if (!report(name, read_string_array(node, types))) return;
    // An empty list would refuse every message, which is what disabling a source is for.
    if (types.empty()) {
      report(name, refuse(node, R"(a non-empty array of types such as ["track", "page"])"));
      return;
    }
    bool valid = true;
    const auto& array = *node.as_array();
    for (std::size_t i = 0; i < types.size(); ++i) {
      if (std::find(kSegmentTypes.begin(), kSegmentTypes.end(), types[i]) != kSegmentTypes.end()) {
        continue;
      }
      errors_.at(array[i].source(),
                 name + bracketed(std::to_string(i)) + ": " + quoted(types[i]) +
                     " is not a type (identify, track, page, screen, group, alias, object)" +
                     did_you_mean(types[i], kSegmentTypes));
      valid = false;
    }
    if (valid) out = std::move(types);
  }

  void read_blocked_events(const toml::node& node, std::vector<std::string>& out) {
    const std::string name = name_ + ".blocked_events";
    std::vector<std::string> events;
    if (!report(name, read_string_array(node, events))) return;
    bool valid = true;
    const auto& array = *node.as_array();
    for (std::size_t i = 0; i < events.size(); ++i) {
      // "*" alone would block every track event: allowed_types says that more plainly.
      if (events[i].empty() || events[i] == "*") {
        errors_.at(array[i].source(),
                   expected_but_got(name + bracketed(std::to_string(i)),
                                    R"(an event name, or a prefix ending in '*' such as "Test *")",
                                    array[i]));
        valid = false;
      }
    }
    if (valid) out = std::move(events);
  }

  const std::string& name_;
  ErrorSink& errors_;
};

}  // namespace

void read_source_settings(const std::string& name, const toml::node& node, SourceSettings& out,
                          ErrorSink& errors) {
  const auto* table = node.as_table();
  if (table == nullptr) {
    errors.at(node.source(), expected_but_got(name, "a table [sources.settings]", node));
    return;
  }
  SettingsReader(name, errors).read(*table, out);
}

}  // namespace sluice::config
