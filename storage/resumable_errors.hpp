#pragma once

// A RocksDB listener that keeps I/O errors resumable and leaves their recovery to the committer.
//
// RocksDB stops writes after an I/O error. By its own rules only some of those errors may be
// resumed (DB::Resume()): a failed WAL append on a full disk may, but a WAL or table file that
// cannot be created (a full disk, no descriptors left) counts as fatal, and the database would
// stay read-only until it is reopened. Those errors heal once their cause is gone, so this
// listener makes every I/O error that loses no data a hard error, which Resume() clears.
// Corruption, data loss and fencing keep their severity: they do not heal.
//
// It also turns off RocksDB's own automatic recovery: after a failed write the log's WAL must
// not be touched until the committer calls Resume() (committer.hpp), from its thread, and only
// the committer knows when intake may go on.
//
// Thread-safety: RocksDB calls it from its background and writing threads; it keeps no state.

#include <rocksdb/listener.h>

namespace sluice::storage {

class ResumableErrors final : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "ResumableErrors"; }
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override;
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason reason, rocksdb::Status error,
                            bool* auto_recovery) override;
};

}  // namespace sluice::storage
