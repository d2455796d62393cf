#pragma once

// What the tracking port needs of storage, and nothing more: hand over a request's records to
// be committed together, and ask whether more would be taken. RecordLog implements it; the
// request-answering code depends only on this, so its rules are unit-tested without RocksDB.
//
// Thread-safety: both methods may be called from any thread. append()'s callback runs on a
// thread of the implementation's choosing (RecordLog: its committer).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sluice::storage {

struct AppendResult {
  bool ok = false;
  std::uint64_t first_sequence = 0;  // records got first_sequence, first_sequence + 1, ...
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
  virtual Admission append(std::vector<std::string> records, AppendCallback done) = 0;

  // What append() would answer for `bytes` more bytes, without queueing anything.
  virtual Admission admission(std::uint64_t bytes = 0) const = 0;
};

}  // namespace sluice::storage
