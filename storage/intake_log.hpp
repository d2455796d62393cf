#pragma once

// What the tracking port needs of storage, and nothing more: hand over a request's records to
// be committed together, and ask whether more would be taken. RecordLog implements it; the
// request-answering code depends only on this, so its rules are unit-tested without RocksDB.
//
// Thread-safety: both methods may be called from any thread. append()'s callback runs on a
// thread of the implementation's choosing (RecordLog: its committer).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "storage/dedup_key.hpp"
#include "storage/event_type.hpp"

namespace sluice::storage {

// A record not stored because its messageId was stored before within the dedup window (or
// earlier in the same append or commit group).
struct DuplicateRecord {
  std::uint32_t record = 0;  // its place in the append's records
  EventType type = EventType::kTrack;
  std::string message_id;
};

struct AppendResult {
  bool ok = false;
  // The records stored, in order, got first_sequence, first_sequence + 1, ...; 0 when all
  // were duplicates.
  std::uint64_t first_sequence = 0;
  std::vector<DuplicateRecord> duplicates;  // in order of record
};

using AppendCallback = std::function<void(const AppendResult&)>;

// Whether the log takes more records right now, and if not, why.
enum class Admission {
  kAccepted,
  kBacklogFull,  // the on-disk backlog passed storage.max_backlog_bytes
  kPendingFull,  // too many bytes wait for the committer (bounded memory)
  kClosed,       // shutting down or the store failed
};

class IntakeLog {
 public:
  virtual ~IntakeLog() = default;

  // Queues records (each an encode_record() output) to be committed together, in order. On
  // anything but kAccepted nothing is queued and done is never called; otherwise done is called
  // exactly once, when the records are durable or could not be written.
  // keys: empty, or one per record: the record's dedup key (dedup_key.hpp), or nullopt for one
  // whose messageId the server made (it cannot have been sent before). A record whose key was
  // stored within the dedup window is not stored again: done reports it in duplicates.
  virtual Admission append(std::vector<std::string> records,
                           std::vector<std::optional<DedupKey>> keys, AppendCallback done) = 0;
  // The same without dedup keys: every record is stored.
  Admission append(std::vector<std::string> records, AppendCallback done) {
    return append(std::move(records), {}, std::move(done));
  }

  // Whether append() de-duplicates by the keys it is given (storage.dedup_window > 0); when
  // not, callers need not make keys.
  virtual bool dedups() const { return false; }
  // What append() would answer for `bytes` more bytes, without queueing anything.
  virtual Admission admission(std::uint64_t bytes = 0) const = 0;
};

}  // namespace sluice::storage
