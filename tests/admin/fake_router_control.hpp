#pragma once

// An in-memory RouterControl for the admin tests: destinations and dead letters set up by the
// test, calls recorded, and an optional forced error for every call but destinations() and
// destination(). Locked, because the admin thread calls it while the test thread reads it.

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "router/router_control.hpp"
#include "storage/record.hpp"

namespace sluice::admin::test {

using router::DestinationStatus;
using router::EventDelivery;
using router::LoopState;
using router::ReplayFrom;

class FakeRouterControl : public router::RouterControl {
 public:
  void add_destination(DestinationStatus status) {
    const std::lock_guard lock(mutex_);
    statuses_.push_back(std::move(status));
  }
  // letter.destination names the destination it belongs to.
  void add_dead_letter(storage::DeadLetter letter) {
    const std::lock_guard lock(mutex_);
    letters_[letter.destination].push_back(std::move(letter));
  }
  // Every later call but destinations() and destination() fails with error instead of doing
  // anything.
  void force(Status error) {
    const std::lock_guard lock(mutex_);
    forced_ = std::move(error);
  }
  // The calls made so far, as "pause web", "redeliver web 7", "replay web".
  std::vector<std::string> calls() const {
    const std::lock_guard lock(mutex_);
    return calls_;
  }
  std::optional<ReplayFrom> last_replay() const {
    const std::lock_guard lock(mutex_);
    return last_replay_;
  }

  std::vector<DestinationStatus> destinations() const override {
    const std::lock_guard lock(mutex_);
    return statuses_;
  }

  Result<DestinationStatus> destination(std::string_view name) const override {
    const std::lock_guard lock(mutex_);
    const DestinationStatus* status = find(name);
    if (status == nullptr) return no_destination(name);
    return *status;
  }

  Status pause(std::string_view name) override { return set_state(name, "pause"); }
  Status resume(std::string_view name) override { return set_state(name, "resume"); }

  Result<std::uint64_t> replay(std::string_view name, const ReplayFrom& from) override {
    const std::lock_guard lock(mutex_);
    calls_.push_back("replay " + std::string(name));
    if (forced_) return *forced_;
    if (find(name) == nullptr) return no_destination(name);
    last_replay_ = from;
    // A cursor the test can recognise: the sequence, or the time's seconds.
    return from.kind == ReplayFrom::Kind::kSequence
               ? from.sequence
               : static_cast<std::uint64_t>(from.time_ms / 1000);
  }

  Result<std::vector<storage::DeadLetter>> dead_letters(std::string_view name) const override {
    const std::lock_guard lock(mutex_);
    if (forced_) return *forced_;
    if (find(name) == nullptr) return no_destination(name);
    std::vector<storage::DeadLetter> letters;
    const auto it = letters_.find(std::string(name));
    if (it == letters_.end()) return letters;
    for (storage::DeadLetter letter : it->second) {
      letter.contents.clear();  // listed without their events, as the interface says
      letters.push_back(std::move(letter));
    }
    return letters;
  }

  Result<storage::DeadLetter> dead_letter(std::string_view name, std::uint64_t id) const override {
    const std::lock_guard lock(mutex_);
    if (forced_) return *forced_;
    const storage::DeadLetter* found = find_letter(name, id);
    if (found == nullptr) return Status::not_found("no such dead letter");
    return *found;
  }

  Status redeliver(std::string_view name, std::uint64_t id) override {
    const std::lock_guard lock(mutex_);
    calls_.push_back("redeliver " + std::string(name) + " " + std::to_string(id));
    if (forced_) return *forced_;
    if (find_letter(name, id) == nullptr) return Status::not_found("no such dead letter");
    return Status::ok();
  }

  // Every destination has delivered everything.
  Result<std::vector<EventDelivery>> event_delivery(
      std::uint64_t /*sequence*/, const storage::Record& /*record*/) const override {
    const std::lock_guard lock(mutex_);
    std::vector<EventDelivery> states;
    for (const auto& status : statuses_) {
      states.push_back(EventDelivery{status.name, EventDelivery::State::kDelivered, 0, {}});
    }
    return states;
  }

 private:
  static Status no_destination(std::string_view name) {
    return Status::not_found("no destination named " + std::string(name));
  }

  Status set_state(std::string_view name, std::string_view call) {
    const std::lock_guard lock(mutex_);
    calls_.push_back(std::string(call) + " " + std::string(name));
    if (forced_) return *forced_;
    DestinationStatus* status = find(name);
    if (status == nullptr) return no_destination(name);
    status->state = call == "pause" ? LoopState::kPaused : LoopState::kRunning;
    return Status::ok();
  }

  DestinationStatus* find(std::string_view name) {
    for (DestinationStatus& status : statuses_) {
      if (status.name == name) return &status;
    }
    return nullptr;
  }
  const DestinationStatus* find(std::string_view name) const {
    return const_cast<FakeRouterControl*>(this)->find(name);
  }

  const storage::DeadLetter* find_letter(std::string_view name, std::uint64_t id) const {
    const auto it = letters_.find(std::string(name));
    if (it == letters_.end()) return nullptr;
    for (const storage::DeadLetter& letter : it->second) {
      if (letter.first_sequence == id) return &letter;
    }
    return nullptr;
  }

  mutable std::mutex mutex_;
  std::vector<DestinationStatus> statuses_;
  std::map<std::string, std::vector<storage::DeadLetter>> letters_;
  std::optional<Status> forced_;
  std::vector<std::string> calls_;
  std::optional<ReplayFrom> last_replay_;
};

// A stored record holding json, as the log keeps it.
inline std::string stored_record(std::string_view json, std::int64_t received_at_ms = 0) {
  storage::Record record;
  record.received_at_ms = received_at_ms;
  record.timestamp_ms = received_at_ms;
  record.source = "website";
  record.message_id = "m1";
  record.json = json;
  std::string out;
  storage::encode_record(record, out);
  return out;
}

}  // namespace sluice::admin::test
