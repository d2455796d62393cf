#pragma once

// What an operator can see of the router and ask of it: the admin API's view (admin/). The
// Router implements it; the admin server depends only on this interface.
//
// Failures are Statuses: kNotFound when there is no such destination or dead letter,
// kInvalidArgument when the request cannot be done as asked (the message says why), any other
// code when the store failed or the router is stopping (it may work later).
//
// Thread-safety: every method may be called from any thread, concurrently with delivery.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "storage/dead_letter.hpp"
#include "storage/record.hpp"

namespace sluice::router {

enum class LoopState {
  kStarting,  // loading its cursor
  kRunning,   // delivering or waiting for events
  kRetrying,  // the last attempt failed; waiting to try again
  kPaused,    // paused by an operator: reads and delivers nothing until resumed
  kStopped,   // the loop ended (server stopping, or a fault: see last_error)
};

std::string_view to_string(LoopState state);

struct DestinationStatus {
  std::string name;
  std::string type;  // "webhook", "file", "kafka"
  LoopState state = LoopState::kStarting;
  std::uint64_t cursor = 0;          // every sequence up to here is delivered or dead-lettered
  std::uint64_t last_sequence = 0;   // the log's last committed sequence
  std::uint64_t backlog_events = 0;  // last_sequence - cursor (filtered-out events included)
  std::uint64_t backlog_bytes = 0;   // approximate stored size of that range
  // receivedAt of the first undelivered event, as an age; nullopt when nothing is undelivered.
  std::optional<std::chrono::milliseconds> oldest_undelivered_age;
  std::uint64_t delivered_events = 0;  // since the server started
  std::uint64_t dead_letters = 0;      // dead letters currently stored
  std::string last_error;              // the last failed attempt's reason; empty after success
};

// Where one stored event stands with one destination (the admin API's event lookup).
struct EventDelivery {
  enum class State {
    kDelivered,     // the cursor is past it
    kPending,       // not delivered yet
    kFiltered,      // the destination does not take it (sources, types, event names)
    kDeadLettered,  // its batch was dead-lettered
  };
  std::string destination;
  State state = State::kPending;
  std::uint64_t ahead = 0;  // kPending: undelivered events before it (filtered ones included)
  std::optional<storage::DeadLetter> dead_letter;  // kDeadLettered: the letter, no events
};

std::string_view to_string(EventDelivery::State state);

// Where a replay starts.
struct ReplayFrom {
  enum class Kind { kSequence, kTime };
  Kind kind = Kind::kSequence;
  std::uint64_t sequence = 0;  // kSequence: the first sequence delivered again
  std::int64_t time_ms = 0;    // kTime: the first event received at or after this time
};

class RouterControl {
 public:
  virtual ~RouterControl() = default;

  virtual std::vector<DestinationStatus> destinations() const = 0;
  virtual Result<DestinationStatus> destination(std::string_view name) const = 0;

  // Pausing holds the cursor where it is (a batch in flight finishes first); resuming goes on
  // from there. Both are idempotent; neither survives a restart.
  virtual Status pause(std::string_view name) = 0;
  virtual Status resume(std::string_view name) = 0;

  // Moves the destination's cursor back (or forward) so that delivery goes on from `from`;
  // events no longer in the log (retention) are skipped. Returns the new cursor.
  virtual Result<std::uint64_t> replay(std::string_view name, const ReplayFrom& from) = 0;

  // The destination's dead letters, in sequence order, without their events.
  virtual Result<std::vector<storage::DeadLetter>> dead_letters(std::string_view name) const = 0;
  // One dead letter, events included; id is its first_sequence.
  virtual Result<storage::DeadLetter> dead_letter(std::string_view name,
                                                  std::uint64_t id) const = 0;
  // Queues the dead letter for one more delivery by its destination's loop; once delivered it
  // is removed. Answers at once: the outcome shows in the dead-letter list.
  virtual Status redeliver(std::string_view name, std::uint64_t id) = 0;
  // The state with every destination of the event stored under sequence.
  virtual Result<std::vector<EventDelivery>> event_delivery(
      std::uint64_t sequence, const storage::Record& record) const = 0;
};

}  // namespace sluice::router
