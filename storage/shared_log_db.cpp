#include "storage/shared_log_db.hpp"

namespace sluice::storage {

Status log_closed() {
  return Status::closed("the event log is closed");
}

SharedLogDb::SharedLogDb(std::unique_ptr<LogDb> db) : db_(std::move(db)) {}

SharedLogDb::~SharedLogDb() {
  close();
}

SharedLogDb::Lease::Lease(const SharedLogDb& shared) : mutex_(shared.mutex_) {
  shared.mutex_.lock_shared();
  db_ = shared.db_.get();
}

SharedLogDb::Lease::~Lease() {
  mutex_.unlock_shared();
}

void SharedLogDb::close(bool sync_wal) {
  std::unique_ptr<LogDb> closing;
  {
    WriterLock lock(mutex_);
    closing = std::move(db_);
  }
  if (closing) closing->set_sync_wal_at_close(sync_wal);
  closing.reset();  // syncs the WAL (when asked) and closes RocksDB
}

}  // namespace sluice::storage
