#include "router/batch.hpp"

namespace sluice::router {

bool Batch::has_room_for(std::size_t json_bytes) const {
  if (events_.empty()) return true;
  return events_.size() < max_events_ && bytes_ + json_bytes <= max_bytes_;
}

void Batch::add(std::uint64_t sequence, const storage::Record& record) {
  if (events_.empty()) started_at_ = std::chrono::steady_clock::now();
  std::string& text = storage_.emplace_back();
  text.reserve(record.source.size() + record.message_id.size() + record.ip.size() +
               record.json.size());
  text.append(record.source).append(record.message_id).append(record.ip).append(record.json);

  storage::Record copy = record;
  std::string_view rest = text;
  auto take = [&rest](std::size_t size) {
    std::string_view field = rest.substr(0, size);
    rest.remove_prefix(size);
    return field;
  };
  copy.source = take(record.source.size());
  copy.message_id = take(record.message_id.size());
  copy.ip = take(record.ip.size());
  copy.json = take(record.json.size());
  events_.push_back(OutgoingEvent{sequence, copy});
  bytes_ += record.json.size();
}

void Batch::clear() {
  storage_.clear();
  events_.clear();
  bytes_ = 0;
}

}  // namespace sluice::router
