#include "admin/tail_filter.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include "api/auth.hpp"
#include "config/config.hpp"
#include "storage/event_type.hpp"

namespace sluice::admin {

namespace {

// "a,b,,c" (still percent-encoded) appended to items as {"a","b","c"}, each decoded: a comma
// written %2C belongs to an item. Empty items are ignored.
void append_list(std::string_view encoded, std::vector<std::string>& items) {
  while (!encoded.empty()) {
    const std::size_t comma = encoded.find(',');
    std::string item = api::percent_decode(encoded.substr(0, comma));
    if (!item.empty()) items.push_back(std::move(item));
    if (comma == std::string_view::npos) break;
    encoded.remove_prefix(comma + 1);
  }
}

Status invalid(std::string_view name, std::string_view why) {
  return Status::invalid_argument("tail: " + std::string(name) + ": " + std::string(why));
}

Status read_sample(std::string_view value, double& sample) {
  const char* end = value.data() + value.size();
  const auto [stop, ec] = std::from_chars(value.data(), end, sample);
  if (ec != std::errc() || stop != end || !std::isfinite(sample) || sample <= 0.0 || sample > 1.0) {
    return invalid("sample", "must be a number greater than 0 and at most 1, got \"" +
                                 std::string(value) + "\"");
  }
  return Status::ok();
}

Status read_flag(std::string_view name, std::string_view value, bool& flag) {
  if (value == "true" || value == "1" || value.empty()) {
    flag = true;
  } else if (value == "false" || value == "0") {
    flag = false;
  } else {
    return invalid(name, "must be true or false, got \"" + std::string(value) + "\"");
  }
  return Status::ok();
}

Status read_types(std::string_view encoded, std::vector<std::string>& types) {
  append_list(encoded, types);
  for (const std::string& type : types) {
    if (!storage::event_type_from_string(type)) {
      return invalid("type", "\"" + type +
                                 "\" is not one of identify, track, page, screen, group, alias, "
                                 "object");
    }
  }
  return Status::ok();
}

// A list parameter given twice adds to the list; a single value given twice takes the last.
Status read_parameter(std::string_view name, std::string_view encoded, TailQuery& query) {
  if (name == "source") {
    append_list(encoded, query.sources);
    return Status::ok();
  }
  if (name == "type") return read_types(encoded, query.types);
  if (name == "event") {
    append_list(encoded, query.events);
    return Status::ok();
  }
  if (name == "sample") return read_sample(api::percent_decode(encoded), query.sample);
  if (name == "rejected") return read_flag(name, api::percent_decode(encoded), query.rejected);
  return invalid(name, "not a parameter of /v1/tail (source, type, event, sample, rejected)");
}

}  // namespace

Result<TailQuery> parse_tail_query(std::string_view query) {
  TailQuery parsed;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string name = api::percent_decode(pair.substr(0, eq));
    const std::string_view encoded =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (const Status read = read_parameter(name, encoded, parsed); !read.is_ok()) return read;
  }
  if (!parsed.events.empty()) {
    // Event names are track events' names: asking for them asks for track events.
    if (parsed.types.empty()) parsed.types = {"track"};
    if (std::any_of(parsed.types.begin(), parsed.types.end(),
                    [](const std::string& type) { return type != "track"; })) {
      return invalid("event", "event names select track events; drop type or set type=track");
    }
  }
  return parsed;
}

TailFilter::TailFilter(const TailQuery& query, std::uint64_t seed)
    : sources_(query.sources),
      sample_(query.sample),
      rejected_(query.rejected),
      random_(static_cast<std::minstd_rand::result_type>(seed)) {
  std::sort(sources_.begin(), sources_.end());
  config::DestinationConfig selection;
  selection.sources = query.sources;
  selection.include_types = query.types;
  selection.include_events = query.events;
  records_ = std::make_unique<router::Filter>(selection);
}

bool TailFilter::sampled() {
  return sample_ >= 1.0 || draw_(random_) < sample_;
}

bool TailFilter::shows(const storage::Record& record) {
  return records_->matches(record) && sampled();
}

bool TailFilter::shows(const api::RejectedMessage& rejection) {
  if (!rejected_) return false;
  if (!sources_.empty() &&
      !std::binary_search(sources_.begin(), sources_.end(), rejection.source, std::less<>())) {
    return false;
  }
  return sampled();
}

}  // namespace sluice::admin
